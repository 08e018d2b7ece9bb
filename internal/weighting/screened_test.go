package weighting_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
	"github.com/minyi-survey/minyi/migrations"
)

// TestScreenedOutMigration puts a round in the state earlier versions left
// it in — screened-out interviews with (missing) values and a base weight —
// and runs migration 00017 on it: the values and weights go, the round's
// sums are marked stale until rebuilt, and the round can then be weighted
// and calibrated.
func TestScreenedOutMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		w := db.Writer()
		// What earlier versions wrote: a value row per indicator (missing)
		// and the base weight.
		if _, err := w.Exec(w.Rebind(`INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight)
			SELECT r.id, 'aware', NULL, r.round_id, a.street_id, su.psu, a.community_id, 3
			FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id
			WHERE r.round_id = ? AND r.disposition = 'not_eligible'`), f.Round.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Exec(w.Rebind(`UPDATE responses SET weight = 3 WHERE round_id = ? AND disposition = 'not_eligible'`), f.Round.ID); err != nil {
			t.Fatal(err)
		}
		dir := "sqlite"
		if db.Dialect() == store.Postgres {
			dir = "postgres"
		}
		b, err := migrations.FS.ReadFile(dir + "/00017_screened_out.sql")
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(strings.SplitN(string(b), "-- +goose Up", 2)[1], "-- +goose Down")
		for _, stmt := range strings.Split(up, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := w.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		var values, weighted int
		r := db.Reader()
		if err := r.Get(&values, r.Rebind(`SELECT COUNT(*) FROM response_values v JOIN responses r ON r.id = v.response_id WHERE r.round_id = ? AND r.disposition = 'not_eligible'`), f.Round.ID); err != nil || values != 0 {
			t.Fatalf("%d values left (%v)", values, err)
		}
		if err := r.Get(&weighted, r.Rebind(`SELECT COUNT(*) FROM responses WHERE round_id = ? AND disposition = 'not_eligible' AND weight IS NOT NULL`), f.Round.ID); err != nil || weighted != 0 {
			t.Fatalf("%d weights left (%v)", weighted, err)
		}
		if stale, err := db.SumsStale(ctx, f.Round.ID); err != nil || !stale {
			t.Fatalf("stale %v (%v)", stale, err)
		}
		if _, err := importPop(t, db, weighttest.PopulationCSV()); err != nil {
			t.Fatal(err)
		}
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "poststratify", Variables: []string{"street", "E1", "E2"}}, store.System); err != nil {
			t.Fatal(err)
		}
		if _, err := results.ForRound(ctx, db, f.Round.ID, results.RoundRequest{By: "street"}); err != nil {
			t.Fatal(err)
		}
	})
}
