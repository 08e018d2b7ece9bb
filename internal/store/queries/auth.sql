-- Users, sessions, settings and the audit log.

-- name: schema-version
-- goose's version table; minyi never migrates down, so the highest applied
-- version is the schema's.
SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied

-- name: get-setting
SELECT value FROM settings WHERE key = ?

-- name: insert-setting-if-absent
INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO NOTHING

-- name: count-users
SELECT COUNT(*) FROM users

-- name: insert-user
INSERT INTO users (username, display_name, role, street_id, password_hash, created_at, must_change_password, phone)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: get-user-by-username
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE lower(u.username) = lower(?)

-- name: get-user
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE u.id = ?

-- name: list-users
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
ORDER BY u.username

-- name: get-user-for-update
-- A user about to change. SQLite's single writer serialises changes;
-- PostgreSQL locks the row (queries/postgres/users.sql).
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE u.id = ?

-- name: lock-active-admins
-- The active admins, before one is disabled or demoted (locked on PostgreSQL).
SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id

-- name: update-user
UPDATE users SET role = ?, street_id = ?, display_name = ? WHERE id = ?

-- name: set-user-disabled
UPDATE users SET disabled = ? WHERE id = ?

-- name: get-street-name
SELECT name FROM streets WHERE id = ?

-- name: set-user-password
UPDATE users SET password_hash = ? WHERE id = ?

-- name: get-street-by-name
SELECT id, code, name FROM streets WHERE name = ? OR code = ?
ORDER BY (name = ?) DESC
LIMIT 1

-- name: insert-session
INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent)
VALUES (?, ?, ?, ?, ?)

-- name: get-session-user
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(st.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM sessions s
JOIN users u ON u.id = s.user_id
LEFT JOIN streets st ON st.id = u.street_id
WHERE s.token_hash = ? AND s.expires_at > ? AND NOT u.disabled

-- name: delete-session
DELETE FROM sessions WHERE token_hash = ?

-- name: delete-user-sessions
DELETE FROM sessions WHERE user_id = ?

-- name: delete-expired-sessions
DELETE FROM sessions WHERE expires_at <= ?

-- name: insert-audit
INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail, request_id, via, ip)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: list-audit
SELECT a.id, a.at, a.user_id, COALESCE(u.username, '') AS username, a.action, a.object_type, a.object_id, a.detail, a.request_id,
       a.via, a.ip
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
ORDER BY a.id DESC
LIMIT ?
