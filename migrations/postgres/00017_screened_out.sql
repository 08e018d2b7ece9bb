-- Screened-out interviews leave the estimates (postgres dialect; keep in step
-- with ../sqlite/00017_screened_out.sql). An interview that ended at a
-- screening question (under 18, too short a residence) found a household
-- that is not in the population (AAPOR NE): from now on it is stored
-- without indicator values, so that it is no row of any estimate and takes
-- no weight. The values earlier versions wrote for such interviews (all
-- missing) and their weights are removed here; the rounds they were in
-- have their per-PSU sums rebuilt from their rows on the next 'minyi round
-- resum' and, until then, their estimates read response_values
-- (psu_sums_stale).

-- +goose Up
DELETE FROM psu_sums WHERE round_id IN (
    SELECT DISTINCT r.round_id FROM responses r
    JOIN response_values v ON v.response_id = r.id
    WHERE r.status = 'accepted' AND r.disposition = 'not_eligible');
INSERT INTO psu_sums_stale (round_id)
SELECT DISTINCT r.round_id FROM responses r
JOIN response_values v ON v.response_id = r.id
WHERE r.status = 'accepted' AND r.disposition = 'not_eligible'
ON CONFLICT (round_id) DO NOTHING;
DELETE FROM response_groups WHERE response_id IN (
    SELECT id FROM responses WHERE status = 'accepted' AND disposition = 'not_eligible');
DELETE FROM response_values WHERE response_id IN (
    SELECT id FROM responses WHERE status = 'accepted' AND disposition = 'not_eligible');
UPDATE responses SET weight = NULL, input_weight = NULL, cal_cell = NULL
WHERE status = 'accepted' AND disposition = 'not_eligible';

-- +goose Down
-- The removed values were all missing; nothing to restore.
SELECT 1;
