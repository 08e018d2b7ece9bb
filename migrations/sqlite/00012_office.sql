-- The office pages (sqlite dialect; keep in step with ../postgres/00012_office.sql).

-- +goose Up
-- Every round's progress (households, final, completed) on the rounds page
-- and the workbench is counted from this index alone, within a street or
-- not, without reading the assignments themselves.
CREATE INDEX assignments_progress ON assignments (round_id, street_id, status, category);

-- +goose Down
DROP INDEX assignments_progress;
