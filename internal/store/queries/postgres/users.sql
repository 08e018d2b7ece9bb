-- PostgreSQL versions of user queries that lock rows: concurrent changes
-- to users (two admins disabling each other) wait for each other instead of
-- both passing the last-admin check. NO KEY UPDATE, not UPDATE: a change of
-- an account never changes its id or username, and FOR UPDATE would also
-- wait for every transaction holding the row's KEY SHARE lock, which each
-- takes that writes a row naming the user (a response, a visit, an audit
-- entry): a fieldwork transaction entered by an admin, waiting for the
-- admin's row, and an account change waiting for that transaction's
-- interviewer row would deadlock.

-- name: get-user-for-update
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE u.id = ?
FOR NO KEY UPDATE OF u

-- name: lock-active-admins
SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id
FOR NO KEY UPDATE
