-- Squared weights in the per-PSU sums (sqlite dialect; keep in step with
-- ../postgres/00021_psu_sums_squares.sql): the second stage of the
-- without-replacement variance needs the spread of the linearised values
-- within each community, Σ z² = Σ w²(y − k)², so the sums keep Σ w² over
-- all responses and Σ w², Σ w²y, Σ w²y² over those with a value.

-- +goose Up
ALTER TABLE psu_sums ADD COLUMN sum_w2 REAL NOT NULL DEFAULT 0;
ALTER TABLE psu_sums ADD COLUMN sum_w2_present REAL NOT NULL DEFAULT 0;
ALTER TABLE psu_sums ADD COLUMN sum_w2y REAL NOT NULL DEFAULT 0;
ALTER TABLE psu_sums ADD COLUMN sum_w2y2 REAL NOT NULL DEFAULT 0;
-- Sums kept before now lack the squares: their rounds read their rows
-- until 'minyi round resum' rebuilds them.
INSERT INTO psu_sums_stale (round_id)
SELECT DISTINCT round_id FROM psu_sums
WHERE round_id NOT IN (SELECT round_id FROM psu_sums_stale);

-- +goose Down
ALTER TABLE psu_sums DROP COLUMN sum_w2y2;
ALTER TABLE psu_sums DROP COLUMN sum_w2y;
ALTER TABLE psu_sums DROP COLUMN sum_w2_present;
ALTER TABLE psu_sums DROP COLUMN sum_w2;
