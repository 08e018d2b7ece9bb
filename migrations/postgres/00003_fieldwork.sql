-- Fieldwork (PostgreSQL dialect; keep in step with ../sqlite/00003_fieldwork.sql):
-- what assignments, visits and responses need beyond the core schema, and
-- where an audit entry came from.

-- +goose Up
-- Who made a change through which door (api, cli, system) and from which
-- address; the log is filtered by user and date.
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN ip TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_user ON audit_log (user_id, at);

-- When a round went into the field and when it was closed. Its field rules
-- (replacement and quality checks) are the JSON in replacement_rule.
ALTER TABLE rounds ADD COLUMN started_at TIMESTAMPTZ;
ALTER TABLE rounds ADD COLUMN closed_at TIMESTAMPTZ;

-- An assignment copies its unit's street and community (immutable) so that a
-- supervisor's scope is a plain WHERE on an indexed column; base_weight is
-- the weight its responses carry (a replacement inherits the replaced
-- unit's). category is the AAPOR disposition class (I, P, R, NC, O, UH, NE)
-- once final; replacement is '' or due (awaiting a supervisor), released or
-- declined.
ALTER TABLE assignments ADD COLUMN street_id BIGINT REFERENCES streets (id);
ALTER TABLE assignments ADD COLUMN community_id BIGINT REFERENCES communities (id);
ALTER TABLE assignments ADD COLUMN base_weight DOUBLE PRECISION CHECK (base_weight IS NULL OR base_weight > 0);
ALTER TABLE assignments ADD COLUMN category TEXT CHECK (category IS NULL OR category IN ('I', 'P', 'R', 'NC', 'O', 'UH', 'NE'));
ALTER TABLE assignments ADD COLUMN contacted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE assignments ADD COLUMN last_outcome TEXT;
ALTER TABLE assignments ADD COLUMN last_visit_at TIMESTAMPTZ;
ALTER TABLE assignments ADD COLUMN appointment_at TIMESTAMPTZ;
ALTER TABLE assignments ADD COLUMN replacement TEXT NOT NULL DEFAULT '' CHECK (replacement IN ('', 'due', 'released', 'declined'));
ALTER TABLE assignments ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN replaces_id BIGINT REFERENCES assignments (id);
-- The interviewer who held the household before the last reassignment:
-- an interview they recorded before it is still accepted (and flagged).
ALTER TABLE assignments ADD COLUMN previous_interviewer_id BIGINT REFERENCES users (id);
ALTER TABLE assignments ADD COLUMN assigned_at TIMESTAMPTZ;
CREATE INDEX assignments_round_street ON assignments (round_id, street_id, community_id);
CREATE INDEX assignments_round_interviewer ON assignments (round_id, interviewer_id);

-- A visit's content hash tells a resend (same content) from a conflict
-- (same client id, other content).
ALTER TABLE visits ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN appointment_at TIMESTAMPTZ;

-- A response keeps what the tablet sent with it, its end disposition, the
-- quality flags computed at submission and the supervisor's review.
ALTER TABLE responses ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE responses ADD COLUMN longitude DOUBLE PRECISION;
ALTER TABLE responses ADD COLUMN accuracy_m DOUBLE PRECISION;
ALTER TABLE responses ADD COLUMN supersedes_id BIGINT REFERENCES responses (id);
ALTER TABLE responses ADD COLUMN disposition TEXT NOT NULL DEFAULT 'complete';
ALTER TABLE responses ADD COLUMN pattern TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE responses ADD COLUMN review TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'accepted', 'flagged', 'returned'));
ALTER TABLE responses ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE responses ADD COLUMN reviewed_by BIGINT REFERENCES users (id);
ALTER TABLE responses ADD COLUMN reviewed_at TIMESTAMPTZ;
CREATE INDEX responses_interviewer ON responses (round_id, interviewer_id, started_at);
CREATE INDEX responses_assignment ON responses (assignment_id);

-- +goose Down
DROP INDEX responses_assignment;
DROP INDEX responses_interviewer;
ALTER TABLE responses DROP COLUMN reviewed_at;
ALTER TABLE responses DROP COLUMN reviewed_by;
ALTER TABLE responses DROP COLUMN review_note;
ALTER TABLE responses DROP COLUMN review;
ALTER TABLE responses DROP COLUMN flags;
ALTER TABLE responses DROP COLUMN pattern;
ALTER TABLE responses DROP COLUMN disposition;
ALTER TABLE responses DROP COLUMN supersedes_id;
ALTER TABLE responses DROP COLUMN accuracy_m;
ALTER TABLE responses DROP COLUMN longitude;
ALTER TABLE responses DROP COLUMN latitude;
ALTER TABLE responses DROP COLUMN app_version;
ALTER TABLE responses DROP COLUMN device_id;
ALTER TABLE responses DROP COLUMN content_hash;
ALTER TABLE visits DROP COLUMN appointment_at;
ALTER TABLE visits DROP COLUMN content_hash;
DROP INDEX assignments_round_interviewer;
DROP INDEX assignments_round_street;
ALTER TABLE assignments DROP COLUMN assigned_at;
ALTER TABLE assignments DROP COLUMN previous_interviewer_id;
ALTER TABLE assignments DROP COLUMN replaces_id;
ALTER TABLE assignments DROP COLUMN reason;
ALTER TABLE assignments DROP COLUMN replacement;
ALTER TABLE assignments DROP COLUMN appointment_at;
ALTER TABLE assignments DROP COLUMN last_visit_at;
ALTER TABLE assignments DROP COLUMN last_outcome;
ALTER TABLE assignments DROP COLUMN contacted;
ALTER TABLE assignments DROP COLUMN category;
ALTER TABLE assignments DROP COLUMN base_weight;
ALTER TABLE assignments DROP COLUMN community_id;
ALTER TABLE assignments DROP COLUMN street_id;
ALTER TABLE rounds DROP COLUMN closed_at;
ALTER TABLE rounds DROP COLUMN started_at;
DROP INDEX audit_log_user;
ALTER TABLE audit_log DROP COLUMN ip;
ALTER TABLE audit_log DROP COLUMN via;
