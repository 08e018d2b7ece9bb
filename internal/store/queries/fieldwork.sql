-- Fieldwork: rounds, assignments, visits, responses, review and progress.
-- Every query that lists or touches a street's objects takes the caller's
-- scope as arguments: (street_id = 0 OR a.street_id = street_id) and
-- (interviewer_id = 0 OR a.interviewer_id = interviewer_id). Nothing loads
-- rows the caller may not see.

-- name: insert-round
INSERT INTO rounds (name, kind, questionnaire_version_id, sample_id, status, starts_on, ends_on,
                    replacement_rule, created_by, created_at, simulated)
VALUES (?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: insert-round-assignments
-- One assignment per household of the main sample, not yet given to anyone.
INSERT INTO assignments (round_id, sample_unit_id, street_id, community_id, base_weight, status, created_at, updated_at)
SELECT ?, su.id, su.street_id, su.community_id, su.base_weight, 'open', ?, ?
FROM sample_units su
WHERE su.sample_id = ? AND su.reserve_rank IS NULL
ORDER BY su.id

-- name: list-rounds
-- Rounds, newest first; an interviewer (scope argument > 0) sees only the
-- rounds in which they hold an assignment.
SELECT r.id, r.name, r.kind, r.status, r.simulated, r.questionnaire_version_id, r.sample_id,
       q.slug AS questionnaire, v.version AS questionnaire_version, '' AS definition, r.created_at,
       COALESCE(s.name, '') AS sample, COALESCE(r.starts_on, '') AS starts_on, COALESCE(r.ends_on, '') AS ends_on,
       r.replacement_rule, r.started_at, r.closed_at
FROM rounds r
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN samples s ON s.id = r.sample_id
WHERE (? = 0 OR EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = r.id AND a.interviewer_id = ?))
ORDER BY r.id DESC

-- name: get-round-full
SELECT r.id, r.name, r.kind, r.status, r.simulated, r.questionnaire_version_id, r.sample_id,
       q.slug AS questionnaire, v.version AS questionnaire_version, v.definition, r.created_at,
       COALESCE(s.name, '') AS sample, COALESCE(r.starts_on, '') AS starts_on, COALESCE(r.ends_on, '') AS ends_on,
       r.replacement_rule, r.started_at, r.closed_at
FROM rounds r
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN samples s ON s.id = r.sample_id
WHERE r.id = ?

-- name: get-round-id-by-name
SELECT id FROM rounds WHERE name = ?

-- name: mark-round-simulated
-- Marks a round's data as simulated; a round once marked stays so.
UPDATE rounds SET simulated = ? WHERE id = ? AND simulated <> ?

-- name: set-round-status
UPDATE rounds SET status = ? WHERE id = ? AND status = ?

-- name: set-round-started
UPDATE rounds SET started_at = ? WHERE id = ? AND started_at IS NULL

-- name: set-round-closed
UPDATE rounds SET closed_at = ? WHERE id = ?

-- name: list-assignments
-- A round's assignments in the caller's scope (street, interviewer), with
-- community, status and replacement filters. (get-assignment has the same
-- select list: one query taking either an id or a round, with an OR in its
-- WHERE, scans the whole table on SQLite for one assignment.)
SELECT a.id, a.round_id, a.sample_unit_id, a.interviewer_id, COALESCE(u.username, '') AS interviewer,
       a.street_id, st.name AS street, a.community_id, c.name AS community, h.building, h.household_key,
       su.reserve_rank, a.status, COALESCE(a.disposition, '') AS disposition, COALESCE(a.category, '') AS category,
       a.attempts, a.contacted, COALESCE(a.last_outcome, '') AS last_outcome, a.last_visit_at, a.appointment_at,
       a.replacement, a.reason, a.replaces_id, a.base_weight, a.assigned_at, a.updated_at
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
LEFT JOIN users u ON u.id = a.interviewer_id
WHERE a.round_id = ?
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR a.interviewer_id = ?)
  AND (? = 0 OR a.community_id = ?)
  AND (? = '' OR a.status = ? OR (? = 'due' AND a.replacement = 'due'))
