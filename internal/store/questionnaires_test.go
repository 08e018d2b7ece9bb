package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// questionnaireDraft makes a draft whose hash is the SHA-256 of its definition, as
// package survey computes it.
func questionnaireDraft(slug, definition string) store.QuestionnaireDraft {
	h := sha256.Sum256([]byte(definition))
	return store.QuestionnaireDraft{
		Slug:        slug,
		Title:       map[string]string{"zh-CN": "问卷 " + slug, "en": "Questionnaire " + slug},
		Definition:  definition,
		Source:      "# as submitted\n" + definition,
		ContentHash: hex.EncodeToString(h[:]),
	}
}

func TestQuestionnaireVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const slug = "wenming-household"

		// Nothing yet.
		if qs, err := db.Questionnaires(ctx); err != nil || len(qs) != 0 {
			t.Fatalf("Questionnaires on an empty database = %v, %v", qs, err)
		}
		for name, err := range map[string]error{
			"publish":  errOnly(db.PublishQuestionnaire(ctx, slug, store.CLI)),
			"newest":   errOnly(db.QuestionnaireVersion(ctx, slug, 0)),
			"draft":    errOnly(db.QuestionnaireDraftVersion(ctx, slug)),
			"versions": errOnly(db.QuestionnaireVersions(ctx, slug)),
			"summary":  errOnly(db.QuestionnaireSummary(ctx, slug)),
		} {
			if !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), slug) {
				t.Errorf("%s of an unknown questionnaire: %v, want NotFound naming it", name, err)
			}
		}

		// Create a draft, then replace it.
		d1 := questionnaireDraft(slug, `{"id":"wenming-household","v":1}`)
		d1.By = store.Actor{UserID: newAuthor(t, db), Via: "api"}
		v, err := db.SaveQuestionnaireDraft(ctx, d1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != store.VersionDraft || v.Version != 0 || v.Slug != slug || v.ContentHash != d1.ContentHash ||
			v.Definition != d1.Definition || v.Source != d1.Source || v.CreatedBy != "author" || v.PublishedAt != nil {
			t.Fatalf("draft = %+v", v)
		}
		if _, err := db.QuestionnaireVersion(ctx, slug, 0); !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), "no published version") {
			t.Fatalf("newest with only a draft: %v", err)
		}
		d1b := questionnaireDraft(slug, `{"id":"wenming-household","v":"1b"}`)
		v2, err := db.SaveQuestionnaireDraft(ctx, d1b)
		if err != nil {
			t.Fatal(err)
		}
		if v2.ID != v.ID || v2.Definition != d1b.Definition || v2.CreatedBy != "" {
			t.Fatalf("replaced draft = %+v (first id %d)", v2, v.ID)
		}
		vs, err := db.QuestionnaireVersions(ctx, slug)
		if err != nil || len(vs) != 1 {
			t.Fatalf("versions after replacing the draft = %+v, %v", vs, err)
		}

		// Publish: version 1; then there is no draft to publish.
		p1, err := db.PublishQuestionnaire(ctx, slug, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if p1.Version != 1 || p1.Status != store.VersionPublished || p1.PublishedAt == nil || p1.ContentHash != d1b.ContentHash {
			t.Fatalf("published = %+v", p1)
		}
		if _, err := db.PublishQuestionnaire(ctx, slug, store.CLI); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "no draft") {
			t.Fatalf("publish without a draft: %v", err)
		}
		if _, err := db.QuestionnaireDraftVersion(ctx, slug); !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), "no draft") {
			t.Fatalf("draft after publishing: %v", err)
		}

		// Re-importing what is published is refused and leaves no draft.
		again := d1b
		again.Title = map[string]string{"zh-CN": "改了标题", "en": "changed title"}
		if _, err := db.SaveQuestionnaireDraft(ctx, again); !apperr.Is(err, apperr.Conflict) ||
			!strings.Contains(err.Error(), "identical to published version 1") {
			t.Fatalf("identical re-import: %v", err)
		}
		sum, err := db.QuestionnaireSummary(ctx, slug)
		if err != nil || sum.HasDraft || sum.Latest != 1 || sum.Title["zh-CN"] != "问卷 "+slug {
			t.Fatalf("summary after a refused import = %+v, %v", sum, err)
		}

		// A change makes a new draft; publishing it gives version 2.
		d2 := questionnaireDraft(slug, `{"id":"wenming-household","v":2}`)
		if _, err := db.SaveQuestionnaireDraft(ctx, d2); err != nil {
			t.Fatal(err)
		}
		sum, err = db.QuestionnaireSummary(ctx, slug)
		if err != nil || !sum.HasDraft || sum.Latest != 1 || sum.DraftHash != d2.ContentHash || sum.Versions != 1 {
			t.Fatalf("summary with a draft = %+v, %v", sum, err)
		}
		vs, err = db.QuestionnaireVersions(ctx, slug)
		if err != nil || len(vs) != 2 || vs[0].Status != store.VersionDraft || vs[1].Version != 1 || vs[0].Definition != "" {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		p2, err := db.PublishQuestionnaire(ctx, slug, store.CLI)
		if err != nil || p2.Version != 2 || p2.Definition != d2.Definition {
			t.Fatalf("second publish = %+v, %v", p2, err)
		}

		// Version 1 is untouched, byte for byte.
		got1, err := db.QuestionnaireVersion(ctx, slug, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got1.Definition != d1b.Definition || got1.Source != d1b.Source || got1.ContentHash != d1b.ContentHash ||
			got1.ID != p1.ID || !got1.PublishedAt.Equal(*p1.PublishedAt) {
			t.Fatalf("version 1 changed: %+v, was %+v", got1, p1)
		}
		newest, err := db.QuestionnaireVersion(ctx, slug, 0)
		if err != nil || newest.Version != 2 {
			t.Fatalf("newest = %+v, %v", newest, err)
		}
		if _, err := db.QuestionnaireVersion(ctx, slug, 3); !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), "no version 3") {
			t.Fatalf("version 3: %v", err)
		}

		// The database itself refuses to change a published version.
		for _, stmt := range []string{
			"UPDATE questionnaire_versions SET definition = '{}' WHERE version = 1",
			"UPDATE questionnaire_versions SET status = 'draft', version = NULL WHERE version = 2",
		} {
			_, err := db.Writer().ExecContext(ctx, stmt)
			if err == nil {
				t.Fatalf("%s: no error", stmt)
			}
			mapped := db.MapVersionErr(err, "edit")
			if !apperr.Is(mapped, apperr.Conflict) || strings.Contains(apperr.PublicMessage(mapped), "RAISE") {
				t.Fatalf("%s: mapped to %v (%s)", stmt, apperr.KindOf(mapped), apperr.PublicMessage(mapped))
			}
		}
		got1, _ = db.QuestionnaireVersion(ctx, slug, 1)
		if got1.Definition != d1b.Definition {
			t.Fatalf("version 1 changed by a direct update: %q", got1.Definition)
		}

		// A second questionnaire; the list is by slug.
		if _, err := db.SaveQuestionnaireDraft(ctx, questionnaireDraft("a-first", `{"id":"a-first"}`)); err != nil {
			t.Fatal(err)
		}
		qs, err := db.Questionnaires(ctx)
		if err != nil || len(qs) != 2 {
			t.Fatalf("list = %+v, %v", qs, err)
		}
		if qs[0].Slug != "a-first" || qs[0].Latest != 0 || !qs[0].HasDraft ||
			qs[1].Slug != slug || qs[1].Latest != 2 || qs[1].HasDraft || qs[1].Versions != 2 ||
			qs[1].Title["en"] != "Questionnaire "+slug || qs[1].UpdatedAt.Before(*p2.PublishedAt) {
			t.Fatalf("list = %+v", qs)
		}
	})
}

// TestPublishConcurrently publishes one draft from several goroutines:
// exactly one succeeds, the others get a Conflict.
func TestPublishConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.SaveQuestionnaireDraft(ctx, questionnaireDraft("q", `{"id":"q"}`)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = db.PublishQuestionnaire(ctx, "q", store.CLI) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("concurrent publish: %v", err)
			}
		}
		vs, err := db.QuestionnaireVersions(ctx, "q")
		if ok != 1 || err != nil || len(vs) != 1 || vs[0].Version != 1 {
			t.Fatalf("%d publishes succeeded; versions %+v, %v", ok, vs, err)
		}
	})
}

func errOnly[T any](_ T, err error) error { return err }

func newAuthor(t *testing.T, db *store.DB) int64 {
	t.Helper()
	id, err := db.CreateUser(context.Background(), store.NewUser{Username: "author", Role: store.RoleAdmin, PasswordHash: "x"}, store.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
