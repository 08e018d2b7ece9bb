-- Core schema of minyi (SQLite dialect). Keep in step with ../postgres/00001_core.sql:
-- the same tables, keys and constraints; only types and trigger syntax differ.

-- +goose Up
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Geography: streets (街道, the strata) and communities (社区, the PSUs) are
-- stable administrative units shared by every frame version.
CREATE TABLE streets (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE communities (
    id         INTEGER PRIMARY KEY,
    street_id  INTEGER NOT NULL REFERENCES streets (id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (street_id, code)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'interviewer', 'analyst')),
    street_id     INTEGER REFERENCES streets (id),
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    -- a supervisor runs one street office's fieldwork
    CHECK (role <> 'supervisor' OR street_id IS NOT NULL)
);

-- Sessions are stored by the SHA-256 of their token, so a leaked database
-- does not leak live cookies.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The sampling frame (抽样框): every import makes a new version; samples
-- reference the version they were drawn from.
CREATE TABLE frames (
    id            INTEGER PRIMARY KEY,
    version       INTEGER NOT NULL UNIQUE,
    source_name   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    households    INTEGER NOT NULL DEFAULT 0,
    communities   INTEGER NOT NULL DEFAULT 0,
    streets       INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);

-- Households are written only by the frame import, in bulk (a million rows
-- in one transaction), with street and community ids it has just resolved in
-- the same transaction, and never updated. Per-row foreign-key checks and a
-- unique index would make that load four times slower (measured on
-- PostgreSQL: 36.5 s against 7.5 s for 10⁶ rows), so integrity is kept by
-- the importer: the reader rejects a household listed twice in a community
-- and building, and the ids are the ones it resolved. Tests check both.
CREATE TABLE households (
    id            INTEGER PRIMARY KEY,
    frame_id      INTEGER NOT NULL,
    street_id     INTEGER NOT NULL,
    community_id  INTEGER NOT NULL,
    household_key TEXT NOT NULL,
    building      TEXT NOT NULL DEFAULT '',
    size          INTEGER CHECK (size IS NULL OR size > 0),
    line          INTEGER NOT NULL,
    attrs         TEXT NOT NULL DEFAULT '{}'
);
-- Covers the sampling scan (frame-units): no table lookups, no sort. Its
-- order (frame, then id) is the order an import writes in, so loading a
-- frame appends to it instead of inserting all over it (measured on
-- PostgreSQL for 10⁶ rows: 2.8 s against 4.9 s for (frame, street,
-- community, id)).
CREATE INDEX households_frame ON households (frame_id, id, street_id, community_id);

-- Questionnaires: drafts are editable, published versions are immutable and
-- numbered; rounds and responses always reference a version.
CREATE TABLE questionnaires (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    title      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE questionnaire_versions (
    id               INTEGER PRIMARY KEY,
    questionnaire_id INTEGER NOT NULL REFERENCES questionnaires (id),
    version          INTEGER,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    definition       TEXT NOT NULL,
    source           TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    published_at     TIMESTAMP,
    UNIQUE (questionnaire_id, version),
    CHECK ((status = 'draft' AND version IS NULL) OR (status = 'published' AND version IS NOT NULL))
);
CREATE UNIQUE INDEX questionnaire_versions_one_draft ON questionnaire_versions (questionnaire_id) WHERE status = 'draft';

-- +goose StatementBegin
CREATE TRIGGER questionnaire_versions_immutable
BEFORE UPDATE ON questionnaire_versions
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'published questionnaire versions are immutable');
END;
-- +goose StatementEnd

-- A sample is drawn from one frame version with a recorded design and seed,
-- which together determine it exactly; a round fields one sample.
CREATE TABLE samples (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    frame_id   INTEGER NOT NULL REFERENCES frames (id),
    kind       TEXT NOT NULL CHECK (kind IN ('stratified-srs', 'two-stage')),
    design     TEXT NOT NULL,
    seed       TEXT NOT NULL,
    households INTEGER NOT NULL DEFAULT 0,
    reserves   INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- A round is one survey wave with its questionnaire version and sample.
CREATE TABLE rounds (
    id                       INTEGER PRIMARY KEY,
    name                     TEXT NOT NULL UNIQUE,
    kind                     TEXT NOT NULL DEFAULT 'mock' CHECK (kind IN ('mock', 'satisfaction', 'rehearsal', 'official')),
    questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    sample_id                INTEGER UNIQUE REFERENCES samples (id),
    status                   TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'fieldwork', 'closed')),
    starts_on                TEXT,
    ends_on                  TEXT,
    replacement_rule         TEXT NOT NULL DEFAULT '{}',
    simulated                BOOLEAN NOT NULL DEFAULT 0,
    created_by               INTEGER REFERENCES users (id),
    created_at               TIMESTAMP NOT NULL
);

