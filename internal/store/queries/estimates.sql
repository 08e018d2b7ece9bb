-- Per-(stratum, PSU, domain, indicator) sums for design-based estimates.
-- {{domain}} and {{group}} are replaced by a column chosen from a whitelist
-- in estimates.go (never by input); {{indicators}} by a list of placeholders.

-- name: round-aggregates
SELECT street_id AS stratum,
       psu,
       {{domain}} AS domain,
       indicator,
       COUNT(*) AS rows_n,
       SUM(weight) AS sum_w,
       COUNT(value) AS n,
       COALESCE(SUM(CASE WHEN value IS NOT NULL THEN weight END), 0) AS sum_w_present,
       COALESCE(SUM(weight * value), 0) AS sum_wy,
       COALESCE(SUM(weight * value * value), 0) AS sum_wy2,
       COALESCE(SUM(value), 0) AS sum_y
FROM response_values
WHERE round_id = ? AND indicator IN ({{indicators}})
GROUP BY street_id, psu{{group}}, indicator

-- name: round-indicators
SELECT DISTINCT indicator FROM response_values WHERE round_id = ? ORDER BY indicator
