-- Maintained per-PSU sums (table psu_sums, migration 00010): the rows
-- round-aggregates computes from response_values, kept up to date by the
-- transactions that accept, supersede, return or weigh responses.
-- {{sign}} is replaced by nothing (add a response) or by '-' (take it
-- away); {{rows}} by groups of placeholders; {{domain}}, {{cell}},
-- {{cellgroup}} and {{indicators}} as in estimates.sql. All from
-- whitelists in sums.go, never from input.

-- name: insert-response-groups
INSERT INTO response_groups (response_id, round_id, question, code) VALUES {{rows}}

-- name: delete-round-groups
DELETE FROM response_groups WHERE round_id = ?

-- name: change-response-sums
-- One response's values, once for all its responses (grp '') and once per
-- group question with its answer code, added to (or taken from) its PSU's
-- rows. Taking away the last response of a row leaves it with rows_n 0
-- (deleted next); a variable's sums return to exactly 0 with its last
-- value, so no rounding residue outlives it. The rows are written in key
-- order (ORDER BY: an INSERT takes the rows of its SELECT in that order,
-- and locks each as it writes it), so that two submissions of one PSU lock
-- its shared rows in the same order and cannot deadlock; without it they
-- come in the order the scan of response_values finds them, which follows
-- the pages the values happen to lie on (TestLockOrder,
-- TestConcurrentReturnsDoNotDeadlock).
INSERT INTO psu_sums (round_id, grp, indicator, psu, code, cal_cell, street_id, community_id,
                      rows_n, sum_w, n, sum_w_present, sum_wy, sum_wy2, sum_y,
                      sum_w2, sum_w2_present, sum_w2y, sum_w2y2)
SELECT rv.round_id, g.grp, rv.indicator, rv.psu, g.code, COALESCE(rv.cal_cell, -1), rv.street_id, rv.community_id,
       {{sign}}1, {{sign}}rv.weight,
       {{sign}}(CASE WHEN rv.value IS NULL THEN 0 ELSE 1 END),
       {{sign}}(CASE WHEN rv.value IS NULL THEN 0 ELSE rv.weight END),
       {{sign}}COALESCE(rv.weight * rv.value, 0),
       {{sign}}COALESCE(rv.weight * rv.value * rv.value, 0),
       {{sign}}COALESCE(rv.value, 0),
       {{sign}}rv.weight * rv.weight,
       {{sign}}(CASE WHEN rv.value IS NULL THEN 0 ELSE rv.weight * rv.weight END),
       {{sign}}COALESCE(rv.weight * rv.weight * rv.value, 0),
       {{sign}}COALESCE(rv.weight * rv.weight * rv.value * rv.value, 0)
FROM response_values rv
CROSS JOIN (SELECT '' AS grp, 0 AS code
            UNION ALL
            SELECT question AS grp, COALESCE(code, -1) AS code FROM response_groups WHERE response_id = ?) g
WHERE rv.response_id = ?
ORDER BY g.grp, rv.indicator, rv.psu, g.code, COALESCE(rv.cal_cell, -1)
ON CONFLICT (round_id, grp, indicator, psu, code, cal_cell) DO UPDATE SET
    rows_n = psu_sums.rows_n + excluded.rows_n,
    sum_w = CASE WHEN psu_sums.rows_n + excluded.rows_n = 0 THEN 0 ELSE psu_sums.sum_w + excluded.sum_w END,
    n = psu_sums.n + excluded.n,
    sum_w_present = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_w_present + excluded.sum_w_present END,
    sum_wy = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_wy + excluded.sum_wy END,
    sum_wy2 = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_wy2 + excluded.sum_wy2 END,
    sum_y = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_y + excluded.sum_y END,
    sum_w2 = CASE WHEN psu_sums.rows_n + excluded.rows_n = 0 THEN 0 ELSE psu_sums.sum_w2 + excluded.sum_w2 END,
    sum_w2_present = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_w2_present + excluded.sum_w2_present END,
    sum_w2y = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_w2y + excluded.sum_w2y END,
    sum_w2y2 = CASE WHEN psu_sums.n + excluded.n = 0 THEN 0 ELSE psu_sums.sum_w2y2 + excluded.sum_w2y2 END

