-- PostgreSQL overrides of queries/fieldwork.sql.

-- name: lock-assignment
-- Locks the assignment's row until the transaction ends, so that two
-- transactions settling the same assignment (two visits, a visit and a
-- response) run one after the other: the second then reads the first's
-- visit and state instead of overwriting them with a stale result. NO KEY
-- UPDATE, not UPDATE: the visit or response the transaction has already
-- inserted holds a KEY SHARE lock on the row (its foreign key), which
-- FOR UPDATE would wait for, deadlocking two such transactions.
SELECT replacement FROM assignments WHERE id = ? FOR NO KEY UPDATE
