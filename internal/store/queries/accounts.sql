-- Accounts made by the dozen: one-time login codes, the first password a
-- person chooses, and the filtered list of users.

-- name: insert-login-code
INSERT INTO login_codes (user_id, code_hash, created_at, expires_at)
VALUES (?, ?, ?, ?)

-- name: use-login-code
-- A code is used once: the update that marks it is the check.
UPDATE login_codes SET used_at = ?
WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
RETURNING user_id

-- name: get-login-code-state
SELECT used_at, expires_at FROM login_codes WHERE code_hash = ?

-- name: delete-user-login-codes
-- Unused codes of a user whose password was chosen or reset: a slip
-- printed before opens nothing any more.
DELETE FROM login_codes WHERE user_id = ? AND used_at IS NULL

-- name: set-own-password
UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?

-- name: delete-user-sessions-except
DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?

-- name: filter-users
-- The users page: role, street, state and a search of username and display
-- name (a LIKE pattern with \ as its escape), a page at a time.
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(s.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone
FROM users u LEFT JOIN streets s ON s.id = u.street_id
WHERE (? = '' OR u.role = ?)
  AND (? = 0 OR u.street_id = ?)
  AND (? = '' OR (? = 'disabled' AND u.disabled) OR (? = 'active' AND NOT u.disabled))
  AND (? = '' OR lower(u.username) LIKE ? ESCAPE '\' OR lower(u.display_name) LIKE ? ESCAPE '\')
ORDER BY u.username
LIMIT ? OFFSET ?

-- name: count-filter-users
SELECT COUNT(*)
FROM users u
WHERE (? = '' OR u.role = ?)
  AND (? = 0 OR u.street_id = ?)
  AND (? = '' OR (? = 'disabled' AND u.disabled) OR (? = 'active' AND NOT u.disabled))
  AND (? = '' OR lower(u.username) LIKE ? ESCAPE '\' OR lower(u.display_name) LIKE ? ESCAPE '\')
