-- The office pages (sqlite dialect; keep in step with ../postgres/00012_office.sql).

-- +goose Up
-- Every round's progress (households, final, completed) on the rounds page
-- and the workbench is counted from this index alone, within a street or
-- not, without reading the assignments themselves.
CREATE INDEX assignments_progress ON assignments (round_id, street_id, status, category);

-- A frame version's streets with their communities and households (the
-- registers page) are counted from this index in order, community by
-- community, without a sort.
CREATE INDEX households_frame_place ON households (frame_id, street_id, community_id);

-- +goose Down
DROP INDEX households_frame_place;
DROP INDEX assignments_progress;
