-- Backups of SQLite databases (internal/backup). SQLite only: PostgreSQL is
-- backed up by pg_dump or its own base backups.

-- name: vacuum-into
-- A consistent snapshot in one read transaction: writers go on meanwhile
-- (WAL), and the copy is compact and has no WAL of its own.
VACUUM INTO ?

-- name: integrity-check
PRAGMA integrity_check

-- name: has-version-table
SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'

-- name: checkpoint-truncate
PRAGMA wal_checkpoint(TRUNCATE)

-- name: locking-mode-exclusive
-- With the next two: SQLite's exclusive lock, which in WAL mode it grants
-- only when no other connection has the database open (store.Quiesce).
PRAGMA locking_mode=EXCLUSIVE

-- name: begin-exclusive
BEGIN EXCLUSIVE

-- name: commit
COMMIT
