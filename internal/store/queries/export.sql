-- Streams for 'minyi export' and /api/v1/rounds/:id/export: ordered by
-- response so that the values merge into their response's line, and
-- scoped to a street in the WHERE (the second and third arguments; 0 for
-- every street).

-- name: export-responses
SELECT r.id, r.assignment_id, r.client_id,
       COALESCE(a.street_id, su.street_id) AS street_id, st.name AS street, c.name AS community,
       h.building, h.household_key, COALESCE(u.username, '') AS interviewer,
       r.started_at, r.completed_at, r.received_at, r.disposition, COALESCE(a.disposition, '') AS final_disposition,
       r.review, su.psu, COALESCE(a.base_weight, su.base_weight) AS base_weight,
       CASE WHEN r.disposition = 'not_eligible' THEN NULL ELSE COALESCE(r.weight, a.base_weight, su.base_weight) END AS weight,
       r.sample_factor, r.nr_class, r.nr_factor, r.hh_factor, r.input_weight, r.cal_cell, r.cal_factor, r.imputed,
       r.answers,
       su.prob1, su.prob2, COALESCE(cm.households, 0) AS community_households, COALESCE(sm.households, 0) AS street_households
FROM responses r
JOIN assignments a ON a.id = r.assignment_id
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = COALESCE(a.street_id, su.street_id)
JOIN communities c ON c.id = COALESCE(a.community_id, su.community_id)
LEFT JOIN users u ON u.id = r.interviewer_id
-- The frame's households per community and per street: the sizes the
-- sample's probabilities were drawn from (p1 by PPS on them, p2 = drawn /
-- households of the community).
LEFT JOIN (SELECT frame_id, community_id, COUNT(*) AS households FROM households GROUP BY frame_id, community_id) cm
       ON cm.frame_id = h.frame_id AND cm.community_id = su.community_id
LEFT JOIN (SELECT frame_id, street_id, COUNT(*) AS households FROM households GROUP BY frame_id, street_id) sm
       ON sm.frame_id = h.frame_id AND sm.street_id = su.street_id
WHERE r.round_id = ? AND r.status = 'accepted'
  AND (? = 0 OR COALESCE(a.street_id, su.street_id) = ?)
ORDER BY r.id

-- name: export-values
SELECT response_id, indicator, value
FROM response_values
WHERE round_id = ? AND (? = 0 OR street_id = ?)
ORDER BY response_id

-- name: export-dispositions
-- Every assignment of a round within a street scope, with its household,
-- fieldwork outcome and replacement links (replaces_id: the household this
-- reserve replaces; replaced_by_id: the reserve released for this one).
SELECT a.id, COALESCE(a.street_id, su.street_id) AS street_id, st.name AS street, c.name AS community, su.psu,
       h.building, h.household_key, COALESCE(su.reserve_rank, 0) AS reserve_rank,
       COALESCE(a.replaces_id, 0) AS replaces_id, COALESCE(rb.id, 0) AS replaced_by_id,
       COALESCE(u.username, '') AS interviewer, a.status, COALESCE(a.disposition, '') AS disposition,
       COALESCE(a.category, '') AS category, a.replacement, a.attempts,
       COALESCE(r.id, 0) AS response_id, COALESCE(a.base_weight, su.base_weight) AS base_weight
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = COALESCE(a.street_id, su.street_id)
JOIN communities c ON c.id = COALESCE(a.community_id, su.community_id)
LEFT JOIN users u ON u.id = a.interviewer_id
LEFT JOIN assignments rb ON rb.replaces_id = a.id
LEFT JOIN responses r ON r.assignment_id = a.id AND r.status = 'accepted'
WHERE a.round_id = ?
  AND (? = 0 OR COALESCE(a.street_id, su.street_id) = ?)
ORDER BY st.position, st.id, c.position, c.id, a.id