ORDER BY st.position, st.id, c.position, c.id, h.building, h.household_key, a.id

-- name: get-assignment
-- One assignment in the caller's scope, by its primary key.
SELECT a.id, a.round_id, a.sample_unit_id, a.interviewer_id, COALESCE(u.username, '') AS interviewer,
       a.street_id, st.name AS street, a.community_id, c.name AS community, h.building, h.household_key,
       su.reserve_rank, a.status, COALESCE(a.disposition, '') AS disposition, COALESCE(a.category, '') AS category,
       a.attempts, a.contacted, COALESCE(a.last_outcome, '') AS last_outcome, a.last_visit_at, a.appointment_at,
       a.replacement, a.reason, a.replaces_id, a.base_weight, a.assigned_at, a.updated_at
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
LEFT JOIN users u ON u.id = a.interviewer_id
WHERE a.id = ?
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR a.interviewer_id = ?)

-- name: assignment-context
-- What a submission needs about its assignment, in the caller's street
-- (the interviewer check is made by the caller: a response recorded before
-- a reassignment is accepted and flagged).
SELECT a.id, a.round_id, a.interviewer_id, a.previous_interviewer_id, a.street_id, a.community_id, a.sample_unit_id, su.psu,
       COALESCE(a.base_weight, su.base_weight) AS base_weight, a.assigned_at, a.replacement,
       r.status AS round_status, r.questionnaire_version_id, v.version AS questionnaire_version,
       r.replacement_rule, r.sample_id, s.kind AS sample_kind
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN rounds r ON r.id = a.round_id
JOIN samples s ON s.id = r.sample_id
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
WHERE a.id = ? AND (? = 0 OR a.street_id = ?)

-- name: assign-selection
-- Gives the selected assignments of a round to an interviewer, only within
-- the interviewer's own street and the caller's scope.
UPDATE assignments SET previous_interviewer_id = interviewer_id, interviewer_id = ?, assigned_at = ?, updated_at = ?
WHERE round_id = ? AND street_id = ?
  AND (? = 0 OR street_id = ?)
  AND (? = 0 OR community_id = ?)
  AND (? = 0 OR street_id = ?)
  AND (interviewer_id IS NULL OR interviewer_id <> ?)

-- name: assignment-street
SELECT street_id FROM assignments WHERE id = ? AND round_id = ? AND (? = 0 OR street_id = ?)

-- name: assign-ids
-- Gives a list of assignments (the ids marker: a placeholder per id) to an
-- interviewer in one statement, so that their fieldwork counts change in
-- one run of the triggers, in key order; only within the interviewer's
-- own street and the caller's scope.
UPDATE assignments SET previous_interviewer_id = interviewer_id, interviewer_id = ?, assigned_at = ?, updated_at = ?
WHERE round_id = ? AND street_id = ? AND (? = 0 OR street_id = ?) AND id IN ({{ids}})
  AND (interviewer_id IS NULL OR interviewer_id <> ?)

-- name: count-assignable
-- The selected assignments outside the interviewer's street (to refuse a
-- selection that would cross streets), within the caller's scope.
SELECT COUNT(*) FROM assignments
WHERE round_id = ? AND street_id <> ?
  AND (? = 0 OR street_id = ?)
  AND (? = 0 OR community_id = ?)
  AND (? = 0 OR street_id = ?)

