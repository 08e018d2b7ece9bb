-- API tokens (SQLite dialect; keep in step with ../postgres/00006_api_tokens.sql):
-- long-lived credentials for scripts and tablets, sent as
-- "Authorization: Bearer minyi_…".

-- +goose Up
-- Like sessions, a token is stored only as the SHA-256 of its value, so a
-- leaked database does not leak usable tokens; prefix keeps the first
-- characters of its random part so that a listing can tell tokens apart.
-- expires_at NULL: never expires. created_by NULL: made on the command line.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- +goose Down
DROP TABLE api_tokens;
