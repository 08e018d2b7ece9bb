-- PostgreSQL versions of user queries that lock rows: concurrent changes
-- to users (two admins disabling each other) wait for each other instead of
-- both passing the last-admin check.

-- name: get-user-for-update
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE u.id = ?
FOR UPDATE OF u

-- name: lock-active-admins
SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id
FOR UPDATE
