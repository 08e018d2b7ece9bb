-- Population counts for calibration, and the weighting of rounds.

-- name: insert-population
INSERT INTO populations (frame_id, questionnaire_id, unit, variables, source_name, source_sha256, cells, total, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: insert-population-count
INSERT INTO population_counts (population_id, street_id, cell, count, line) VALUES (?, ?, ?, ?, ?)

-- name: list-populations
SELECT p.id, f.version AS frame_version, p.frame_id, q.slug AS questionnaire, p.unit, p.variables, p.source_name, p.source_sha256,
       p.cells, p.total, COALESCE(u.username, '') AS created_by, p.created_at
FROM populations p
JOIN frames f ON f.id = p.frame_id
JOIN questionnaires q ON q.id = p.questionnaire_id
LEFT JOIN users u ON u.id = p.created_by
ORDER BY p.id DESC

-- name: get-population
SELECT p.id, f.version AS frame_version, p.frame_id, q.slug AS questionnaire, p.unit, p.variables, p.source_name, p.source_sha256,
       p.cells, p.total, COALESCE(u.username, '') AS created_by, p.created_at
FROM populations p
JOIN frames f ON f.id = p.frame_id
JOIN questionnaires q ON q.id = p.questionnaire_id
LEFT JOIN users u ON u.id = p.created_by
WHERE p.id = ?

-- name: latest-population-of-frame
SELECT COALESCE(MAX(id), 0) FROM populations WHERE frame_id = ?

-- name: population-counts
SELECT c.street_id, s.name AS street, c.cell, c.count, c.line
FROM population_counts c JOIN streets s ON s.id = c.street_id
WHERE c.population_id = ?
ORDER BY c.line

-- name: newest-round-questionnaire-of-frame
SELECT q.slug
FROM rounds r
JOIN samples s ON s.id = r.sample_id
JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
JOIN questionnaires q ON q.id = v.questionnaire_id
WHERE s.frame_id = ?
ORDER BY r.id DESC
LIMIT 1

-- name: questionnaire-id-by-slug
SELECT id FROM questionnaires WHERE slug = ?

-- name: weighting-units
-- Every assignment of a round with what the non-response adjustment and
-- calibration need: its class (street, community), base weight, AAPOR
-- category, whether it was replaced, and its accepted response's answers.
SELECT a.id AS assignment_id, COALESCE(a.street_id, su.street_id) AS street_id,
       COALESCE(a.community_id, su.community_id) AS community_id, su.psu,
       COALESCE(a.base_weight, su.base_weight) AS base_weight, COALESCE(a.category, '') AS category,
       COALESCE(a.disposition, '') AS disposition, a.status,
       a.replacement, COALESCE(a.replaces_id, 0) AS replaces_id, COALESCE(r.id, 0) AS response_id, COALESCE(r.answers, '') AS answers
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
LEFT JOIN responses r ON r.assignment_id = a.id AND r.status = 'accepted'
WHERE a.round_id = ?
ORDER BY a.id

-- name: insert-round-weighting
INSERT INTO round_weightings (round_id, population_id, config, report, calibration, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING id

-- name: set-round-weighting-report
UPDATE round_weightings SET report = ? WHERE id = ?

-- name: count-accepted-responses
-- The responses a weighting must cover: accepted, and not screened out (an
-- interview that ended at a screening question is a household found not
-- eligible; it has no values and takes no weight).
SELECT COUNT(*) FROM responses WHERE round_id = ? AND status = 'accepted' AND disposition <> 'not_eligible'

-- name: update-response-weight
UPDATE responses SET weight = ?, input_weight = ?, cal_cell = ?, sample_factor = ?, nr_class = ?, nr_factor = ?, hh_factor = ?,
    cal_factor = ?, imputed = ?
WHERE id = ? AND round_id = ? AND status = 'accepted'

-- name: copy-weights-to-values
-- After the responses: their values take the response's weight and cell,
-- in one statement over the round's values.
UPDATE response_values
SET weight = (SELECT r.weight FROM responses r WHERE r.id = response_values.response_id),
    cal_cell = (SELECT r.cal_cell FROM responses r WHERE r.id = response_values.response_id)
WHERE round_id = ?

-- name: latest-round-weighting
SELECT w.id, w.round_id, w.population_id, w.config, w.report, w.calibration, COALESCE(u.username, '') AS created_by, w.created_at
FROM round_weightings w LEFT JOIN users u ON u.id = w.created_by
WHERE w.round_id = ?
ORDER BY w.id DESC
LIMIT 1

-- name: round-respondents
-- The accepted responses of a round with their design variables, final
-- weight, calibration cell (-1: none) and answers: the rows of estimates
-- by respondent group and of regressions. Screened-out interviews are not
-- respondents: they are households found not eligible.
SELECT r.id, COALESCE(a.street_id, su.street_id) AS street_id, su.psu, r.weight AS weight,
       COALESCE(r.input_weight, r.weight) AS input_weight, COALESCE(r.cal_cell, -1) AS cal_cell, r.imputed, r.answers
FROM responses r
JOIN assignments a ON a.id = r.assignment_id
JOIN sample_units su ON su.id = a.sample_unit_id
WHERE r.round_id = ? AND r.status = 'accepted' AND r.disposition <> 'not_eligible'
ORDER BY r.id

-- name: round-values
SELECT response_id, indicator, value FROM response_values WHERE round_id = ?