-- name: insert-visit
INSERT INTO visits (assignment_id, client_id, interviewer_id, attempted_at, outcome, latitude, longitude, accuracy_m,
                    note, received_at, content_hash, appointment_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (client_id) DO NOTHING
RETURNING id

-- name: get-visit-by-client
SELECT v.id, v.client_id, v.assignment_id, v.interviewer_id, v.attempted_at, v.outcome, v.note,
       v.latitude, v.longitude, v.accuracy_m, v.appointment_at, v.received_at, v.content_hash, a.street_id
FROM visits v JOIN assignments a ON a.id = v.assignment_id
WHERE v.client_id = ?

-- name: lock-assignment
-- The assignment as the fieldwork transaction that settles it finds it
-- when it begins: its replacement state and the fieldwork counts it is in.
-- PostgreSQL also locks it and its round (queries/postgres); SQLite needs
-- no lock, its transactions already run one at a time.
SELECT 0 AS round_locked, a.replacement, a.round_id, su.psu, COALESCE(a.street_id, 0) AS street_id,
       COALESCE(a.community_id, 0) AS community_id, COALESCE(a.interviewer_id, 0) AS interviewer_id, COALESCE(a.category, '') AS category
FROM assignments a JOIN sample_units su ON su.id = a.sample_unit_id
WHERE a.id = ?

-- name: lock-response
-- The status of the response a review or a correction changes (locked on
-- PostgreSQL).
SELECT status FROM responses WHERE id = ?

-- name: assignment-visits
SELECT attempted_at, outcome, appointment_at FROM visits WHERE assignment_id = ? ORDER BY attempted_at, id

-- name: assignment-accepted
SELECT id, disposition FROM responses WHERE assignment_id = ? AND status = 'accepted'

-- name: update-assignment-state
UPDATE assignments SET status = ?, disposition = ?, category = ?, attempts = ?, contacted = ?,
       last_outcome = ?, last_visit_at = ?, appointment_at = ?, reason = ?, replacement = ?, updated_at = ?
WHERE id = ?

-- name: next-reserve
-- The next reserve not yet released in the same community (two-stage) or
-- street (stratified SRS: PSUs are households, so the street).
SELECT su.id, su.community_id FROM sample_units su
WHERE su.sample_id = ? AND su.reserve_rank IS NOT NULL AND su.released_at IS NULL
  AND su.street_id = ? AND (? = 'stratified-srs' OR su.community_id = ?)
ORDER BY su.reserve_rank, su.id
LIMIT 1

-- name: release-reserve
UPDATE sample_units SET released_at = ?, replaces_unit_id = ? WHERE id = ? AND released_at IS NULL

-- name: insert-replacement-assignment
INSERT INTO assignments (round_id, sample_unit_id, interviewer_id, street_id, community_id, base_weight, status,
                         replaces_id, assigned_at, created_at, updated_at)
SELECT a.round_id, su.id, a.interviewer_id, su.street_id, su.community_id, COALESCE(a.base_weight, rsu.base_weight), 'open',
       a.id, ?, ?, ?
FROM assignments a
JOIN sample_units su ON su.id = ?
JOIN sample_units rsu ON rsu.id = a.sample_unit_id
WHERE a.id = ?
RETURNING id

-- name: set-assignment-replacement
UPDATE assignments SET replacement = ?, reason = ?, updated_at = ? WHERE id = ?

-- name: get-response-by-client
SELECT r.id, r.client_id, r.assignment_id, r.status, r.content_hash, a.street_id, r.interviewer_id
FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE r.client_id = ?

-- name: insert-response
INSERT INTO responses (assignment_id, round_id, questionnaire_version_id, client_id, interviewer_id, status, answers,
                       started_at, completed_at, received_at, weight, content_hash, device_id, app_version,
                       latitude, longitude, accuracy_m, supersedes_id, disposition, pattern, flags)
VALUES (?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (client_id) DO NOTHING
RETURNING id

-- name: insert-response-values
-- Every indicator of a response in one statement: InsertValues puts one
-- group of eight placeholders per indicator in place of the rows marker.
INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight)
VALUES {{rows}}

-- name: supersede-response
UPDATE responses SET status = 'superseded' WHERE id = ? AND assignment_id = ? AND status = 'accepted'

-- name: list-responses
-- A round's responses in the caller's scope, without their answers (the
-- first argument is 0). (get-response has the same select list: one query
-- for both, with an OR in its WHERE, scans the whole table.)
SELECT r.id, r.client_id, r.assignment_id, r.round_id, r.interviewer_id, COALESCE(u.username, '') AS interviewer,
       a.street_id, st.name AS street, c.name AS community, r.status, r.disposition,
       CASE WHEN ? = 1 THEN r.answers ELSE '' END AS answers,
       r.started_at, r.completed_at, r.received_at, r.flags, r.review, r.review_note, r.supersedes_id,
       r.device_id, r.app_version, v.version AS questionnaire_version
FROM responses r
JOIN assignments a ON a.id = r.assignment_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
LEFT JOIN users u ON u.id = r.interviewer_id
WHERE r.round_id = ?
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR r.interviewer_id = ?)
  AND (? = '' OR r.status = ?)
  AND (? = '' OR r.review = ?)
  AND (? = 0 OR r.flags <> '[]')
