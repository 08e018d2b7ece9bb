-- Samples and their households.

-- name: frame-household-count
SELECT households FROM frames WHERE id = ?

-- name: frame-units
-- In the order of the covering index households_frame.
SELECT id, street_id, community_id
FROM households
WHERE frame_id = ?
ORDER BY id

-- name: insert-sample
INSERT INTO samples (name, frame_id, kind, design, seed, households, reserves, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: list-samples
SELECT s.id, s.name, f.version AS frame_version, s.kind, s.design, s.seed, s.households, s.reserves,
       s.created_at, COALESCE(u.username, '') AS created_by
FROM samples s JOIN frames f ON f.id = s.frame_id LEFT JOIN users u ON u.id = s.created_by
ORDER BY s.id DESC

-- name: get-sample-by-name
SELECT s.id, s.name, f.version AS frame_version, s.kind, s.design, s.seed, s.households, s.reserves,
       s.created_at, COALESCE(u.username, '') AS created_by
FROM samples s JOIN frames f ON f.id = s.frame_id LEFT JOIN users u ON u.id = s.created_by
WHERE s.name = ?

-- name: sample-street-summary
SELECT st.id, st.code, st.name,
       COUNT(DISTINCT CASE WHEN su.reserve_rank IS NULL THEN su.community_id END) AS communities,
       SUM(CASE WHEN su.reserve_rank IS NULL THEN 1 ELSE 0 END) AS households,
       SUM(CASE WHEN su.reserve_rank IS NULL THEN 0 ELSE 1 END) AS reserves,
       SUM(CASE WHEN su.reserve_rank IS NULL THEN su.base_weight ELSE 0 END) AS weight_sum
FROM sample_units su JOIN streets st ON st.id = su.street_id
WHERE su.sample_id = ?
GROUP BY st.id, st.code, st.name, st.position
ORDER BY st.position, st.id

-- name: sample-units-listing
SELECT su.id, su.street_id, st.name AS street, c.name AS community, h.building, h.household_key, h.line,
       su.psu, su.prob1, su.prob2, su.prob, su.base_weight, su.reserve_rank
FROM sample_units su
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = su.street_id
JOIN communities c ON c.id = su.community_id
WHERE su.sample_id = ? AND (? = 0 OR su.street_id = ?)
ORDER BY st.position, st.id, c.position, c.id, su.reserve_rank IS NOT NULL, su.reserve_rank, h.building, h.household_key

-- name: frame-addresses
-- Every household's address in a frame, in frame order (the simulated
-- design evaluation rebuilds the district from it).
SELECT st.name, c.name, h.building, h.household_key
FROM households h
JOIN streets st ON st.id = h.street_id
JOIN communities c ON c.id = h.community_id
WHERE h.frame_id = ?
ORDER BY h.id
