package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The statuses of a questionnaire version.
const (
	VersionDraft     = "draft"     // editable, at most one per questionnaire, never fielded
	VersionPublished = "published" // numbered 1, 2, …; immutable
)

// QuestionnaireDraft is a checked definition to store as the draft of the
// questionnaire it names. The store does not parse definitions: the caller
// (package survey) has checked it and computed its canonical form and hash.
type QuestionnaireDraft struct {
	Slug        string            // the definition's id
	Title       map[string]string // by language tag
	Definition  string            // canonical JSON
	Source      string            // the text as submitted (YAML or JSON)
	ContentHash string            // SHA-256 of Definition, hex
	SourceName  string            // the file or form it came from, for the audit log
	By          Actor             // recorded as the creator; the import is audited (survey.import) with it
}

// QuestionnaireVersion is one stored version of a questionnaire: its draft
// (Version 0) or a published version.
type QuestionnaireVersion struct {
	ID              int64      `db:"id" json:"id"`
	QuestionnaireID int64      `db:"questionnaire_id" json:"-"`
	Slug            string     `db:"slug" json:"slug"`
	Version         int        `db:"version" json:"version,omitempty"` // 0 for the draft
	Status          string     `db:"status" json:"status"`
	ContentHash     string     `db:"content_hash" json:"content_hash"`
	Definition      string     `db:"definition" json:"-"` // canonical JSON; empty in lists
	Source          string     `db:"source" json:"-"`     // as submitted; empty in lists
	CreatedBy       string     `db:"created_by" json:"created_by"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	PublishedAt     *time.Time `db:"published_at" json:"published_at,omitempty"`
}

// Questionnaire summarises a questionnaire and its versions.
type Questionnaire struct {
	ID    int64             `json:"-"`
	Slug  string            `json:"slug"`
	Title map[string]string `json:"title"` // of the most recently imported draft
	// Latest is the newest published version, 0 when none is.
	Latest     int    `json:"latest_version"`
	LatestHash string `json:"latest_hash,omitempty"`
	HasDraft   bool   `json:"has_draft"`
	DraftHash  string `json:"draft_hash,omitempty"`
	// Versions counts the published versions.
	Versions  int       `json:"versions"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the last draft was imported or version published.
	UpdatedAt time.Time `json:"updated_at"`
}

// SaveQuestionnaireDraft stores d as the draft of its questionnaire, in one
// transaction: the questionnaire is created when new (its title updated
// otherwise), and an existing draft is replaced. A definition identical to
// the newest published version is a Conflict and stores nothing: there would
// be nothing to publish.
func (db *DB) SaveQuestionnaireDraft(ctx context.Context, d QuestionnaireDraft) (QuestionnaireVersion, error) {
	title, err := json.Marshal(d.Title)
	if err != nil {
		return QuestionnaireVersion{}, apperr.Wrap(apperr.Internal, err, "questionnaire title")
	}
	var id int64
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		ts := now()
		var qid int64
		if err := tx.GetContext(ctx, &qid, db.Q("upsert-questionnaire"), d.Slug, string(title), ts); err != nil {
			return db.mapErr(err, "questionnaire "+d.Slug)
		}
		var newest struct {
			Version int    `db:"version"`
			Hash    string `db:"content_hash"`
		}
		err := tx.GetContext(ctx, &newest, db.Q("newest-published-questionnaire-hash"), qid)
		switch {
		case err == nil && newest.Hash == d.ContentHash:
			return apperr.New(apperr.Conflict, "questionnaire %s is identical to published version %d: nothing to import", d.Slug, newest.Version)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return db.mapErr(err, "questionnaire "+d.Slug)
		}
		err = tx.GetContext(ctx, &id, db.Q("upsert-questionnaire-draft"), qid, d.Definition, d.Source, d.ContentHash, d.By.userID(), ts)
		if err != nil {
			return db.mapVersionErr(err, "store draft of "+d.Slug)
		}
		return db.AuditIn(ctx, tx, d.By, "survey.import", "questionnaire", d.Slug, map[string]any{"file": d.SourceName, "content_hash": d.ContentHash})
	})
	if err != nil {
		return QuestionnaireVersion{}, err
	}
	return db.questionnaireVersionByID(ctx, id)
}

