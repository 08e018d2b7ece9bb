-- Rules the estimates rely on, enforced by the database (PostgreSQL
-- dialect; keep in step with ../sqlite/00002_integrity.sql).

-- +goose Up
-- A round fields a published, hence immutable, questionnaire version: a
-- draft is replaced in place and would change the round's indicators.
-- +goose StatementBegin
CREATE FUNCTION rounds_published_version() RETURNS trigger AS $$
BEGIN
    IF (SELECT status FROM questionnaire_versions WHERE id = NEW.questionnaire_version_id) IS DISTINCT FROM 'published' THEN
        RAISE EXCEPTION 'a round needs a published questionnaire version' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER rounds_published_version
BEFORE INSERT OR UPDATE OF questionnaire_version_id ON rounds
FOR EACH ROW EXECUTE FUNCTION rounds_published_version();

-- Published versions are never deleted either.
CREATE TRIGGER questionnaire_versions_keep_published
BEFORE DELETE ON questionnaire_versions
FOR EACH ROW WHEN (OLD.status = 'published')
EXECUTE FUNCTION questionnaire_versions_immutable();

-- Only accepted responses count: when a response stops being accepted
-- (superseded by a corrected one, or rejected in review), its values leave
-- the estimates with it.
-- +goose StatementBegin
CREATE FUNCTION responses_unaccepted() RETURNS trigger AS $$
BEGIN
    DELETE FROM response_values WHERE response_id = NEW.id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER responses_unaccepted
AFTER UPDATE OF status ON responses
FOR EACH ROW WHEN (OLD.status = 'accepted' AND NEW.status <> 'accepted')
EXECUTE FUNCTION responses_unaccepted();

-- +goose Down
DROP TRIGGER responses_unaccepted ON responses;
DROP FUNCTION responses_unaccepted();
DROP TRIGGER questionnaire_versions_keep_published ON questionnaire_versions;
DROP TRIGGER rounds_published_version ON rounds;
DROP FUNCTION rounds_published_version();