-- name: delete-empty-psu-sums
-- At the end of a transaction that took a response away: the rows of its
-- PSU left with no response (all of them locked by the transaction, which
-- changed them).
DELETE FROM psu_sums WHERE round_id = ? AND psu = ? AND rows_n = 0

-- name: delete-round-sums
DELETE FROM psu_sums WHERE round_id = ?

-- name: rebuild-round-sums
-- A round's sums from its rows: the oracle of the maintained ones.
INSERT INTO psu_sums (round_id, grp, indicator, psu, code, cal_cell, street_id, community_id,
                      rows_n, sum_w, n, sum_w_present, sum_wy, sum_wy2, sum_y,
                      sum_w2, sum_w2_present, sum_w2y, sum_w2y2)
SELECT round_id, '', indicator, psu, 0, COALESCE(cal_cell, -1), MIN(street_id), MIN(community_id),
       COUNT(*), SUM(weight), COUNT(value),
       COALESCE(SUM(CASE WHEN value IS NOT NULL THEN weight END), 0),
       COALESCE(SUM(weight * value), 0), COALESCE(SUM(weight * value * value), 0), COALESCE(SUM(value), 0),
       SUM(weight * weight), COALESCE(SUM(CASE WHEN value IS NOT NULL THEN weight * weight END), 0),
       COALESCE(SUM(weight * weight * value), 0), COALESCE(SUM(weight * weight * value * value), 0)
FROM response_values
WHERE round_id = ?
GROUP BY round_id, indicator, psu, COALESCE(cal_cell, -1)

-- name: rebuild-round-group-sums
INSERT INTO psu_sums (round_id, grp, indicator, psu, code, cal_cell, street_id, community_id,
                      rows_n, sum_w, n, sum_w_present, sum_wy, sum_wy2, sum_y,
                      sum_w2, sum_w2_present, sum_w2y, sum_w2y2)
SELECT rv.round_id, g.question, rv.indicator, rv.psu, COALESCE(g.code, -1), COALESCE(rv.cal_cell, -1),
       MIN(rv.street_id), MIN(rv.community_id),
       COUNT(*), SUM(rv.weight), COUNT(rv.value),
       COALESCE(SUM(CASE WHEN rv.value IS NOT NULL THEN rv.weight END), 0),
       COALESCE(SUM(rv.weight * rv.value), 0), COALESCE(SUM(rv.weight * rv.value * rv.value), 0), COALESCE(SUM(rv.value), 0),
       SUM(rv.weight * rv.weight), COALESCE(SUM(CASE WHEN rv.value IS NOT NULL THEN rv.weight * rv.weight END), 0),
       COALESCE(SUM(rv.weight * rv.weight * rv.value), 0), COALESCE(SUM(rv.weight * rv.weight * rv.value * rv.value), 0)
FROM response_values rv
JOIN response_groups g ON g.response_id = rv.response_id
WHERE rv.round_id = ?
GROUP BY rv.round_id, g.question, rv.indicator, rv.psu, COALESCE(g.code, -1), COALESCE(rv.cal_cell, -1)

-- name: round-sums-stale
SELECT COUNT(*) FROM psu_sums_stale WHERE round_id = ?

-- name: clear-round-sums-stale
DELETE FROM psu_sums_stale WHERE round_id = ?

-- name: round-sums
-- The rows of round-aggregates from the maintained sums (grp '' for all
-- responses, or a group question with the answer code as the domain).
SELECT MIN(street_id) AS stratum,
       psu,
       {{domain}} AS domain,
       indicator,
       {{cell}} AS cell,
       CAST(SUM(rows_n) AS BIGINT) AS rows_n,
       SUM(sum_w) AS sum_w,
       CAST(SUM(n) AS BIGINT) AS n,
       SUM(sum_w_present) AS sum_w_present,
       SUM(sum_wy) AS sum_wy,
       SUM(sum_wy2) AS sum_wy2,
       SUM(sum_y) AS sum_y,
       SUM(sum_w2) AS sum_w2,
       SUM(sum_w2_present) AS sum_w2_present,
       SUM(sum_w2y) AS sum_w2y,
       SUM(sum_w2y2) AS sum_w2y2
FROM psu_sums
WHERE round_id = ? AND grp = ? AND indicator IN ({{indicators}})
GROUP BY indicator, psu{{codegroup}}{{cellgroup}}
ORDER BY indicator, psu{{codegroup}}{{cellgroup}}
