-- Maintained per-PSU sums (SQLite dialect; keep in step with
-- ../postgres/00014_psu_sums.sql): what a round's estimates need, kept up
-- to date as responses are accepted, returned or weighted, so that a
-- dashboard reads a few thousand rows instead of every response.

-- +goose Up
-- A response's answers to the questions that make respondent groups (the
-- single-choice questions no indicator reads: sex, age group, …), written
-- with the response; code NULL: not answered. The sums by group join them.
CREATE TABLE response_groups (
    response_id INTEGER NOT NULL,
    round_id    INTEGER NOT NULL,
    question    TEXT NOT NULL,
    code        INTEGER,
    PRIMARY KEY (response_id, question),
    FOREIGN KEY (response_id, round_id) REFERENCES responses (id, round_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX response_groups_round ON response_groups (round_id, question);

-- The sums of one indicator over the accepted responses of one PSU, one
-- calibration cell (-1: none) and, for grp '' (code 0), all of them, or
-- for grp a group question, those with answer code (-1: not answered):
-- exactly what store.RoundAggregates' GROUP BY over response_values gives,
-- with the weights in force (base weight until the round is weighted, the
-- final weight after). A PSU lies in one street and one community.
CREATE TABLE psu_sums (
    round_id      INTEGER NOT NULL REFERENCES rounds (id),
    grp           TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    psu           INTEGER NOT NULL,
    code          INTEGER NOT NULL,
    cal_cell      INTEGER NOT NULL,
    street_id     INTEGER NOT NULL,
    community_id  INTEGER NOT NULL,
    rows_n        INTEGER NOT NULL,
    sum_w         REAL NOT NULL,
    n             INTEGER NOT NULL,
    sum_w_present REAL NOT NULL,
    sum_wy        REAL NOT NULL,
    sum_wy2       REAL NOT NULL,
    sum_y         REAL NOT NULL,
    PRIMARY KEY (round_id, grp, indicator, psu, code, cal_cell)
) WITHOUT ROWID;

-- Rounds whose sums are not (yet) kept: those with responses from before
-- this migration. Their estimates read response_values until
-- 'minyi round resum' builds the sums.
CREATE TABLE psu_sums_stale (
    round_id INTEGER PRIMARY KEY REFERENCES rounds (id)
);
INSERT INTO psu_sums_stale (round_id) SELECT DISTINCT round_id FROM responses;

-- +goose Down
DROP TABLE psu_sums_stale;
DROP TABLE psu_sums;
DROP TABLE response_groups;
