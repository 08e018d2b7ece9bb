-- SQLite versions of queries of ../office.sql.

-- name: audit-page
-- The audit log, newest first, filtered by user, object type, object id
-- and a time range [from, to), one page after the id "before" (0: the
-- newest page). Every filter is in the WHERE; the primary key orders.
-- SQLite: the unary + keeps the planner off the index on at, which it
-- would pick for the (usually open) range and then sort the whole log; a
-- walk down the primary key stops after one page.
SELECT a.id, a.at, a.user_id, COALESCE(u.username, '') AS username, a.action, a.object_type, a.object_id,
       a.detail, a.request_id, a.via, a.ip
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
WHERE (? = 0 OR a.user_id = ?)
  AND (? = '' OR a.object_type = ?)
  AND (? = '' OR a.object_id = ?)
  AND +a.at >= ? AND +a.at < ?
  AND (? = 0 OR a.id < ?)
ORDER BY a.id DESC
LIMIT ?