-- One row per drawn household, main sample (reserve_rank NULL) or reserve.
-- stratum = street, psu = community (two-stage) or household (SRS).
CREATE TABLE sample_units (
    id               INTEGER PRIMARY KEY,
    sample_id        INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    household_id     INTEGER NOT NULL REFERENCES households (id),
    street_id        INTEGER NOT NULL REFERENCES streets (id),
    community_id     INTEGER NOT NULL REFERENCES communities (id),
    psu              INTEGER NOT NULL,
    prob1            REAL NOT NULL CHECK (prob1 > 0 AND prob1 <= 1),
    prob2            REAL NOT NULL CHECK (prob2 > 0 AND prob2 <= 1),
    prob             REAL NOT NULL CHECK (prob > 0 AND prob <= 1),
    base_weight      REAL NOT NULL CHECK (base_weight >= 1),
    reserve_rank     INTEGER CHECK (reserve_rank IS NULL OR reserve_rank > 0),
    released_at      TIMESTAMP,
    replaces_unit_id INTEGER REFERENCES sample_units (id),
    UNIQUE (sample_id, household_id)
);
CREATE INDEX sample_units_design ON sample_units (sample_id, street_id, psu);

CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES rounds (id),
    sample_unit_id INTEGER NOT NULL REFERENCES sample_units (id),
    interviewer_id INTEGER REFERENCES users (id),
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'final')),
    disposition    TEXT CHECK (disposition IS NULL OR disposition IN ('complete', 'partial', 'refusal', 'non_contact', 'not_eligible', 'other')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (round_id, sample_unit_id)
);
CREATE INDEX assignments_interviewer ON assignments (interviewer_id, status);

-- Visits and responses carry the client id the tablet made when it recorded
-- them: a resend after a lost reply is recognised, never counted twice.
CREATE TABLE visits (
    id             INTEGER PRIMARY KEY,
    assignment_id  INTEGER NOT NULL REFERENCES assignments (id),
    client_id      TEXT NOT NULL UNIQUE,
    interviewer_id INTEGER NOT NULL REFERENCES users (id),
    attempted_at   TIMESTAMP NOT NULL,
    outcome        TEXT NOT NULL,
    latitude       REAL,
    longitude      REAL,
    accuracy_m     REAL,
    note           TEXT NOT NULL DEFAULT '',
    received_at    TIMESTAMP NOT NULL
);
CREATE INDEX visits_assignment ON visits (assignment_id, attempted_at);

CREATE TABLE responses (
    id                       INTEGER PRIMARY KEY,
    assignment_id            INTEGER NOT NULL REFERENCES assignments (id),
    round_id                 INTEGER NOT NULL REFERENCES rounds (id),
    questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions (id),
    client_id                TEXT NOT NULL UNIQUE,
    interviewer_id           INTEGER REFERENCES users (id),
    status                   TEXT NOT NULL CHECK (status IN ('accepted', 'superseded', 'rejected')),
    answers                  TEXT NOT NULL,
    started_at               TIMESTAMP,
    completed_at             TIMESTAMP,
    received_at              TIMESTAMP NOT NULL,
    weight                   REAL CHECK (weight IS NULL OR weight > 0)
);
-- at most one accepted response per assignment: nothing is counted twice
CREATE UNIQUE INDEX responses_one_accepted ON responses (assignment_id) WHERE status = 'accepted';
-- the target of response_values' foreign key, which ties a value to its round
CREATE UNIQUE INDEX responses_id_round ON responses (id, round_id);
CREATE INDEX responses_round ON responses (round_id, status);

-- Per-indicator values of accepted responses (1, 0, a score, or NULL for
-- missing: every accepted response has a row for every indicator of its
-- questionnaire version), with the design variables copied in: stratum
-- (street), PSU, community and the response's current weight. Estimates
-- are one GROUP BY over this table, without joins (issue: a round of 10⁶
-- responses in under a second); the copies are written with the response
-- and rewritten when weights are adjusted.
CREATE TABLE response_values (
    response_id  INTEGER NOT NULL,
    indicator    TEXT NOT NULL,
    value        REAL,
    round_id     INTEGER NOT NULL,
    street_id    INTEGER NOT NULL,
    psu          INTEGER NOT NULL,
    community_id INTEGER NOT NULL,
    weight       REAL NOT NULL CHECK (weight > 0),
    -- SQLite aggregates by sorting: clustering the rows in the order of the
    -- estimate's GROUP BY (round, indicator, PSU) lets it stream instead
    -- (PostgreSQL hashes, and keeps the plain key).
    PRIMARY KEY (round_id, indicator, psu, response_id),
    -- a value belongs to its response's round: it cannot be counted in another
    FOREIGN KEY (response_id, round_id) REFERENCES responses (id, round_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX response_values_response ON response_values (response_id, indicator);

-- +goose Down
DROP TABLE response_values;
DROP TABLE responses;
DROP TABLE visits;
DROP TABLE assignments;
DROP TABLE sample_units;
DROP TABLE rounds;
DROP TABLE samples;
DROP TRIGGER questionnaire_versions_immutable;
DROP TABLE questionnaire_versions;
DROP TABLE questionnaires;
DROP TABLE households;
DROP TABLE frames;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE communities;
DROP TABLE streets;
DROP TABLE settings;
