-- PostgreSQL versions of fieldwork queries that take a JSON array.

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
