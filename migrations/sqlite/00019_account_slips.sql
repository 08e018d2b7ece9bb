-- Accounts by the dozen (SQLite dialect; keep in step with
-- ../postgres/00019_account_slips.sql): an account made with a one-time
-- password must choose its own at first login, and an account slip carries
-- a one-time login code.

-- +goose Up
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';

-- A login code is stored only as the SHA-256 of its value, as sessions
-- and tokens are; used_at is set by the one use it has.
CREATE TABLE login_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX login_codes_user ON login_codes (user_id);

-- +goose Down
DROP TABLE login_codes;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN must_change_password;
