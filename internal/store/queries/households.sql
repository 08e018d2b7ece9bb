-- name: household-tallies
-- The household counts of every sample (or of one, when its id is not 0) and
-- of the round that fields it, within a street scope (0: every street):
-- main sample units, reserve units, reserves released, and the round's
-- assignments in all and final. fieldwork.HouseholdsOf makes the counts
-- the pages show from these tallies.
SELECT s.id AS sample_id, COALESCE(r.id, 0) AS round_id,
       COALESCE(u.main, 0) AS main, COALESCE(u.reserves, 0) AS reserves, COALESCE(u.released, 0) AS released,
       COALESCE(a.assignments, 0) AS assignments, COALESCE(a.final, 0) AS final
FROM samples s
LEFT JOIN rounds r ON r.sample_id = s.id
LEFT JOIN (SELECT su.sample_id,
                  SUM(CASE WHEN su.reserve_rank IS NULL THEN 1 ELSE 0 END) AS main,
                  SUM(CASE WHEN su.reserve_rank IS NOT NULL THEN 1 ELSE 0 END) AS reserves,
                  SUM(CASE WHEN su.reserve_rank IS NOT NULL AND su.released_at IS NOT NULL THEN 1 ELSE 0 END) AS released
           FROM sample_units su
           WHERE (? = 0 OR su.street_id = ?) AND (? = 0 OR su.sample_id = ?)
           GROUP BY su.sample_id) u ON u.sample_id = s.id
LEFT JOIN (SELECT ar.sample_id, COUNT(*) AS assignments,
                  SUM(CASE WHEN a.status = 'final' THEN 1 ELSE 0 END) AS final
           FROM assignments a JOIN rounds ar ON ar.id = a.round_id
           WHERE (? = 0 OR a.street_id = ?) AND (? = 0 OR ar.sample_id = ?)
           GROUP BY ar.sample_id) a ON a.sample_id = s.id
WHERE (? = 0 OR s.id = ?)
ORDER BY s.id
