-- PostgreSQL overrides of queries/fieldwork.sql.

-- name: lock-assignment
-- The first statement of every fieldwork transaction (lockorder.go): it
-- takes the round's lock shared (lock-round-exclusive: a weighting of the
-- round waits for the transaction, and the transaction for a weighting;
-- the lock is taken as the row is read, before the row is locked) and
-- then locks the assignment's row until the transaction ends, so that two
-- transactions of the same assignment (two visits, a visit and a
-- response, a resend racing its original) run one after the other: the
-- second reads the first's visit and state instead of overwriting them
-- with a stale result. NO KEY UPDATE, not UPDATE: rows that refer to the
-- assignment (a visit, a response) take KEY SHARE locks on it, which NO
-- KEY UPDATE does not wait for.
SELECT pg_advisory_xact_lock_shared(CAST(CAST(CAST('rounds' AS regclass) AS oid) AS int4), CAST(a.round_id AS int4)) IS NULL AS round_locked,
       a.replacement, a.round_id, su.psu, COALESCE(a.street_id, 0) AS street_id, COALESCE(a.community_id, 0) AS community_id,
       COALESCE(a.interviewer_id, 0) AS interviewer_id, COALESCE(a.category, '') AS category
FROM assignments a JOIN sample_units su ON su.id = a.sample_unit_id
WHERE a.id = ?
FOR NO KEY UPDATE OF a

-- name: lock-response
-- The response a review or a correction changes, locked after its
-- assignment and before the sums it takes away (lockorder.go).
SELECT status FROM responses WHERE id = ? FOR NO KEY UPDATE

-- sync-held takes the client ids as a JSON array.
-- name: sync-held
SELECT 'visit' AS type, v.client_id, v.id, '' AS status
FROM visits v JOIN assignments a ON a.id = v.assignment_id
WHERE v.client_id IN (SELECT jsonb_array_elements_text(CAST(? AS jsonb)))
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR v.interviewer_id = ? OR a.interviewer_id = ?)
UNION ALL
SELECT 'response' AS type, r.client_id, r.id, r.status
FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE r.client_id IN (SELECT jsonb_array_elements_text(CAST(? AS jsonb)))
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR r.interviewer_id = ? OR a.interviewer_id = ?)
ORDER BY 2
