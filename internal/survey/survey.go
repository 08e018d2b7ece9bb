// Package survey manages questionnaires in the database: it joins the pure
// questionnaire package (parsing, checking, canonical form and hash) to the
// store (drafts and immutable, numbered published versions). It imports
// definitions as drafts, publishes them, reads versions back as parsed
// definitions, installs the questionnaires shipped in the binary, and
// describes skip rules in words for people (the CLI listing and the preview
// page).
package survey

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/surveys"
)

// ProblemList is the Details of the Invalid error for a definition with
// problems: every problem with file, line, column, path and message, in
// source order. It has the shape of the frame import's problems.
type ProblemList struct {
	Problems questionnaire.Problems `json:"problems"`
	Total    int                    `json:"total"`
}

// Parse reads and checks a definition without storing it. A name ending in
// .json is parsed as strict JSON (with JSON's own syntax positions),
// anything else as YAML. A definition with problems is an Invalid error
// whose Details are a ProblemList.
func Parse(name string, data []byte) (*questionnaire.Definition, error) {
	// Text that is not UTF-8 or holds control characters is reported by
	// the questionnaire reader, with its line and column.
	parse := questionnaire.Parse
	if strings.EqualFold(path.Ext(name), ".json") {
		parse = questionnaire.ParseJSON
	}
	d, err := parse(name, data)
	if err != nil {
		var probs questionnaire.Problems
		if errors.As(err, &probs) {
			return nil, problemsError(name, probs)
		}
		return nil, apperr.Wrap(apperr.Invalid, err, "%s: not a questionnaire definition", name)
	}
	return d, nil
}

func problemsError(name string, probs questionnaire.Problems) error {
	e := &apperr.Error{Kind: apperr.Invalid, Message: fmt.Sprintf("%s has %d problems", name, len(probs)), Details: ProblemList{Problems: probs, Total: len(probs)}}
	if len(probs) == 1 {
		e.Message = probs[0].String()
		if probs[0].File == "" {
			e.Message = name + ": " + e.Message
		}
	}
	return e
}

// Import checks a definition (YAML, or JSON when name ends in .json) and
// stores it as the draft of the questionnaire it names, replacing an
// existing draft. name locates problems; data is kept as the draft's source.
// by is who imports it: the import is audited (survey.import) in the
// transaction that stores the draft. A definition identical to the newest
// published version is a Conflict.
func Import(ctx context.Context, db *store.DB, name string, data []byte, by store.Actor) (store.QuestionnaireVersion, error) {
	d, err := Parse(name, data)
	if err != nil {
		return store.QuestionnaireVersion{}, err
	}
	return save(ctx, db, name, d, data, by)
}

// ImportDefinition stores a definition read from elsewhere than YAML or
// JSON (an XLSForm workbook, internal/questionnaire/xlsform), already
// checked, as its questionnaire's draft, audited as Import is. name says
// where it came from; the canonical JSON is kept as the draft's source,
// since the workbook itself is not text.
func ImportDefinition(ctx context.Context, db *store.DB, name string, d *questionnaire.Definition, by store.Actor) (store.QuestionnaireVersion, error) {
	canonical, err := d.CanonicalJSON()
	if err != nil {
		return store.QuestionnaireVersion{}, apperr.Wrap(apperr.Internal, err, "canonical form of %s", d.ID)
	}
	return save(ctx, db, name, d, canonical, by)
}

func save(ctx context.Context, db *store.DB, name string, d *questionnaire.Definition, source []byte, by store.Actor) (store.QuestionnaireVersion, error) {
	canonical, err := d.CanonicalJSON()
	if err != nil {
		return store.QuestionnaireVersion{}, apperr.Wrap(apperr.Internal, err, "canonical form of %s", d.ID)
	}
	hash, err := d.ContentHash()
	if err != nil {
		return store.QuestionnaireVersion{}, apperr.Wrap(apperr.Internal, err, "content hash of %s", d.ID)
	}
	return db.SaveQuestionnaireDraft(ctx, store.QuestionnaireDraft{
		Slug:        d.ID,
		Title:       d.Title,
		Definition:  string(canonical),
		Source:      string(source),
		ContentHash: hash,
		SourceName:  name,
		By:          by,
	})
}

// Publish makes the draft of the questionnaire its next published version.
// The draft is checked again first, so that a draft stored by an older,
// more lenient minyi is not published unchecked. The publication is audited
// (survey.publish) as by's in its transaction.
func Publish(ctx context.Context, db *store.DB, slug string, by store.Actor) (store.QuestionnaireVersion, error) {
	draft, err := db.QuestionnaireDraftVersion(ctx, slug)
	if apperr.Is(err, apperr.NotFound) {
		// The store tells an unknown questionnaire (NotFound) from one
		// without a draft (Conflict).
		return db.PublishQuestionnaire(ctx, slug, by)
	}
	if err != nil {
		return store.QuestionnaireVersion{}, err
	}
	if _, err := questionnaire.ParseJSON(slug+".json", []byte(draft.Definition)); err != nil {
		return store.QuestionnaireVersion{}, apperr.Wrap(apperr.Invalid, err, "the draft of %s is no longer valid: import it again to see its problems", slug)
	}
	return db.PublishQuestionnaire(ctx, slug, by)
}

