-- Per-(stratum, PSU, domain, indicator) sums for design-based estimates.
-- {{domain}} is replaced by an expression chosen from a whitelist in
-- estimates.go (never by input); {{indicators}} by a list of placeholders;
-- {{cell}} and {{cellgroup}} by the calibration cell (-1 where none) and
-- its GROUP BY term for a calibrated round, or 0 and nothing.
-- A PSU (a community, or a household in SRS) lies in one street and one
-- community, so grouping by PSU alone gives the same groups as grouping by
-- stratum, PSU and domain, with fewer keys to hash (PostgreSQL) and in the
-- order of the table's key (SQLite).

-- name: round-aggregates
SELECT MIN(street_id) AS stratum,
       psu,
       {{domain}} AS domain,
       indicator,
       {{cell}} AS cell,
       COUNT(*) AS rows_n,
       SUM(weight) AS sum_w,
       COUNT(value) AS n,
       COALESCE(SUM(CASE WHEN value IS NOT NULL THEN weight END), 0) AS sum_w_present,
       COALESCE(SUM(weight * value), 0) AS sum_wy,
       COALESCE(SUM(weight * value * value), 0) AS sum_wy2,
       COALESCE(SUM(value), 0) AS sum_y,
       SUM(weight * weight) AS sum_w2,
       COALESCE(SUM(CASE WHEN value IS NOT NULL THEN weight * weight END), 0) AS sum_w2_present,
       COALESCE(SUM(weight * weight * value), 0) AS sum_w2y,
       COALESCE(SUM(weight * weight * value * value), 0) AS sum_w2y2
FROM response_values
WHERE round_id = ? AND indicator IN ({{indicators}})
GROUP BY indicator, psu{{cellgroup}}
ORDER BY indicator, psu{{cellgroup}}

-- name: round-indicators
SELECT DISTINCT indicator FROM response_values WHERE round_id = ? ORDER BY indicator

-- name: round-psu-probabilities
-- Per PSU of a round's sample, how it was drawn: the first-stage
-- inclusion probability (the community's, or the household's in SRS) and
-- the conditional probability of its households, the smallest and largest
-- over the PSU's main-sample households (equal in every design minyi
-- draws), and the households drawn.
SELECT u.psu AS psu,
       MIN(u.prob1) AS prob1_min, MAX(u.prob1) AS prob1_max,
       MIN(u.prob2) AS prob2_min, MAX(u.prob2) AS prob2_max,
       COUNT(*) AS drawn
FROM sample_units u
JOIN rounds r ON r.sample_id = u.sample_id
WHERE r.id = ? AND u.reserve_rank IS NULL
GROUP BY u.psu
ORDER BY u.psu
