-- Counters of failed logins per client address and per login name (see
-- migrations/*/00004_login_attempts.sql).

-- name: get-login-attempt
SELECT key, window_start, failures, blocked_until, updated_at FROM login_attempts WHERE key = ?

-- name: insert-login-attempt-if-absent
INSERT INTO login_attempts (key, window_start, failures, blocked_until, updated_at)
VALUES (?, ?, 0, NULL, ?)
ON CONFLICT (key) DO NOTHING

-- name: lock-login-attempt
-- SQLite: the write transaction already holds the database's only writer.
SELECT key, window_start, failures, blocked_until, updated_at FROM login_attempts WHERE key = ?

-- name: update-login-attempt
UPDATE login_attempts SET window_start = ?, failures = ?, blocked_until = ?, updated_at = ? WHERE key = ?

-- name: delete-login-attempt
DELETE FROM login_attempts WHERE key = ?

-- name: delete-stale-login-attempts
DELETE FROM login_attempts WHERE updated_at < ? AND (blocked_until IS NULL OR blocked_until < ?)
