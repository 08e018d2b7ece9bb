-- PostgreSQL overrides of queries/login_attempts.sql.

-- name: lock-login-attempt
-- Two serve processes counting a failure of the same key at once: the row
-- lock makes the second wait for the first's count.
SELECT key, window_start, failures, blocked_until, updated_at FROM login_attempts WHERE key = ? FOR UPDATE