ORDER BY r.id

-- name: get-response
-- One response in the caller's scope, by its primary key, with its answers
-- (the first argument is 1).
SELECT r.id, r.client_id, r.assignment_id, r.round_id, r.interviewer_id, COALESCE(u.username, '') AS interviewer,
       a.street_id, st.name AS street, c.name AS community, r.status, r.disposition,
       CASE WHEN ? = 1 THEN r.answers ELSE '' END AS answers,
       r.started_at, r.completed_at, r.received_at, r.flags, r.review, r.review_note, r.supersedes_id,
       r.device_id, r.app_version, v.version AS questionnaire_version
FROM responses r
JOIN assignments a ON a.id = r.assignment_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
LEFT JOIN users u ON u.id = r.interviewer_id
WHERE r.id = ?
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR r.interviewer_id = ?)

-- name: interviewer-peers
-- The interviewer's other accepted responses in the round that the
-- overlap and repeated-pattern checks can flag: those with the same answer
-- pattern, and those whose interview overlaps (started, completed) (NULL
-- bounds: none). Only these leave the database, so the cost of a
-- submission does not grow with the interviewer's workload.
SELECT id, started_at, completed_at, pattern FROM responses
WHERE round_id = ? AND interviewer_id = ? AND status = 'accepted'
  AND (pattern = ? OR (started_at < ? AND completed_at > ?))
ORDER BY id

-- name: community-points
SELECT r.latitude, r.longitude FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE r.round_id = ? AND a.community_id = ? AND r.status = 'accepted'
  AND r.latitude IS NOT NULL AND r.longitude IS NOT NULL
ORDER BY r.id DESC
LIMIT 200

-- name: review-response
UPDATE responses SET review = ?, review_note = ?, reviewed_by = ?, reviewed_at = ?,
       status = CASE WHEN ? = 'returned' THEN 'rejected' ELSE status END
WHERE id = ? AND status = 'accepted'

-- name: user-street
SELECT id, username, role, street_id, disabled FROM users WHERE username = ?

-- name: round-data
-- Every value of a round's accepted responses with the design variables,
-- by response (the export pivots them into one line per response).
SELECT rv.response_id, st.name AS street, c.name AS community, rv.psu, rv.weight, rv.indicator, rv.value
FROM response_values rv
JOIN streets st ON st.id = rv.street_id
JOIN communities c ON c.id = rv.community_id
WHERE rv.round_id = ? AND (? = 0 OR rv.street_id = ?)
ORDER BY rv.response_id, rv.indicator

-- name: sync-held
-- Which of a tablet's client ids (a JSON array of strings) the server holds,
-- as visits or responses, within the caller's scope: an interviewer sees
-- what they recorded and what was recorded on their households (a paper
-- interview or an exported outbox the office entered for them); another
-- interviewer's or street's object is not reported, as if unknown.
SELECT 'visit' AS type, v.client_id, v.id, '' AS status
FROM visits v JOIN assignments a ON a.id = v.assignment_id
WHERE v.client_id IN (SELECT value FROM json_each(?))
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR v.interviewer_id = ? OR a.interviewer_id = ?)
UNION ALL
SELECT 'response' AS type, r.client_id, r.id, r.status
FROM responses r JOIN assignments a ON a.id = r.assignment_id
WHERE r.client_id IN (SELECT value FROM json_each(?))
  AND (? = 0 OR a.street_id = ?)
  AND (? = 0 OR r.interviewer_id = ? OR a.interviewer_id = ?)
ORDER BY 2
