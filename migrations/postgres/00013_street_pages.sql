-- The street office's pages (postgres dialect; keep in step with the other
-- dialect's 00013_street_pages.sql), measured by BenchmarkStreetPages on a
-- round of 100,000 households: the replacement requests awaiting a
-- supervisor and the appointments of a day are read by a range of the
-- round's assignments rather than a scan of all of them; the progress
-- counts read indexes that hold every column they count, in the order
-- they group (no visit to the table per household, no sort); the review queue reads the flagged responses
-- of a round only.

-- +goose Up
CREATE INDEX assignments_round_replacement ON assignments (round_id, replacement, street_id);
CREATE INDEX assignments_round_appointment ON assignments (round_id, appointment_at);
CREATE INDEX assignments_round_progress ON assignments (round_id, street_id, community_id, category, attempts);
CREATE INDEX assignments_round_interviewer_progress ON assignments (round_id, street_id, interviewer_id, category, attempts);
CREATE INDEX responses_round_flagged ON responses (round_id, received_at) WHERE flags <> '[]' OR review = 'flagged';

-- +goose Down
DROP INDEX responses_round_flagged;
DROP INDEX assignments_round_interviewer_progress;
DROP INDEX assignments_round_progress;
DROP INDEX assignments_round_appointment;
DROP INDEX assignments_round_replacement;
