-- API tokens: stored by the SHA-256 of their value, like sessions.

-- name: insert-api-token
INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: get-api-token
SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,
       t.revoked_at, t.created_by
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.id = ?

-- name: get-user-api-token
-- A user's own token: another user's answers no rows (NotFound).
SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,
       t.revoked_at, t.created_by
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.id = ? AND t.user_id = ?

-- name: list-api-tokens
SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,
       t.revoked_at, t.created_by
FROM api_tokens t JOIN users u ON u.id = t.user_id
ORDER BY u.username, t.id

-- name: list-user-api-tokens
SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,
       t.revoked_at, t.created_by
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.user_id = ?
ORDER BY t.id

-- name: list-api-tokens-by-prefix
SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at,
       t.revoked_at, t.created_by
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.prefix = ?
ORDER BY t.id

-- name: revoke-user-api-tokens
UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL

-- name: revoke-api-token
UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL

-- name: get-api-token-auth
-- Everything a bearer check needs in one read: the user, and the token's
-- state, which the caller judges so that it can say what is wrong.
SELECT u.id, u.username, u.display_name, u.role, u.street_id, COALESCE(st.name, '') AS street_name,
       u.password_hash, u.disabled, u.created_at, u.must_change_password, u.phone,
       t.id AS token_id, t.expires_at AS token_expires_at, t.last_used_at AS token_last_used_at,
       t.revoked_at AS token_revoked_at
FROM api_tokens t
JOIN users u ON u.id = t.user_id
LEFT JOIN streets st ON st.id = u.street_id
WHERE t.token_hash = ?

-- name: touch-api-token
-- At most one write per token per interval: a use within it changes nothing.
UPDATE api_tokens SET last_used_at = ?
WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)
