-- Questionnaires and their versions: one editable draft at most per
-- questionnaire, and numbered published versions that never change (a
-- trigger refuses any UPDATE of a published row).

-- name: upsert-questionnaire
INSERT INTO questionnaires (slug, title, created_at) VALUES (?, ?, ?)
ON CONFLICT (slug) DO UPDATE SET title = excluded.title
RETURNING id

-- name: get-questionnaire-id
SELECT id FROM questionnaires WHERE slug = ?

-- name: newest-published-questionnaire-hash
SELECT version, content_hash FROM questionnaire_versions
WHERE questionnaire_id = ? AND status = 'published'
ORDER BY version DESC
LIMIT 1

-- name: upsert-questionnaire-draft
-- The partial unique index questionnaire_versions_one_draft is the conflict
-- target: a second import replaces the draft in place, keeping its id.
INSERT INTO questionnaire_versions (questionnaire_id, version, status, definition, source, content_hash, created_by, created_at)
VALUES (?, NULL, 'draft', ?, ?, ?, ?, ?)
ON CONFLICT (questionnaire_id) WHERE status = 'draft'
DO UPDATE SET definition = excluded.definition, source = excluded.source, content_hash = excluded.content_hash,
              created_by = excluded.created_by, created_at = excluded.created_at
RETURNING id

-- name: get-questionnaire-draft-id
SELECT id FROM questionnaire_versions WHERE questionnaire_id = ? AND status = 'draft'

-- name: next-questionnaire-version
SELECT COALESCE(MAX(version), 0) + 1 FROM questionnaire_versions WHERE questionnaire_id = ?

-- name: publish-questionnaire-draft
UPDATE questionnaire_versions SET status = 'published', version = ?, published_at = ?
WHERE id = ? AND status = 'draft'

-- name: get-questionnaire-version-by-id
SELECT v.id, v.questionnaire_id, q.slug, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.definition, v.source, COALESCE(u.username, '') AS created_by, v.created_at, v.published_at
FROM questionnaire_versions v
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN users u ON u.id = v.created_by
WHERE v.id = ?

-- name: get-questionnaire-version
SELECT v.id, v.questionnaire_id, q.slug, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.definition, v.source, COALESCE(u.username, '') AS created_by, v.created_at, v.published_at
FROM questionnaire_versions v
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN users u ON u.id = v.created_by
WHERE q.slug = ? AND v.status = 'published' AND v.version = ?

-- name: get-newest-questionnaire-version
SELECT v.id, v.questionnaire_id, q.slug, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.definition, v.source, COALESCE(u.username, '') AS created_by, v.created_at, v.published_at
FROM questionnaire_versions v
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN users u ON u.id = v.created_by
WHERE q.slug = ? AND v.status = 'published'
ORDER BY v.version DESC
LIMIT 1

-- name: get-questionnaire-draft
SELECT v.id, v.questionnaire_id, q.slug, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.definition, v.source, COALESCE(u.username, '') AS created_by, v.created_at, v.published_at
FROM questionnaire_versions v
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN users u ON u.id = v.created_by
WHERE q.slug = ? AND v.status = 'draft'

-- name: list-questionnaire-versions
-- Without definition and source: lists stay small.
SELECT v.id, v.questionnaire_id, q.slug, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       COALESCE(u.username, '') AS created_by, v.created_at, v.published_at
FROM questionnaire_versions v
JOIN questionnaires q ON q.id = v.questionnaire_id
LEFT JOIN users u ON u.id = v.created_by
WHERE q.slug = ?
ORDER BY CASE WHEN v.status = 'draft' THEN 0 ELSE 1 END, v.version DESC

-- name: list-questionnaire-summaries
-- One row per version (a questionnaire always has at least one); the store
-- folds them into one summary per questionnaire.
SELECT q.id, q.slug, q.title, q.created_at, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.created_at AS version_created_at, v.published_at
FROM questionnaires q
JOIN questionnaire_versions v ON v.questionnaire_id = q.id
ORDER BY q.slug, v.id

-- name: get-questionnaire-summary
SELECT q.id, q.slug, q.title, q.created_at, COALESCE(v.version, 0) AS version, v.status, v.content_hash,
       v.created_at AS version_created_at, v.published_at
FROM questionnaires q
JOIN questionnaire_versions v ON v.questionnaire_id = q.id
WHERE q.slug = ?
ORDER BY v.id

-- name: get-questionnaire-version-hash
SELECT content_hash FROM questionnaire_versions WHERE id = ?
