-- Maintained fieldwork counts (SQLite dialect; keep in step with
-- ../postgres/00015_fieldwork_counts.sql): the dashboard's and the street
-- office's progress figures (by street, community, interviewer and day)
-- read a few thousand counter rows instead of every assignment of the
-- round, so a page of a round of 1,000,000 households costs what one of
-- 10,000 does (BenchmarkDashboardScale). Triggers on assignments keep
-- them, whichever statement changes an assignment (round start,
-- (re)assignment, a visit or a response, a review, a released reserve).

-- +goose Up
-- The accepted interviews with quality flags waiting for review, by
-- round: what the dashboard counts per street (a queue supervisors empty,
-- not every response).
CREATE INDEX responses_round_pending_flags ON responses (round_id, assignment_id)
WHERE status = 'accepted' AND review = 'pending' AND flags <> '[]';

-- A round's assignments by street, community, interviewer (0: nobody) and
-- AAPOR category ('' not final yet): how many (n) and their visits.
CREATE TABLE fieldwork_counts (
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    street_id      INTEGER NOT NULL,
    community_id   INTEGER NOT NULL,
    interviewer_id INTEGER NOT NULL,
    category       TEXT NOT NULL,
    n              INTEGER NOT NULL,
    visits         INTEGER NOT NULL,
    PRIMARY KEY (round_id, street_id, community_id, interviewer_id, category)
) WITHOUT ROWID;

-- A round's final assignments by street, hour of their last visit (hours
-- since 1970-01-01 00:00 UTC: a page makes local days of them with the
-- district's offset from UTC) and AAPOR category.
CREATE TABLE fieldwork_hours (
    round_id  INTEGER NOT NULL REFERENCES rounds (id),
    street_id INTEGER NOT NULL,
    hour      INTEGER NOT NULL,
    category  TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (round_id, street_id, hour, category)
) WITHOUT ROWID;

INSERT INTO fieldwork_counts (round_id, street_id, community_id, interviewer_id, category, n, visits)
SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''),
       COUNT(*), SUM(attempts)
FROM assignments GROUP BY 1, 2, 3, 4, 5;
INSERT INTO fieldwork_hours (round_id, street_id, hour, category, n)
SELECT round_id, COALESCE(street_id, 0), CAST(strftime('%s', last_visit_at) AS INTEGER) / 3600, category, COUNT(*)
FROM assignments WHERE category IS NOT NULL AND last_visit_at IS NOT NULL GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE TRIGGER assignments_counts_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO fieldwork_counts (round_id, street_id, community_id, interviewer_id, category, n, visits)
    VALUES (NEW.round_id, COALESCE(NEW.street_id, 0), COALESCE(NEW.community_id, 0), COALESCE(NEW.interviewer_id, 0),
            COALESCE(NEW.category, ''), 1, NEW.attempts)
    ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
    DO UPDATE SET n = n + excluded.n, visits = visits + excluded.visits;
    INSERT INTO fieldwork_hours (round_id, street_id, hour, category, n)
    SELECT NEW.round_id, COALESCE(NEW.street_id, 0), CAST(strftime('%s', NEW.last_visit_at) AS INTEGER) / 3600, NEW.category, 1
    WHERE NEW.category IS NOT NULL AND NEW.last_visit_at IS NOT NULL
    ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assignments_counts_update
AFTER UPDATE OF round_id, street_id, community_id, interviewer_id, category, attempts, last_visit_at ON assignments
WHEN OLD.round_id IS NOT NEW.round_id OR OLD.street_id IS NOT NEW.street_id OR OLD.community_id IS NOT NEW.community_id
  OR OLD.interviewer_id IS NOT NEW.interviewer_id OR OLD.category IS NOT NEW.category OR OLD.attempts IS NOT NEW.attempts
  OR OLD.last_visit_at IS NOT NEW.last_visit_at