// PublishQuestionnaire turns the draft of the questionnaire into its next
// published version (the highest number so far plus one), stamped now, in
// one transaction with its audit entry (survey.publish by by). Without a
// questionnaire of that slug it is NotFound; without a draft a Conflict.
func (db *DB) PublishQuestionnaire(ctx context.Context, slug string, by Actor) (QuestionnaireVersion, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var qid int64
		if err := tx.GetContext(ctx, &qid, db.Q("get-questionnaire-id"), slug); err != nil {
			return db.notFound(err, "questionnaire %q not found", slug)
		}
		if err := tx.GetContext(ctx, &id, db.Q("get-questionnaire-draft-id"), qid); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.New(apperr.Conflict, "questionnaire %s has no draft to publish: import a changed definition first", slug)
			}
			return db.mapErr(err, "draft of "+slug)
		}
		var next int
		if err := tx.GetContext(ctx, &next, db.Q("next-questionnaire-version"), qid); err != nil {
			return db.mapErr(err, "version of "+slug)
		}
		res, err := tx.ExecContext(ctx, db.Q("publish-questionnaire-draft"), next, now(), id)
		if err != nil {
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "questionnaire %s was published by someone else at the same time", slug)
			}
			return db.mapVersionErr(err, "publish "+slug)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "questionnaire %s was published by someone else at the same time", slug)
		}
		var hash string
		if err := tx.GetContext(ctx, &hash, db.Q("get-questionnaire-version-hash"), id); err != nil {
			return db.mapErr(err, "publish "+slug)
		}
		return db.AuditIn(ctx, tx, by, "survey.publish", "questionnaire", slug, map[string]any{"version": next, "content_hash": hash})
	})
	if err != nil {
		return QuestionnaireVersion{}, err
	}
	return db.questionnaireVersionByID(ctx, id)
}

// QuestionnaireVersion returns a published version of the questionnaire,
// with its definition and source; version 0 means the newest. It is NotFound
// when the questionnaire, or that version of it, does not exist.
func (db *DB) QuestionnaireVersion(ctx context.Context, slug string, version int) (QuestionnaireVersion, error) {
	var v QuestionnaireVersion
	var err error
	if version == 0 {
		err = db.read.GetContext(ctx, &v, db.Q("get-newest-questionnaire-version"), slug)
	} else {
		err = db.read.GetContext(ctx, &v, db.Q("get-questionnaire-version"), slug, version)
	}
	if errors.Is(err, sql.ErrNoRows) {
		if err := db.questionnaireExists(ctx, slug); err != nil {
			return v, err
		}
		if version == 0 {
			return v, apperr.New(apperr.NotFound, "questionnaire %s has no published version yet", slug)
		}
		return v, apperr.New(apperr.NotFound, "questionnaire %s has no version %d", slug, version)
	}
	return v, db.mapErr(err, "questionnaire "+slug)
}

// QuestionnaireDraftVersion returns the draft of the questionnaire, with its
// definition and source, or NotFound.
func (db *DB) QuestionnaireDraftVersion(ctx context.Context, slug string) (QuestionnaireVersion, error) {
	var v QuestionnaireVersion
	err := db.read.GetContext(ctx, &v, db.Q("get-questionnaire-draft"), slug)
	if errors.Is(err, sql.ErrNoRows) {
		if err := db.questionnaireExists(ctx, slug); err != nil {
			return v, err
		}
		return v, apperr.New(apperr.NotFound, "questionnaire %s has no draft", slug)
	}
	return v, db.mapErr(err, "questionnaire "+slug)
}

// QuestionnaireVersions lists the versions of a questionnaire, the draft
// first, then published versions newest first, without definitions. An
// unknown slug is NotFound.
func (db *DB) QuestionnaireVersions(ctx context.Context, slug string) ([]QuestionnaireVersion, error) {
	var vs []QuestionnaireVersion
	if err := db.read.SelectContext(ctx, &vs, db.Q("list-questionnaire-versions"), slug); err != nil {
		return nil, db.mapErr(err, "versions of "+slug)
	}
	if len(vs) == 0 {
		return nil, apperr.New(apperr.NotFound, "questionnaire %q not found", slug)
	}
	return vs, nil
}

// Questionnaires lists every questionnaire by slug.
func (db *DB) Questionnaires(ctx context.Context) ([]Questionnaire, error) {
	var rows []summaryRow
	if err := db.read.SelectContext(ctx, &rows, db.Q("list-questionnaire-summaries")); err != nil {
		return nil, db.mapErr(err, "list questionnaires")
	}
	return foldSummaries(rows)
}

