-- The locks that give every writer of PostgreSQL one global order
-- (lockorder.go). SQLite needs none: its writers run one at a time.

-- name: lock-round-exclusive
-- A round's weighting or the rebuild of its sums, which rewrite every sum
-- and weight of the round: the fieldwork transactions of the round (which
-- take this lock shared, in lock-assignment) finish first, and new ones
-- wait until it ends. An advisory lock, not the round's row: a row lock
-- wanted exclusively can wait for ever behind a stream of transactions
-- that each take it shared, while the lock manager queues a shared request
-- behind a waiting exclusive one. Its key is the rounds table (so that
-- schemas in one database have keys of their own) and the round.
SELECT pg_advisory_xact_lock(CAST(CAST(CAST('rounds' AS regclass) AS oid) AS int4), CAST(? AS int4))

-- name: lock-assignment-ids
-- The assignments given to an interviewer by a list of ids, locked in id
-- order before they change (an UPDATE locks its rows in the order it finds
-- them); the ids marker is replaced by a placeholder per id.
SELECT id FROM assignments WHERE round_id = ? AND id IN ({{ids}}) ORDER BY id FOR NO KEY UPDATE

-- name: lock-assignment-selection
-- The assignments of assign-selection, locked in id order before they
-- change; the same arguments.
SELECT id FROM assignments
WHERE round_id = ? AND street_id = ?
  AND (? = 0 OR street_id = ?)
  AND (? = 0 OR community_id = ?)
  AND (? = 0 OR street_id = ?)
  AND (interviewer_id IS NULL OR interviewer_id <> ?)
ORDER BY id
FOR NO KEY UPDATE

-- name: lock-counts
-- The fieldwork counts a transaction is about to change in more than one
-- statement (a released reserve's assignment inserted, the replaced one
-- updated), locked together in key order first; a count not there yet is
-- made with 0, which the changes that follow then raise. The rows marker
-- is replaced by one group of five placeholders per count: round, street,
-- community, interviewer, category.
INSERT INTO fieldwork_counts AS f (round_id, street_id, community_id, interviewer_id, category, n, visits)
SELECT DISTINCT r, s, c, i, cat, 0, 0
FROM (VALUES {{rows}}) AS k (r, s, c, i, cat)
ORDER BY r, s, c, i, cat
ON CONFLICT (round_id, street_id, community_id, interviewer_id, category) DO UPDATE SET n = f.n

-- name: lock-sums
-- A correction's sums: those of the response it supersedes (its values and
-- group answers, the first two placeholders) and those the new response
-- will change (the rows marker: one group of eight placeholders per sum
-- row: round, group question, indicator, PSU, code, calibration cell,
-- street, community), locked together in key order before either changes;
-- a row not there yet is made with nothing in it, which the new response
-- then fills (an empty one left over goes at the end of the transaction).
INSERT INTO psu_sums AS p (round_id, grp, indicator, psu, code, cal_cell, street_id, community_id,
                           rows_n, sum_w, n, sum_w_present, sum_wy, sum_wy2, sum_y,
                           sum_w2, sum_w2_present, sum_w2y, sum_w2y2)
SELECT DISTINCT r, grp, ind, psu, code, cell, st, com, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM (SELECT rv.round_id, g.grp, rv.indicator, rv.psu, g.code, COALESCE(rv.cal_cell, -1), rv.street_id, rv.community_id
      FROM response_values rv
      CROSS JOIN (SELECT '' AS grp, 0 AS code
                  UNION ALL
                  SELECT question AS grp, COALESCE(code, -1) AS code FROM response_groups WHERE response_id = ?) g
      WHERE rv.response_id = ?
      UNION ALL
      SELECT * FROM (VALUES {{rows}}) AS n) AS k (r, grp, ind, psu, code, cell, st, com)
ORDER BY r, grp, ind, psu, code, cell
ON CONFLICT (round_id, grp, indicator, psu, code, cal_cell) DO UPDATE SET rows_n = p.rows_n
