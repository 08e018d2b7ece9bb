-- Maintained fieldwork counts (PostgreSQL dialect; keep in step with
-- ../sqlite/00015_fieldwork_counts.sql): the dashboard's and the street
-- office's progress figures (by street, community, interviewer and day)
-- read a few thousand counter rows instead of every assignment of the
-- round, so a page of a round of 1,000,000 households costs what one of
-- 10,000 does (BenchmarkDashboardScale). A trigger on assignments keeps
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
    round_id       BIGINT NOT NULL REFERENCES rounds (id),
    street_id      BIGINT NOT NULL,
    community_id   BIGINT NOT NULL,
    interviewer_id BIGINT NOT NULL,
    category       TEXT NOT NULL,
    n              BIGINT NOT NULL,
    visits         BIGINT NOT NULL,
    PRIMARY KEY (round_id, street_id, community_id, interviewer_id, category)
);

-- A round's final assignments by street, hour of their last visit (hours
-- since 1970-01-01 00:00 UTC: a page makes local days of them with the
-- district's offset from UTC) and AAPOR category.
CREATE TABLE fieldwork_hours (
    round_id  BIGINT NOT NULL REFERENCES rounds (id),
    street_id BIGINT NOT NULL,
    hour      BIGINT NOT NULL,
    category  TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (round_id, street_id, hour, category)
);

INSERT INTO fieldwork_counts (round_id, street_id, community_id, interviewer_id, category, n, visits)
SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''),
       COUNT(*), SUM(attempts)
FROM assignments GROUP BY 1, 2, 3, 4, 5;
INSERT INTO fieldwork_hours (round_id, street_id, hour, category, n)
SELECT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category, COUNT(*)
FROM assignments WHERE category IS NOT NULL AND last_visit_at IS NOT NULL GROUP BY 1, 2, 3, 4;

-- Adds dn assignments with dv visits to a count, and d to an hour's (when
-- the assignment is final and visited); a row that reaches 0 goes.
-- +goose StatementBegin
CREATE FUNCTION fieldwork_count_add(r BIGINT, s BIGINT, c BIGINT, i BIGINT, cat TEXT, dn BIGINT, dv BIGINT, at TIMESTAMPTZ, fin TEXT) RETURNS void AS $$
BEGIN
    INSERT INTO fieldwork_counts AS f (round_id, street_id, community_id, interviewer_id, category, n, visits)
    VALUES (r, s, c, i, cat, dn, dv)
    ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
    DO UPDATE SET n = f.n + excluded.n, visits = f.visits + excluded.visits;
    DELETE FROM fieldwork_counts
    WHERE round_id = r AND street_id = s AND community_id = c AND interviewer_id = i AND category = cat AND n = 0;
    IF fin IS NOT NULL AND at IS NOT NULL THEN
        INSERT INTO fieldwork_hours AS h (round_id, street_id, hour, category, n)
        VALUES (r, s, CAST(floor(extract(epoch FROM at) / 3600) AS BIGINT), fin, dn)
        ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = h.n + excluded.n;
        DELETE FROM fieldwork_hours
        WHERE round_id = r AND street_id = s AND hour = CAST(floor(extract(epoch FROM at) / 3600) AS BIGINT) AND category = fin AND n = 0;
    END IF;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

-- The trigger: the old row's counts out, the new row's in, the smaller
-- count key first, so that two transactions moving assignments between
-- the same two keys in opposite directions lock them in the same order.
-- +goose StatementBegin
CREATE FUNCTION assignments_counts() RETURNS trigger AS $$
DECLARE
    out_first BOOLEAN := true;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        out_first := ROW(OLD.round_id, COALESCE(OLD.street_id, 0), COALESCE(OLD.community_id, 0), COALESCE(OLD.interviewer_id, 0), COALESCE(OLD.category, ''))
                  < ROW(NEW.round_id, COALESCE(NEW.street_id, 0), COALESCE(NEW.community_id, 0), COALESCE(NEW.interviewer_id, 0), COALESCE(NEW.category, ''));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT out_first THEN
        PERFORM fieldwork_count_add(NEW.round_id, COALESCE(NEW.street_id, 0), COALESCE(NEW.community_id, 0), COALESCE(NEW.interviewer_id, 0),
                                    COALESCE(NEW.category, ''), 1, NEW.attempts, NEW.last_visit_at, NEW.category);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM fieldwork_count_add(OLD.round_id, COALESCE(OLD.street_id, 0), COALESCE(OLD.community_id, 0), COALESCE(OLD.interviewer_id, 0),
                                    COALESCE(OLD.category, ''), -1, -OLD.attempts, OLD.last_visit_at, OLD.category);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND out_first) THEN
        PERFORM fieldwork_count_add(NEW.round_id, COALESCE(NEW.street_id, 0), COALESCE(NEW.community_id, 0), COALESCE(NEW.interviewer_id, 0),
                                    COALESCE(NEW.category, ''), 1, NEW.attempts, NEW.last_visit_at, NEW.category);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER assignments_counts_insert AFTER INSERT ON assignments
FOR EACH ROW EXECUTE FUNCTION assignments_counts();
CREATE TRIGGER assignments_counts_update
AFTER UPDATE OF round_id, street_id, community_id, interviewer_id, category, attempts, last_visit_at ON assignments
FOR EACH ROW WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id OR OLD.street_id IS DISTINCT FROM NEW.street_id
  OR OLD.community_id IS DISTINCT FROM NEW.community_id OR OLD.interviewer_id IS DISTINCT FROM NEW.interviewer_id
  OR OLD.category IS DISTINCT FROM NEW.category OR OLD.attempts IS DISTINCT FROM NEW.attempts
  OR OLD.last_visit_at IS DISTINCT FROM NEW.last_visit_at)
EXECUTE FUNCTION assignments_counts();
CREATE TRIGGER assignments_counts_delete AFTER DELETE ON assignments
FOR EACH ROW EXECUTE FUNCTION assignments_counts();

-- +goose Down
DROP INDEX responses_round_pending_flags;
DROP TRIGGER assignments_counts_delete ON assignments;
DROP TRIGGER assignments_counts_update ON assignments;
DROP TRIGGER assignments_counts_insert ON assignments;
DROP FUNCTION assignments_counts();
DROP FUNCTION fieldwork_count_add(BIGINT, BIGINT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, TIMESTAMPTZ, TEXT);
DROP TABLE fieldwork_hours;
DROP TABLE fieldwork_counts;