// QuestionnaireSummary returns the summary of one questionnaire, or NotFound.
func (db *DB) QuestionnaireSummary(ctx context.Context, slug string) (Questionnaire, error) {
	var rows []summaryRow
	if err := db.read.SelectContext(ctx, &rows, db.Q("get-questionnaire-summary"), slug); err != nil {
		return Questionnaire{}, db.mapErr(err, "questionnaire "+slug)
	}
	qs, err := foldSummaries(rows)
	if err != nil {
		return Questionnaire{}, err
	}
	if len(qs) == 0 {
		return Questionnaire{}, apperr.New(apperr.NotFound, "questionnaire %q not found", slug)
	}
	return qs[0], nil
}

// summaryRow is one version of a questionnaire as the summary queries
// return it.
type summaryRow struct {
	ID               int64      `db:"id"`
	Slug             string     `db:"slug"`
	Title            string     `db:"title"`
	CreatedAt        time.Time  `db:"created_at"`
	Version          int        `db:"version"`
	Status           string     `db:"status"`
	ContentHash      string     `db:"content_hash"`
	VersionCreatedAt time.Time  `db:"version_created_at"`
	PublishedAt      *time.Time `db:"published_at"`
}

// foldSummaries turns rows ordered by slug into one summary per
// questionnaire. The folding is done here rather than with MAX() in SQL
// because SQLite returns aggregates of timestamps as untyped text.
func foldSummaries(rows []summaryRow) ([]Questionnaire, error) {
	out := []Questionnaire{} // an empty list, not null, in JSON
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			q := Questionnaire{ID: r.ID, Slug: r.Slug, CreatedAt: r.CreatedAt, UpdatedAt: r.CreatedAt}
			if err := json.Unmarshal([]byte(r.Title), &q.Title); err != nil {
				return nil, apperr.Wrap(apperr.Internal, err, "title of questionnaire %s", r.Slug)
			}
			out = append(out, q)
		}
		q := &out[len(out)-1]
		changed := r.VersionCreatedAt
		switch r.Status {
		case VersionDraft:
			q.HasDraft, q.DraftHash = true, r.ContentHash
		case VersionPublished:
			q.Versions++
			if r.Version > q.Latest {
				q.Latest, q.LatestHash = r.Version, r.ContentHash
			}
			if r.PublishedAt != nil {
				changed = *r.PublishedAt
			}
		}
		if changed.After(q.UpdatedAt) {
			q.UpdatedAt = changed
		}
	}
	return out, nil
}

func (db *DB) questionnaireVersionByID(ctx context.Context, id int64) (QuestionnaireVersion, error) {
	var v QuestionnaireVersion
	err := db.write.GetContext(ctx, &v, db.Q("get-questionnaire-version-by-id"), id)
	return v, db.mapErr(err, "questionnaire version")
}

// questionnaireExists is nil when a questionnaire has the slug, else
// NotFound.
func (db *DB) questionnaireExists(ctx context.Context, slug string) error {
	var id int64
	err := db.read.GetContext(ctx, &id, db.Q("get-questionnaire-id"), slug)
	return db.notFound(err, "questionnaire %q not found", slug)
}

// notFound maps no rows to NotFound with the given message and anything
// else as mapErr does.
func (db *DB) notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, format, args...) // "no rows" adds nothing
	}
	return db.mapErr(err, "questionnaire")
}

// mapVersionErr is mapErr for writes to questionnaire_versions: the
// trigger that keeps published versions immutable becomes a Conflict.
func (db *DB) mapVersionErr(err error, what string) error {
	if isImmutableVersion(err) {
		return apperr.Wrap(apperr.Conflict, err, "%s: published questionnaire versions cannot be changed; import a new draft instead", what)
	}
	return db.mapErr(err, what)
}

// isImmutableVersion recognises the error of the questionnaire_versions_immutable
// trigger in either dialect (RAISE EXCEPTION in PostgreSQL, RAISE(ABORT) in
// SQLite).
func isImmutableVersion(err error) bool {
	if err == nil {
		return false
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == "P0001" && strings.Contains(pe.Message, "immutable")
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(se.Error(), "immutable")
	}
	return false
}
