-- The analysts' dashboard: fieldwork by day, quality flags waiting for
-- review, and the streets and communities a caller may drill down to.
-- Every query takes the caller's street scope (0 = every street).

-- name: dashboard-progress-by-day
-- Final assignments by street, local day of their last visit and AAPOR
-- category, from the hours the assignments' triggers keep
-- (fieldwork_hours). The first argument is the district's offset from UTC
-- in seconds (stored hours are UTC).
SELECT h.street_id AS street_id, date(h.hour * 3600 + CAST(? AS INTEGER), 'unixepoch') AS day,
       h.category AS category, SUM(h.n) AS n
FROM fieldwork_hours h
WHERE h.round_id = ? AND (? = 0 OR h.street_id = ?)
GROUP BY 1, 2, 3
ORDER BY day, h.street_id

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