BEGIN
    UPDATE fieldwork_counts SET n = n - 1, visits = visits - OLD.attempts
    WHERE round_id = OLD.round_id AND street_id = COALESCE(OLD.street_id, 0) AND community_id = COALESCE(OLD.community_id, 0)
      AND interviewer_id = COALESCE(OLD.interviewer_id, 0) AND category = COALESCE(OLD.category, '');
    DELETE FROM fieldwork_counts
    WHERE round_id = OLD.round_id AND street_id = COALESCE(OLD.street_id, 0) AND community_id = COALESCE(OLD.community_id, 0)
      AND interviewer_id = COALESCE(OLD.interviewer_id, 0) AND category = COALESCE(OLD.category, '') AND n = 0;
    UPDATE fieldwork_hours SET n = n - 1
    WHERE OLD.category IS NOT NULL AND OLD.last_visit_at IS NOT NULL AND round_id = OLD.round_id
      AND street_id = COALESCE(OLD.street_id, 0) AND hour = CAST(strftime('%s', OLD.last_visit_at) AS INTEGER) / 3600
      AND category = OLD.category;
    DELETE FROM fieldwork_hours
    WHERE OLD.category IS NOT NULL AND OLD.last_visit_at IS NOT NULL AND round_id = OLD.round_id
      AND street_id = COALESCE(OLD.street_id, 0) AND hour = CAST(strftime('%s', OLD.last_visit_at) AS INTEGER) / 3600
      AND category = OLD.category AND n = 0;
    INSERT INTO fieldwork_counts (round_id, street_id, community_id, interviewer_id, category, n, visits)
    VALUES (NEW.round_id, COALESCE(NEW.street_id, 0), COALESCE(NEW.community_id, 0), COALESCE(NEW.interviewer_id, 0),
            COALESCE(NEW.category, ''), 1, NEW.attempts)
    ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
    DO UPDATE SET n = n + excluded.n, visits = visits + excluded.visits;
    INSERT INTO fieldwork_hours (round_id, street_id, hour, category, n)
    SELECT NEW.round_id, COALESCE(NEW.street_id, 0), CAST(strftime('%s', NEW.last_visit_at) AS INTEGER) / 3600, NEW.category, 1
    WHERE NEW.category IS NOT NULL AND NEW.last_visit_at IS NOT NULL
    ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assignments_counts_delete AFTER DELETE ON assignments
BEGIN
    UPDATE fieldwork_counts SET n = n - 1, visits = visits - OLD.attempts
    WHERE round_id = OLD.round_id AND street_id = COALESCE(OLD.street_id, 0) AND community_id = COALESCE(OLD.community_id, 0)
      AND interviewer_id = COALESCE(OLD.interviewer_id, 0) AND category = COALESCE(OLD.category, '');
    DELETE FROM fieldwork_counts
    WHERE round_id = OLD.round_id AND street_id = COALESCE(OLD.street_id, 0) AND community_id = COALESCE(OLD.community_id, 0)
      AND interviewer_id = COALESCE(OLD.interviewer_id, 0) AND category = COALESCE(OLD.category, '') AND n = 0;
    UPDATE fieldwork_hours SET n = n - 1
    WHERE OLD.category IS NOT NULL AND OLD.last_visit_at IS NOT NULL AND round_id = OLD.round_id
      AND street_id = COALESCE(OLD.street_id, 0) AND hour = CAST(strftime('%s', OLD.last_visit_at) AS INTEGER) / 3600
      AND category = OLD.category;
    DELETE FROM fieldwork_hours
    WHERE OLD.category IS NOT NULL AND OLD.last_visit_at IS NOT NULL AND round_id = OLD.round_id
      AND street_id = COALESCE(OLD.street_id, 0) AND hour = CAST(strftime('%s', OLD.last_visit_at) AS INTEGER) / 3600
      AND category = OLD.category AND n = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP INDEX responses_round_pending_flags;
DROP TRIGGER assignments_counts_delete;
DROP TRIGGER assignments_counts_update;
DROP TRIGGER assignments_counts_insert;
DROP TABLE fieldwork_hours;
DROP TABLE fieldwork_counts;
