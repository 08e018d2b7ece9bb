-- The office pages: the rounds' progress in one pass, a street's work
-- waiting for its supervisor, and the audit log filtered and paginated.

-- name: round-counts
-- Assignments of every round within a street scope (0: every street) by
-- street, state and AAPOR category: grouped in the order of the index
-- assignments_progress, which holds every column read, so the count is one
-- pass over the index with no sort.
SELECT a.round_id, a.street_id, a.status, COALESCE(a.category, '') AS category, COUNT(*) AS n
FROM assignments a
WHERE (? = 0 OR a.street_id = ?)
GROUP BY a.round_id, a.street_id, a.status, a.category

-- name: frame-street-counts
-- A frame version's streets with their communities and households: the
-- households counted per community first (from the covering index
-- households_frame), then the communities per street: the registers page
-- at 100,000 households took 63 ms on SQLite this way, 252 ms with
-- COUNT(DISTINCT). (An index in this order would save the sort but halve
-- the speed of importing a register.)
SELECT s.id, s.code, s.name, COUNT(*) AS communities, SUM(c.n) AS households
FROM (SELECT h.street_id, h.community_id, COUNT(*) AS n
      FROM households h WHERE h.frame_id = ?
      GROUP BY h.street_id, h.community_id) c
JOIN streets s ON s.id = c.street_id
GROUP BY s.id, s.code, s.name, s.position
ORDER BY s.position, s.id

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
-- The object types the log names, one index lookup each (a loose scan of
-- audit_log_object) rather than a pass over the whole log.
WITH RECURSIVE t(ot) AS (
    SELECT MIN(object_type) FROM audit_log
    UNION ALL
    SELECT (SELECT MIN(a.object_type) FROM audit_log a WHERE a.object_type > t.ot) FROM t WHERE t.ot IS NOT NULL
)
SELECT ot FROM t WHERE ot IS NOT NULL AND ot <> '' ORDER BY ot