// Ref selects a version of a questionnaire: a published version by number,
// the newest published version (the zero Ref), or the draft.
type Ref struct {
	Version int  // > 0: that published version
	Draft   bool // the draft
}

// Latest is the Ref of the newest published version.
var Latest = Ref{}

// ParseRef reads a version reference: a number, "latest" (or "") or
// "draft".
func ParseRef(s string) (Ref, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "latest":
		return Latest, nil
	case "draft":
		return Ref{Draft: true}, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "v"))
	if err != nil || n < 1 || n > math.MaxInt32 { // versions are INTEGER columns
		return Ref{}, apperr.New(apperr.Invalid, "version %q: want a number from 1 to 2147483647, latest or draft", s)
	}
	return Ref{Version: n}, nil
}

// String writes the Ref as ParseRef reads it.
func (r Ref) String() string {
	switch {
	case r.Draft:
		return "draft"
	case r.Version > 0:
		return strconv.Itoa(r.Version)
	}
	return "latest"
}

// Lookup returns the stored version that ref selects, with its canonical
// JSON, without parsing it.
func Lookup(ctx context.Context, db *store.DB, slug string, ref Ref) (store.QuestionnaireVersion, error) {
	if ref.Draft {
		return db.QuestionnaireDraftVersion(ctx, slug)
	}
	return db.QuestionnaireVersion(ctx, slug, ref.Version)
}

// Get returns the version that ref selects and its definition, parsed from
// the stored canonical JSON.
func Get(ctx context.Context, db *store.DB, slug string, ref Ref) (store.QuestionnaireVersion, *questionnaire.Definition, error) {
	v, err := Lookup(ctx, db, slug, ref)
	if err != nil {
		return v, nil, err
	}
	d, err := questionnaire.ParseJSON(slug+".json", []byte(v.Definition))
	if err != nil {
		return v, nil, apperr.Wrap(apperr.Internal, err, "stored definition of %s %s does not parse", slug, ref)
	}
	return v, d, nil
}

// List returns every questionnaire by slug.
func List(ctx context.Context, db *store.DB) ([]store.Questionnaire, error) {
	return db.Questionnaires(ctx)
}

// Versions returns a questionnaire's summary and its versions, the draft
// first, then published versions newest first.
func Versions(ctx context.Context, db *store.DB, slug string) (store.Questionnaire, []store.QuestionnaireVersion, error) {
	q, err := db.QuestionnaireSummary(ctx, slug)
	if err != nil {
		return q, nil, err
	}
	vs, err := db.QuestionnaireVersions(ctx, slug)
	return q, vs, err
}

// EnsureShipped imports and publishes every questionnaire shipped in the
// binary (package surveys) whose slug is not in the database yet, so that a
// fresh installation has the standard questionnaires ready. Questionnaires
// already there are left alone, even when the shipped file has changed: the
// survey office decides what to publish. It returns the versions it
// published.
func EnsureShipped(ctx context.Context, db *store.DB) ([]store.QuestionnaireVersion, error) {
	names, err := fs.Glob(surveys.FS, "*.yaml")
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "shipped questionnaires")
	}
	sort.Strings(names)
	var published []store.QuestionnaireVersion
	for _, name := range names {
		data, err := fs.ReadFile(surveys.FS, name)
		if err != nil {
			return published, apperr.Wrap(apperr.Internal, err, "shipped questionnaire %s", name)
		}
		d, err := Parse("surveys/"+name, data)
		if err != nil {
			return published, apperr.Wrap(apperr.Internal, err, "shipped questionnaire %s is invalid", name)
		}
		sum, err := db.QuestionnaireSummary(ctx, d.ID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			if _, err := save(ctx, db, "surveys/"+name, d, data, store.System); err != nil && !apperr.Is(err, apperr.Conflict) {
				return published, err
			}
		case err != nil:
			return published, err
		case sum.Latest > 0 || !sum.HasDraft:
			continue
		default:
			// A draft and nothing published: an earlier start stopped
			// between import and publish. Finish only if it is ours.
			hash, err := d.ContentHash()
			if err != nil || hash != sum.DraftHash {
				continue
			}
		}
		v, err := db.PublishQuestionnaire(ctx, d.ID, store.System)
		switch {
		case apperr.Is(err, apperr.Conflict):
			// another minyi starting at the same time published it
		case err != nil:
			return published, err
		default:
			published = append(published, v)
		}
	}
	return published, nil
}
