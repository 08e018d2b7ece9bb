-- Login throttling (SQLite dialect; keep in step with ../postgres/00004_login_attempts.sql).
-- Several serve processes share one database, so the counters of failed
-- logins live here, not in a process's memory. A key is "ip:ADDRESS" (the
-- client address as the server trusts it) or "user:NAME" (the lower-cased
-- login name, known or not, so that counting tells nothing about which
-- accounts exist). window_start begins the current counting window,
-- failures counts the failures in it, blocked_until (if set) is when the
-- next attempt is allowed; updated_at is the last failure, and the hourly
-- sweep deletes counters that went quiet.

-- +goose Up
CREATE TABLE login_attempts (
    key           TEXT NOT NULL PRIMARY KEY,
    window_start  TIMESTAMP NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    blocked_until TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_updated ON login_attempts (updated_at);

-- +goose Down
DROP TABLE login_attempts;
