-- The analysts' dashboard: fieldwork by day, quality flags waiting for
-- review, and the streets and communities a caller may drill down to.
-- Every query takes the caller's street scope (0 = every street).

-- name: dashboard-progress-by-day
-- Final assignments by street, local day of their last visit and AAPOR
-- category. The district's offset from UTC in seconds is the argument
-- marked off (given each time it is used); stored hours are UTC. Most come
-- from the hours the assignments' triggers keep (fieldwork_hours): an hour
-- that lies within one local day counts on that day. In a zone whose
-- offset is not whole hours (Asia/Kolkata, +05:30) one UTC hour a day
-- straddles local midnight (18:00-19:00 UTC is 23:30-00:30): its
-- assignments are read one by one instead, by the second of their last
-- visit (and that part is not run at all in a whole-hour zone).
SELECT street_id, day, category, SUM(n) AS n FROM (
    SELECT h.street_id AS street_id, date(h.hour * 3600 + CAST(? AS INTEGER), 'unixepoch') AS day, -- off
           h.category AS category, h.n AS n
    FROM fieldwork_hours h
    WHERE h.round_id = ? AND (? = 0 OR h.street_id = ?)
      AND (h.hour * 3600 + CAST(? AS INTEGER)) % 86400 <= 82800 -- off
    UNION ALL
    SELECT COALESCE(a.street_id, 0) AS street_id,
           date(CAST(strftime('%s', a.last_visit_at) AS INTEGER) + CAST(? AS INTEGER), 'unixepoch') AS day, -- off
           a.category AS category, 1 AS n
    FROM assignments a
    WHERE CAST(? AS INTEGER) % 3600 <> 0 -- off
      AND a.round_id = ? AND (? = 0 OR a.street_id = ?)
      AND a.category IS NOT NULL AND a.last_visit_at IS NOT NULL
      AND (CAST(strftime('%s', a.last_visit_at) AS INTEGER) / 3600 * 3600 + CAST(? AS INTEGER)) % 86400 > 82800 -- off
) d
GROUP BY 1, 2, 3
ORDER BY day, street_id

-- name: dashboard-flags-pending
-- Accepted interviews with quality flags that no supervisor has reviewed
-- yet, by street: the partial index responses_round_pending_flags holds
-- exactly them.
SELECT a.street_id AS street_id, COUNT(*) AS n
FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE r.round_id = ? AND r.status = 'accepted' AND r.review = 'pending' AND r.flags <> '[]'
  AND (? = 0 OR a.street_id = ?)
GROUP BY a.street_id

-- name: dashboard-round-street
-- A street with households in a round, if the caller's scope holds it.
SELECT st.id, st.code, st.name FROM streets st
WHERE st.id = ? AND (? = 0 OR st.id = ?)
  AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.street_id = st.id)

-- name: dashboard-round-community
-- A community with households in a round, if the caller's scope holds its
-- street.
SELECT c.id, c.street_id, c.code, c.name FROM communities c
WHERE c.id = ? AND (? = 0 OR c.street_id = ?)
  AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.community_id = c.id)

-- name: dashboard-round-communities
-- The communities with households in a round within the caller's scope.
SELECT c.id, c.street_id, c.code, c.name, c.position FROM communities c JOIN streets st ON st.id = c.street_id
WHERE (? = 0 OR c.street_id = ?)
  AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.community_id = c.id)
ORDER BY st.position, st.id, c.position, c.id
