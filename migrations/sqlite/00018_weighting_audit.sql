-- Weighting that can be audited (SQLite dialect; keep in step with
-- ../postgres/00018_weighting_audit.sql).

-- +goose Up
-- What a population table counts: people (adults, the respondents'
-- population: household weights are multiplied by the household's
-- eligible adults before calibration) or households. Tables imported
-- before counted people.
ALTER TABLE populations ADD COLUMN unit TEXT NOT NULL DEFAULT 'person' CHECK (unit IN ('person', 'household'));

-- Each weighted response's way from its base weight (the assignment's) to
-- its final weight, written by the weighting with the weights: the sample
-- factor (m / (m + k) in a community where k reserves were released for
-- households found not eligible, which enlarge its sample of m; else 1),
-- its non-response class and factor, the within-household factor (the
-- household's eligible adults when calibrating to person counts, else 1),
-- its calibration factor (final weight = input_weight × cal_factor before
-- any trimming) and the calibration answers imputed for it (JSON, '' when
-- none).
ALTER TABLE responses ADD COLUMN sample_factor REAL;
ALTER TABLE responses ADD COLUMN nr_class TEXT;
ALTER TABLE responses ADD COLUMN nr_factor REAL;
ALTER TABLE responses ADD COLUMN hh_factor REAL;
ALTER TABLE responses ADD COLUMN cal_factor REAL;
ALTER TABLE responses ADD COLUMN imputed TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE responses DROP COLUMN imputed;
ALTER TABLE responses DROP COLUMN cal_factor;
ALTER TABLE responses DROP COLUMN hh_factor;
ALTER TABLE responses DROP COLUMN nr_factor;
ALTER TABLE responses DROP COLUMN nr_class;
ALTER TABLE responses DROP COLUMN sample_factor;
ALTER TABLE populations DROP COLUMN unit;
