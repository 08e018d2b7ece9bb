-- Rules the estimates rely on, enforced by the database (SQLite dialect;
-- keep in step with ../postgres/00002_integrity.sql).

-- +goose Up
-- A round fields a published, hence immutable, questionnaire version: a
-- draft is replaced in place and would change the round's indicators.
-- +goose StatementBegin
CREATE TRIGGER rounds_published_version_insert
BEFORE INSERT ON rounds
WHEN (SELECT status FROM questionnaire_versions WHERE id = NEW.questionnaire_version_id) IS NOT 'published'
BEGIN
    SELECT RAISE(ABORT, 'a round needs a published questionnaire version');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER rounds_published_version_update
BEFORE UPDATE OF questionnaire_version_id ON rounds
WHEN (SELECT status FROM questionnaire_versions WHERE id = NEW.questionnaire_version_id) IS NOT 'published'
BEGIN
    SELECT RAISE(ABORT, 'a round needs a published questionnaire version');
END;
-- +goose StatementEnd

-- Published versions are never deleted either.
-- +goose StatementBegin
CREATE TRIGGER questionnaire_versions_keep_published
BEFORE DELETE ON questionnaire_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'published questionnaire versions are immutable');
END;
-- +goose StatementEnd

-- Only accepted responses count: when a response stops being accepted
-- (superseded by a corrected one, or rejected in review), its values leave
-- the estimates with it.
-- +goose StatementBegin
CREATE TRIGGER responses_unaccepted
AFTER UPDATE OF status ON responses
WHEN OLD.status = 'accepted' AND NEW.status <> 'accepted'
BEGIN
    DELETE FROM response_values WHERE response_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER responses_unaccepted;
DROP TRIGGER questionnaire_versions_keep_published;
DROP TRIGGER rounds_published_version_update;
DROP TRIGGER rounds_published_version_insert;
