-- The district's order of streets and communities (sqlite dialect; keep in
-- step with ../postgres/00023_place_order.sql): every table, chart, export
-- and report lists streets by position, and a street's communities by
-- theirs, never by code point. An import appends new streets and
-- communities in the order they first appear in the file; the
-- administrator can reorder them on /registers. Rows stored before now
-- keep the order of their ids (the order they were created in).

-- +goose Up
ALTER TABLE streets ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communities ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE streets SET position = (SELECT COUNT(*) FROM streets s2 WHERE s2.id <= streets.id);
UPDATE communities SET position = (
    SELECT COUNT(*) FROM communities c2
    WHERE c2.street_id = communities.street_id AND c2.id <= communities.id);

-- +goose Down
ALTER TABLE communities DROP COLUMN position;
ALTER TABLE streets DROP COLUMN position;
