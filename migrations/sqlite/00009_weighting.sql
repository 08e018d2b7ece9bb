-- Weighting (SQLite dialect; keep in step with ../postgres/00009_weighting.sql):
-- population counts to calibrate to, and the weighting of a round.

-- +goose Up
-- A population table (人口数) imported for a frame version: counts of
-- people by street × the categories of a questionnaire's demographic
-- questions (variables: a JSON array of question codes, in the order of a
-- count's cell). Every import is a new table; weighting uses the newest of
-- the round's frame unless told otherwise.
CREATE TABLE populations (
    id               INTEGER PRIMARY KEY,
    frame_id         INTEGER NOT NULL REFERENCES frames (id),
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    variables        TEXT NOT NULL,
    source_name      TEXT NOT NULL,
    source_sha256    TEXT NOT NULL,
    cells            INTEGER NOT NULL,
    total            REAL NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX populations_frame ON populations (frame_id, id);

-- cell: the option codes of the variables joined by ',' (e.g. "2,3" for
-- 女 × 40—49岁); line: where the count was in the imported file.
CREATE TABLE population_counts (
    population_id INTEGER NOT NULL REFERENCES populations (id) ON DELETE CASCADE,
    street_id     INTEGER NOT NULL REFERENCES streets (id),
    cell          TEXT NOT NULL,
    count         REAL NOT NULL CHECK (count >= 0),
    line          INTEGER NOT NULL,
    PRIMARY KEY (population_id, street_id, cell)
);

-- Every weighting run of a round, the newest being in force: its
-- configuration and report (JSON), and the calibration the variances need
-- (JSON; '' when the weights were not calibrated).
CREATE TABLE round_weightings (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES rounds (id),
    population_id INTEGER REFERENCES populations (id),
    config        TEXT NOT NULL,
    report        TEXT NOT NULL,
    calibration   TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX round_weightings_round ON round_weightings (round_id, id);

-- A response's weight before calibration and its calibration cell (NULL:
-- not calibrated, e.g. accepted after the round was weighted); the cell is
-- copied into response_values so that estimates group by it.
ALTER TABLE responses ADD COLUMN input_weight REAL CHECK (input_weight IS NULL OR input_weight > 0);
ALTER TABLE responses ADD COLUMN cal_cell INTEGER CHECK (cal_cell IS NULL OR cal_cell >= 0);
ALTER TABLE response_values ADD COLUMN cal_cell INTEGER CHECK (cal_cell IS NULL OR cal_cell >= 0);

-- +goose Down
ALTER TABLE response_values DROP COLUMN cal_cell;
ALTER TABLE responses DROP COLUMN cal_cell;
ALTER TABLE responses DROP COLUMN input_weight;
DROP TABLE round_weightings;
DROP TABLE population_counts;
DROP TABLE populations;
