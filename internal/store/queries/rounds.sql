-- Rounds.

-- name: get-round
SELECT r.id, r.name, r.kind, r.status, r.simulated, r.questionnaire_version_id, r.sample_id,
       q.slug AS questionnaire, v.version AS questionnaire_version, v.definition, r.created_at
FROM rounds r
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
JOIN questionnaires q ON q.id = v.questionnaire_id
WHERE r.id = ?

-- name: list-communities
SELECT c.id, c.street_id, c.code, c.name, c.position FROM communities c JOIN streets st ON st.id = c.street_id
ORDER BY st.position, st.id, c.position, c.id
