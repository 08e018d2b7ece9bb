-- Maintained fieldwork counts (PostgreSQL dialect; keep in step with
-- ../sqlite/00015_fieldwork_counts.sql): the dashboard's and the street
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

-- The triggers run once per statement on its changed rows (transition
-- tables): the new rows' counts in, the old rows' out, added up by key
-- first, so that a statement changing many assignments (a round's start,
-- a street given to an interviewer) writes each count once, and in key
-- order, so that two transactions lock shared counts in the same order.
-- A count that reaches 0 goes.
-- +goose StatementBegin
CREATE FUNCTION assignments_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO fieldwork_counts AS f (round_id, street_id, community_id, interviewer_id, category, n, visits)
        SELECT r, s, c, i, cat, SUM(dn), SUM(dv)
        FROM (SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''), 1, attempts FROM new_rows) AS d (r, s, c, i, cat, dn, dv)
        GROUP BY r, s, c, i, cat HAVING SUM(dn) <> 0 OR SUM(dv) <> 0
        ORDER BY r, s, c, i, cat
        ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
        DO UPDATE SET n = f.n + excluded.n, visits = f.visits + excluded.visits;
        INSERT INTO fieldwork_hours AS h (round_id, street_id, hour, category, n)
        SELECT r, s, hr, cat, SUM(dn)
        FROM (SELECT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category, 1 FROM new_rows WHERE category IS NOT NULL AND last_visit_at IS NOT NULL) AS d (r, s, hr, cat, dn)
        GROUP BY r, s, hr, cat HAVING SUM(dn) <> 0
        ORDER BY r, s, hr, cat
        ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = h.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO fieldwork_counts AS f (round_id, street_id, community_id, interviewer_id, category, n, visits)
        SELECT r, s, c, i, cat, SUM(dn), SUM(dv)
        FROM (SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''), 1, attempts FROM new_rows
                  UNION ALL SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''), -1, -attempts FROM old_rows) AS d (r, s, c, i, cat, dn, dv)
        GROUP BY r, s, c, i, cat HAVING SUM(dn) <> 0 OR SUM(dv) <> 0
        ORDER BY r, s, c, i, cat
        ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
        DO UPDATE SET n = f.n + excluded.n, visits = f.visits + excluded.visits;
        INSERT INTO fieldwork_hours AS h (round_id, street_id, hour, category, n)
        SELECT r, s, hr, cat, SUM(dn)
        FROM (SELECT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category, 1 FROM new_rows WHERE category IS NOT NULL AND last_visit_at IS NOT NULL
                  UNION ALL SELECT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category, -1 FROM old_rows WHERE category IS NOT NULL AND last_visit_at IS NOT NULL) AS d (r, s, hr, cat, dn)
        GROUP BY r, s, hr, cat HAVING SUM(dn) <> 0
        ORDER BY r, s, hr, cat
        ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = h.n + excluded.n;
        DELETE FROM fieldwork_counts f USING (SELECT DISTINCT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, '') FROM old_rows) AS o (r, s, c, i, cat)
        WHERE f.round_id = o.r AND f.street_id = o.s AND f.community_id = o.c AND f.interviewer_id = o.i AND f.category = o.cat AND f.n = 0;
        DELETE FROM fieldwork_hours h USING (SELECT DISTINCT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category FROM old_rows
                                             WHERE category IS NOT NULL AND last_visit_at IS NOT NULL) AS o (r, s, hr, cat)
        WHERE h.round_id = o.r AND h.street_id = o.s AND h.hour = o.hr AND h.category = o.cat AND h.n = 0;
    ELSE
        INSERT INTO fieldwork_counts AS f (round_id, street_id, community_id, interviewer_id, category, n, visits)
        SELECT r, s, c, i, cat, SUM(dn), SUM(dv)
        FROM (SELECT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''), -1, -attempts FROM old_rows) AS d (r, s, c, i, cat, dn, dv)
        GROUP BY r, s, c, i, cat HAVING SUM(dn) <> 0 OR SUM(dv) <> 0
        ORDER BY r, s, c, i, cat
        ON CONFLICT (round_id, street_id, community_id, interviewer_id, category)
        DO UPDATE SET n = f.n + excluded.n, visits = f.visits + excluded.visits;
        INSERT INTO fieldwork_hours AS h (round_id, street_id, hour, category, n)
        SELECT r, s, hr, cat, SUM(dn)
        FROM (SELECT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category, -1 FROM old_rows WHERE category IS NOT NULL AND last_visit_at IS NOT NULL) AS d (r, s, hr, cat, dn)
        GROUP BY r, s, hr, cat HAVING SUM(dn) <> 0
        ORDER BY r, s, hr, cat
        ON CONFLICT (round_id, street_id, hour, category) DO UPDATE SET n = h.n + excluded.n;
        DELETE FROM fieldwork_counts f USING (SELECT DISTINCT round_id, COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, '') FROM old_rows) AS o (r, s, c, i, cat)
        WHERE f.round_id = o.r AND f.street_id = o.s AND f.community_id = o.c AND f.interviewer_id = o.i AND f.category = o.cat AND f.n = 0;
        DELETE FROM fieldwork_hours h USING (SELECT DISTINCT round_id, COALESCE(street_id, 0), CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT), category FROM old_rows
                                             WHERE category IS NOT NULL AND last_visit_at IS NOT NULL) AS o (r, s, hr, cat)
        WHERE h.round_id = o.r AND h.street_id = o.s AND h.hour = o.hr AND h.category = o.cat AND h.n = 0;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER assignments_counts_insert AFTER INSERT ON assignments
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignments_counts();
CREATE TRIGGER assignments_counts_update AFTER UPDATE ON assignments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignments_counts();
CREATE TRIGGER assignments_counts_delete AFTER DELETE ON assignments
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignments_counts();

-- +goose Down
DROP INDEX responses_round_pending_flags;
DROP TRIGGER assignments_counts_delete ON assignments;
DROP TRIGGER assignments_counts_update ON assignments;
DROP TRIGGER assignments_counts_insert ON assignments;
DROP FUNCTION assignments_counts();
DROP TABLE fieldwork_hours;
DROP TABLE fieldwork_counts;
