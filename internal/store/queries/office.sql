-- The office pages: the rounds' progress in one pass, a street's work
-- waiting for its supervisor, and the audit log filtered and paginated.

-- name: round-counts
-- Assignments of every round within a street scope (0: every street), how
-- many are final and how many are completed interviews (AAPOR I).
SELECT a.round_id, COUNT(*) AS assignments,
       SUM(CASE WHEN a.status = 'final' THEN 1 ELSE 0 END) AS final,
       SUM(CASE WHEN a.category = 'I' THEN 1 ELSE 0 END) AS completes
FROM assignments a
WHERE (? = 0 OR a.street_id = ?)
GROUP BY a.round_id

-- name: street-replacements-due
-- Replacements waiting for the street office's approval, by round.
SELECT a.round_id, COUNT(*) AS n
FROM assignments a
WHERE a.street_id = ? AND a.replacement = 'due'
GROUP BY a.round_id

-- name: street-reviews-waiting
-- Accepted responses of the street with quality flags that nobody has
-- reviewed yet, by round.
SELECT r.round_id, COUNT(*) AS n
FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE a.street_id = ? AND r.status = 'accepted' AND r.review = 'pending' AND r.flags <> '[]'
GROUP BY r.round_id

-- name: audit-page
-- The audit log, newest first, filtered by user, object type, object id
-- and a time range [from, to), one page after the id "before" (0: the
-- newest page). Every filter is in the WHERE; the primary key orders.
SELECT a.id, a.at, a.user_id, COALESCE(u.username, '') AS username, a.action, a.object_type, a.object_id,
       a.detail, a.request_id, a.via, a.ip
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
WHERE (? = 0 OR a.user_id = ?)
  AND (? = '' OR a.object_type = ?)
  AND (? = '' OR a.object_id = ?)
  AND a.at >= ? AND a.at < ?
  AND (? = 0 OR a.id < ?)
ORDER BY a.id DESC
LIMIT ?

-- name: audit-object-types
SELECT DISTINCT object_type FROM audit_log WHERE object_type <> '' ORDER BY object_type
