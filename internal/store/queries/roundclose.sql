-- What is still open in a round when it is closed.

-- name: round-open-work
-- Unreviewed quality flags (a response with flags nobody has reviewed),
-- replacements awaiting a supervisor, and households in progress.
SELECT
  (SELECT COUNT(*) FROM responses r
    WHERE r.round_id = ? AND r.flags <> '[]' AND r.review = 'pending'
      AND NOT EXISTS (SELECT 1 FROM responses n WHERE n.supersedes_id = r.id)) AS unreviewed_flags,
  (SELECT COUNT(*) FROM assignments a WHERE a.round_id = ? AND a.replacement = 'due') AS pending_replacements,
  (SELECT COUNT(*) FROM assignments a WHERE a.round_id = ? AND a.status = 'in_progress') AS in_progress
