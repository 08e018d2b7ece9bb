-- The street office's pages (postgres dialect; keep in step with the other
-- dialect's 00013_street_pages.sql): the replacement requests awaiting a
-- supervisor and the appointments of a day are read by a range of the
-- round's assignments rather than a scan of all of them (a round of
-- 100,000 households, BenchmarkStreetPages).

-- +goose Up
CREATE INDEX assignments_round_replacement ON assignments (round_id, replacement, street_id);
CREATE INDEX assignments_round_appointment ON assignments (round_id, appointment_at);

-- +goose Down
DROP INDEX assignments_round_appointment;
DROP INDEX assignments_round_replacement;
