-- SQLite versions of queries of ../dashboard.sql.

-- name: dashboard-flags-pending
-- Accepted interviews with quality flags that no supervisor has reviewed
-- yet, by street. SQLite: INDEXED BY holds the planner to the partial
-- index that has exactly them; without statistics it prefers
-- responses_round (two equal columns) and reads every accepted response.
SELECT a.street_id AS street_id, COUNT(*) AS n
FROM responses r INDEXED BY responses_round_pending_flags
JOIN assignments a ON a.id = r.assignment_id
WHERE r.round_id = ? AND r.status = 'accepted' AND r.review = 'pending' AND r.flags <> '[]'
  AND (? = 0 OR a.street_id = ?)
GROUP BY a.street_id
