package weighting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

// missingMethods are the remedies for a refused age group (E2 = 9, three
// respondents a street) checked against R (testdata/missing.R), each
// raking to street × sex and street × age group.
var missingMethods = []struct {
	name    string
	missing map[string]string
}{
	// The refusals counted among the oldest (60岁及以上, code 3).
	{"missing_collapse", map[string]string{"E2": "collapse:3"}},
	// The refusals given the age group of a donor of their street and sex.
	{"missing_hotdeck", map[string]string{"E2": "hotdeck"}},
}

func missingRound(t *testing.T, db *store.DB) int64 {
	t.Helper()
	f := weighttest.NewWith(t, db, weighttest.Options{RefuseAge: weighttest.RefusesAge})
	if _, err := weighting.ImportPopulation(context.Background(), db, strings.NewReader(weighttest.PopulationCSV()),
		weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System); err != nil {
		t.Fatal(err)
	}
	return f.Round.ID
}

var rakeAge = weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}}

// A refused age group stops calibration, with the responses listed and
// the remedies named, until the settings give one; a remedy is checked.
func TestMissingNeedsARemedy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		round := missingRound(t, db)
		_, err := weighting.Weigh(ctx, db, round, rakeAge, store.System)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "6 responses cannot be calibrated") ||
			!strings.Contains(err.Error(), "has no category of E2") || !strings.Contains(err.Error(), "E2=hotdeck") {
			t.Fatalf("no remedy: %v", err)
		}
		for _, c := range []struct {
			missing map[string]string
			want    string
		}{
			{map[string]string{"E2": "collapse:9"}, "substantive categories"},
			{map[string]string{"E2": "collapse:7"}, "substantive categories"},
			{map[string]string{"E2": "mean"}, "hotdeck or collapse:CODE"},
			{map[string]string{"Q1": "hotdeck"}, "not a calibration variable"},
		} {
			cfg := rakeAge
			cfg.Missing = c.missing
			_, err := weighting.Weigh(ctx, db, round, cfg, store.System)
			var ae *apperr.Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Fields["missing"], c.want) {
				t.Errorf("%v: %v, want a field error saying %q", c.missing, err, c.want)
			}
		}
		cfg := weighting.Config{Calibration: "none", Missing: map[string]string{"E2": "hotdeck"}}
		if _, err := weighting.Weigh(ctx, db, round, cfg, store.System); err == nil {
			t.Error("a remedy without calibration was accepted")
		}
		if _, err := db.LatestWeighting(ctx, round); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a refused weighting left a run: %v", err)
		}
	})
}

// The hot deck draws each donor from the recipient's street and sex, the
// same donors again with the same seed, and records each imputation with
// its response.
func TestHotDeckDonors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		round := missingRound(t, db)
		cfg := rakeAge
		cfg.Missing = map[string]string{"E2": "hotdeck"}
		draw := func(seed uint64) map[int64]weighting.Imputation {
			cfg.Seed = seed
			rep, err := weighting.Weigh(ctx, db, round, cfg, store.System)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Imputed) != 1 || rep.Imputed[0] != (weighting.ImputedCount{Question: "E2", Method: "hotdeck", N: 6}) {
				t.Errorf("report: imputed %+v", rep.Imputed)
			}
			out := map[int64]weighting.Imputation{}
			rs, err := db.RoundRespondents(ctx, round)
			if err != nil {
				t.Fatal(err)
			}
			answers := map[int64]map[string]int{}
			street := map[int64]int64{}
			for _, r := range rs {
				var a map[string]int
				if err := json.Unmarshal([]byte(r.Answers), &a); err != nil {
					t.Fatal(err)
				}
				answers[r.ID], street[r.ID] = a, r.StreetID
			}
			for _, r := range rs {
				m, err := weighting.ParseImputed(r.Imputed)
				if err != nil {
					t.Fatal(err)
				}
				im, ok := m["E2"]
				if (answers[r.ID]["E2"] == 9) != ok {
					t.Fatalf("response %d (E2 %d): imputed %q", r.ID, answers[r.ID]["E2"], r.Imputed)
				}
				if !ok {
					continue
				}
				d := im.Donor
				if street[d] != street[r.ID] || answers[d]["E1"] != answers[r.ID]["E1"] || answers[d]["E2"] != im.Code || im.Code == 9 || im.Method != "hotdeck" {
					t.Errorf("response %d (street %d, sex %d) took E2=%d from %d (street %d, sex %d, E2 %d)", r.ID, street[r.ID], answers[r.ID]["E1"],
						im.Code, d, street[d], answers[d]["E1"], answers[d]["E2"])
				}
				out[r.ID] = im
			}
			return out
		}
		a, b := draw(7), draw(7)
		if len(a) != 6 || len(b) != 6 {
			t.Fatalf("imputed %d and %d", len(a), len(b))
		}
		for id, im := range a {
			if b[id] != im {
				t.Errorf("response %d: donor %d, then %d with the same seed", id, im.Donor, b[id].Donor)
			}
		}
	})
}

// TestMissingRemediesAgainstR weighs the round with refused age groups
// under each remedy and compares with R's survey package on the round's
// responses export (testdata/missing_*.csv; R in testdata/missing.R, which
// collapses the refusals itself and checks each hot-deck donor's answer):
// final weights, and estimates with standard errors for the district and
// by street (1e-9).
func TestMissingRemediesAgainstR(t *testing.T) {
	gold := readGolden(t, "testdata/missing.json")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		round := missingRound(t, db)
		for _, m := range missingMethods {
			cfg := rakeAge
			cfg.Missing = m.missing
			if _, err := weighting.Weigh(ctx, db, round, cfg, store.System); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if *update {
				if db.Dialect() == store.SQLite {
					var b bytes.Buffer
					book, err := export.NewBook(&b, export.FormatCSV, export.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if err := results.WriteResponses(ctx, db, round, results.ExportOptions{Format: export.FormatCSV}, book); err != nil {
						t.Fatal(err)
					}
					if err := book.Close(); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile("testdata/"+m.name+".csv", b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			ws := weightsOf(t, db, round)
			if len(ws) != len(gold.Weights[m.name]) || len(ws) == 0 {
				t.Fatalf("%s: %d weights, R %d", m.name, len(ws), len(gold.Weights[m.name]))
			}
			for id, w := range ws {
				if want := gold.Weights[m.name][strconv.FormatInt(id, 10)]; !near(w, want, 1e-9) {
					t.Errorf("%s: response %d weight %v, R %v", m.name, id, w, want)
				}
			}
			for _, by := range []string{"", "street"} {
				gold.compare(t, ctx, db, round, m.name, by, results.RoundRequest{By: by, Variance: stats.VarianceWR}) // R's design: with replacement
			}
		}
	})
}
