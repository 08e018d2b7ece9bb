-- PostgreSQL overrides of queries/fieldwork.sql.

-- name: lock-assignment
-- Locks the assignment's row until the transaction ends, so that two
-- transactions settling the same assignment (two visits, a visit and a
-- response) run one after the other: the second then reads the first's
-- visit and state instead of overwriting them with a stale result. NO KEY
-- UPDATE, not UPDATE: the visit or response the transaction has already
-- inserted holds a KEY SHARE lock on the row (its foreign key), which
-- FOR UPDATE would wait for, deadlocking two such transactions.
SELECT replacement FROM assignments WHERE id = ? FOR NO KEY UPDATE

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
