-- Names that identify things are unique whatever their case (postgres dialect;
-- keep in step with ../sqlite/00005_names.sql): "ADMIN" next to
-- "admin", or a sample "Wave 1" next to "wave 1", would confuse whoever
-- picks one. Lookups by username compare lower(username) too, so these
-- indexes serve them. The application stores names in Unicode NFC
-- (package textcheck), so the same name typed twice is the same bytes.

-- +goose Up
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE UNIQUE INDEX samples_name_lower ON samples (lower(name));
CREATE UNIQUE INDEX rounds_name_lower ON rounds (lower(name));

-- +goose Down
DROP INDEX rounds_name_lower;
DROP INDEX samples_name_lower;
DROP INDEX users_username_lower;
