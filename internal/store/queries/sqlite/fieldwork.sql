-- SQLite versions of shared fieldwork queries (queries/fieldwork.sql).

-- name: interviewer-peers
-- The shared query, with a unary + on status: without statistics (a new
-- database has none) SQLite otherwise reads the round's every accepted
-- response through responses_round, where responses_interviewer reads
-- only this interviewer's, and a submission grows slower with every one
-- before it.
SELECT id, started_at, completed_at, pattern FROM responses
WHERE round_id = ? AND interviewer_id = ? AND +status = 'accepted'
  AND (pattern = ? OR (started_at < ? AND completed_at > ?))
ORDER BY id
