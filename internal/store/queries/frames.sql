-- Frames (抽样框) and their households.

-- name: next-frame-version
SELECT COALESCE(MAX(version), 0) + 1 FROM frames

-- name: insert-frame
INSERT INTO frames (version, source_name, source_sha256, created_by, created_at)
VALUES (?, ?, '', ?, ?)
RETURNING id

-- name: finish-frame
UPDATE frames SET source_sha256 = ?, households = ?, communities = ?, streets = ? WHERE id = ?

-- name: get-street-id
SELECT id FROM streets WHERE code = ?

-- name: insert-street
-- A new street goes after every stored one: the district's order is the
-- order streets first appear in the registers (migration 00023).
INSERT INTO streets (code, name, position, created_at)
VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM streets), ?) RETURNING id

-- name: get-community-id
SELECT id FROM communities WHERE street_id = ? AND code = ?

-- name: insert-community
-- A new community goes after its street's stored ones.
INSERT INTO communities (street_id, code, name, position, created_at)
VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM communities WHERE street_id = ?), ?) RETURNING id

-- name: list-frames
SELECT f.id, f.version, f.source_name, f.source_sha256, f.households, f.communities, f.streets,
       f.created_at, COALESCE(u.username, '') AS created_by
FROM frames f LEFT JOIN users u ON u.id = f.created_by
ORDER BY f.version DESC

-- name: get-frame-by-version
SELECT f.id, f.version, f.source_name, f.source_sha256, f.households, f.communities, f.streets,
       f.created_at, COALESCE(u.username, '') AS created_by
FROM frames f LEFT JOIN users u ON u.id = f.created_by
WHERE f.version = ?

-- name: list-streets
SELECT id, code, name, position FROM streets ORDER BY position, id


-- name: set-street-position
UPDATE streets SET position = ? WHERE id = ?

-- name: set-community-position
UPDATE communities SET position = ? WHERE id = ? AND street_id = ?

-- name: frame-street-summary
SELECT s.id, s.code, s.name, COUNT(DISTINCT h.community_id) AS communities, COUNT(*) AS households
FROM households h JOIN streets s ON s.id = h.street_id
WHERE h.frame_id = ?
GROUP BY s.id, s.code, s.name, s.position
ORDER BY s.position, s.id
