package weighting_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

func importPop(t *testing.T, db *store.DB, csv string) (store.Population, error) {
	t.Helper()
	return weighting.ImportPopulation(context.Background(), db, strings.NewReader(csv),
		weighting.ImportSpec{Questionnaire: "weigh", Name: "人口.csv"}, store.System)
}

func TestImportPopulation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		weighttest.New(t, db)
		bad := "街道,性别,年龄组,人数\n街道1,男,18—39岁,100\n街道9,男,18—39岁,5\n街道1,其他,18-39岁,5\n街道2,女,18-39岁,-3\n街道1,男,18-39岁,7\n"
		_, err := importPop(t, db, bad)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad file: %v", err)
		}
		msg := apperr.PublicMessage(err)
		for _, want := range []string{"line 3: street \"街道9\" is not in the frame", "line 4: E1: \"其他\" is not a category", "line 5: count \"-3\"", "line 6: the same street and categories as line 2"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}
		if ps, err := db.Populations(ctx); err != nil || len(ps) != 0 {
			t.Fatalf("after a bad file: %d populations (%v)", len(ps), err)
		}
		if _, err := importPop(t, db, "街道,民族,人数\n街道1,汉,3\n"); err == nil || !strings.Contains(err.Error(), "column 2 (民族)") {
			t.Fatalf("unknown column: %v", err)
		}
		p, err := importPop(t, db, weighttest.PopulationCSV())
		if err != nil {
			t.Fatal(err)
		}
		if p.Cells != 12 || strings.Join(p.Variables, ",") != "E1,E2" || p.Questionnaire != "weigh" {
			t.Fatalf("imported %+v", p)
		}
		counts, err := db.PopulationCounts(ctx, p.ID)
		if err != nil || len(counts) != 12 || counts[0].Cell != "1,1" || counts[0].Count != float64(weighttest.PopulationCount(1, 0, 0)) || counts[0].Line != 2 {
			t.Fatalf("counts %+v (%v)", counts, err)
		}
		var n int
		if err := db.Reader().Get(&n, "SELECT COUNT(*) FROM audit_log WHERE action = 'population.import'"); err != nil || n != 1 {
			t.Fatalf("audited %d times (%v)", n, err)
		}
	})
}

// TestNonresponseFactors checks the class factors against the counts of
// the fixture's outcome pattern, worked out by hand. Within a street every
// unit has the same base weight (equal communities), so the factor is a
// ratio of counts. Per street: 60 assignments, k = 0…59.
//
//	street 1: refused k%10=3 (6), vacant k%10=6 (6), pending k%10=8 (6),
//	          interviewed the other 42.
//	          e = 48/54, factor = (42 + 6 + 6·48/54) / 42
//	street 2: refused 6, screened out in the interview k%10=6 (6: not
//	          eligible, though their interviews are accepted responses),
//	          pending k%10=8 (6), no one home k%10=9 (6), interviewed 36;
//	          e = 42/48, factor = (36 + 6 + 12·42/48) / 36
func TestNonresponseFactors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		rep, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Nonresponse: "street", Calibration: "none"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]struct {
			n         int
			e, factor float64
		}{
			"街道1": {42, 48.0 / 54, (42 + 6 + 6*48.0/54) / 42},
			"街道2": {36, 42.0 / 48, (36 + 6 + 12*42.0/48) / 36},
		}
		if len(rep.Classes) != 2 {
			t.Fatalf("classes %+v", rep.Classes)
		}
		for _, c := range rep.Classes {
			w := want[c.Name]
			if c.N != w.n || math.Abs(c.EligibilityRate-w.e) > 1e-12 || math.Abs(c.Factor-w.factor) > 1e-12 {
				t.Errorf("%s: n %d, e %v, factor %v; want %d, %v, %v", c.Name, c.N, c.EligibilityRate, c.Factor, w.n, w.e, w.factor)
			}
		}
		if rep.Units.Respondents != 78 || rep.Units.Ineligible != 12 || rep.Units.Unknown != 18 || rep.Units.Nonrespondents != 12 {
			t.Errorf("units %+v", rep.Units)
		}
		// The stored report (GET /weighting) names the run by its id, and
		// its classes by name, as the run's answer did.
		stored, err := db.LatestWeighting(ctx, f.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got weighting.Report
		if err := json.Unmarshal([]byte(stored.Report), &got); err != nil || got.WeightingID != stored.ID || got.WeightingID != rep.WeightingID || len(got.Classes) != 2 || got.Classes[0].Name == "" {
			t.Errorf("stored report: weighting_id %d, classes %+v, want %d (%v)", got.WeightingID, got.Classes, rep.WeightingID, err)
		}
		// Stored: each response and its values carry base × factor.
		rows := []struct {
			Street string  `db:"street"`
			Base   float64 `db:"base"`
			W      float64 `db:"w"`
			VW     float64 `db:"vw"`
		}{}
		err = db.Reader().Select(&rows, db.Reader().Rebind(`SELECT s.name AS street, a.base_weight AS base, r.weight AS w, MIN(v.weight) AS vw
			FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN streets s ON s.id = a.street_id
			JOIN response_values v ON v.response_id = r.id WHERE r.round_id = ? GROUP BY s.name, a.base_weight, r.weight`), f.Round.ID)
		if err != nil || len(rows) != 2 {
			t.Fatalf("stored weights %+v (%v)", rows, err)
		}
		// The screened-out interviews are accepted responses without values
		// or weight: households found not eligible.
		var screened, withValues int
		if err := db.Reader().Get(&screened, db.Reader().Rebind(`SELECT COUNT(*) FROM responses WHERE round_id = ? AND status = 'accepted'
			AND disposition = 'not_eligible' AND weight IS NULL`), f.Round.ID); err != nil || screened != 6 {
			t.Fatalf("%d screened-out responses without weight (%v), want 6", screened, err)
		}
		if err := db.Reader().Get(&withValues, db.Reader().Rebind(`SELECT COUNT(*) FROM response_values v JOIN responses r ON r.id = v.response_id
			WHERE r.round_id = ? AND r.disposition = 'not_eligible'`), f.Round.ID); err != nil || withValues != 0 {
			t.Fatalf("screened-out responses have %d values (%v)", withValues, err)
		}
		for _, r := range rows {
			if math.Abs(r.W-r.Base*want[r.Street].factor) > 1e-9*r.W || r.VW != r.W {
				t.Errorf("%s: weight %v (values %v), want %v × %v", r.Street, r.W, r.VW, r.Base, want[r.Street].factor)
			}
		}
	})
}

// weightsOf returns the round's response weights by id.
func weightsOf(t *testing.T, db *store.DB, roundID int64) map[int64]float64 {
	t.Helper()
	var rows []struct {
		ID int64   `db:"id"`
		W  float64 `db:"weight"`
	}
	if err := db.Reader().Select(&rows, db.Reader().Rebind("SELECT id, weight FROM responses WHERE round_id = ? AND status = 'accepted' AND weight IS NOT NULL"), roundID); err != nil {
		t.Fatal(err)
	}
	out := map[int64]float64{}
	for _, r := range rows {
		out[r.ID] = r.W
	}
	return out
}

func TestRakeMatchesMarginsAndBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}}}, store.System); err == nil || !strings.Contains(err.Error(), "no population counts") {
			t.Fatalf("without a population: %v", err)
		}
		if _, err := importPop(t, db, weighttest.PopulationCSV()); err != nil {
			t.Fatal(err)
		}
		rep, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{}, store.System) // default: rake street×E1, street×E2
		if err != nil {
			t.Fatal(err)
		}
		if rep.Config.Calibration != "rake" || len(rep.Check) != 2 || rep.Passes < 2 {
			t.Fatalf("report %+v", rep)
		}
		for _, m := range rep.Check {
			for _, l := range m.Levels {
				if math.Abs(l.Weighted-l.Population) > 1e-6*l.Population {
					t.Errorf("%s %s: weighted %v, population %v", m.Margin, l.Level, l.Weighted, l.Population)
				}
			}
		}
		// The stored weights give the margins too.
		var got []struct {
			Street string  `db:"street"`
			W      float64 `db:"w"`
		}
		if err := db.Reader().Select(&got, db.Reader().Rebind(`SELECT s.name AS street, SUM(r.weight) AS w FROM responses r
			JOIN assignments a ON a.id = r.assignment_id JOIN streets s ON s.id = a.street_id
			WHERE r.round_id = ? AND r.status = 'accepted' AND r.weight IS NOT NULL GROUP BY s.name ORDER BY s.name`), f.Round.ID); err != nil {
			t.Fatal(err)
		}
		pop := map[string]float64{}
		for s := 1; s <= 2; s++ {
			for e1 := 0; e1 < 2; e1++ {
				for e2 := 0; e2 < 3; e2++ {
					pop[[]string{"", "街道1", "街道2"}[s]] += float64(weighttest.PopulationCount(s, e1, e2))
				}
			}
		}
		for _, g := range got {
			if math.Abs(g.W-pop[g.Street]) > 1e-6*g.W {
				t.Errorf("%s: stored weights sum to %v, population %v", g.Street, g.W, pop[g.Street])
			}
		}
		before := weightsOf(t, db, f.Round.ID)
		for _, c := range []struct {
			name string
			cfg  weighting.Config
			want string
		}{
			{"not converging", weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"E2"}}, MaxIter: 1, Epsilon: 1e-9}, "did not converge after 1 passes: margin"},
			{"unknown variable", weighting.Config{Calibration: "poststratify", Variables: []string{"street", "Q1"}}, "Q1 is not a variable of population table"},
			{"trim out of range", weighting.Config{Trim: 0.5}, "trim"},
			{"bad class", weighting.Config{Nonresponse: "household"}, "nonresponse"},
		} {
			_, err := weighting.Weigh(ctx, db, f.Round.ID, c.cfg, store.System)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		}
		// A post-stratum of the population without respondents: a
		// population of 街道1 × 男 × 60+ that the sample lacks.
		if _, err := importPop(t, db, weighttest.PopulationCSV()+"街道1,男,拒答,5\n"); err == nil || !strings.Contains(err.Error(), "拒答") {
			t.Fatalf("a special option as a category: %v", err)
		}
		// A count of 0 where the sample has respondents.
		zero := strings.Replace(weighttest.PopulationCSV(), "街道1,男,18—39岁,30\n", "街道1,男,18—39岁,0\n", 1)
		if _, err := importPop(t, db, zero); err != nil {
			t.Fatal(err)
		}
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "poststratify", Variables: []string{"street", "E1", "E2"}}, store.System); err == nil ||
			!strings.Contains(err.Error(), "街道1 × E1=男 × E2=18—39岁: responses but no population") {
			t.Fatalf("a zero count: %v", err)
		}
		if _, err := importPop(t, db, weighttest.PopulationCSV()); err != nil {
			t.Fatal(err)
		}
		// An empty post-stratum: the sample's men of 60 and over in 街道1
		// are rejected in review (their values leave with them).
		if _, err := db.Writer().Exec(db.Writer().Rebind(`UPDATE responses SET status = 'rejected' WHERE round_id = ? AND answers LIKE ?
			AND assignment_id IN (SELECT id FROM assignments WHERE street_id = ?)`), f.Round.ID, `%"E1":1,"E2":3%`, f.Streets[0].ID); err != nil {
			t.Fatal(err)
		}
		before = weightsOf(t, db, f.Round.ID)
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "poststratify", Variables: []string{"street", "E1", "E2"}}, store.System); err == nil ||
			!strings.Contains(err.Error(), "街道1 × E1=男 × E2=60岁及以上: population 66 but no responses (an empty cell)") {
			t.Fatalf("an empty cell: %v", err)
		}
		after := weightsOf(t, db, f.Round.ID)
		for id, w := range before {
			if after[id] != w {
				t.Fatalf("response %d: weight %v changed to %v by a failed run", id, w, after[id])
			}
		}
	})
}

// TestPopulationAcrossLevels: "respondents but no population" is checked
// across the levels of all variables, street included, whether or not
// street is a margin. A table without 街道2 raked on E1 and E2 alone would
// have carried 街道2's respondents to the totals of 街道1.
func TestPopulationAcrossLevels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		var one, zero strings.Builder
		for _, line := range strings.SplitAfter(weighttest.PopulationCSV(), "\n") {
			if !strings.HasPrefix(line, "街道2,") {
				one.WriteString(line)
			}
			if strings.HasPrefix(line, "街道2,女,60岁及以上,") {
				line = "街道2,女,60岁及以上,0\n"
			}
			zero.WriteString(line)
		}
		if _, err := importPop(t, db, one.String()); err != nil {
			t.Fatal(err)
		}
		before := weightsOf(t, db, f.Round.ID)
		for _, cfg := range []weighting.Config{
			{Calibration: "rake", Margins: [][]string{{"E1"}, {"E2"}}},
			{Calibration: "poststratify", Variables: []string{"E1", "E2"}},
		} {
			_, err := weighting.Weigh(ctx, db, f.Round.ID, cfg, store.System)
			if err == nil || !strings.Contains(err.Error(), "街道2: responses but no population (the street has no people in population table") {
				t.Errorf("%s on E1, E2 without 街道2's counts: %v", cfg.Calibration, err)
			}
		}
		// A zero count of a cell the margins do not cross.
		if _, err := importPop(t, db, zero.String()); err != nil {
			t.Fatal(err)
		}
		_, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}}, store.System)
		if err == nil || !strings.Contains(err.Error(), "街道2 × E1=女 × E2=60岁及以上: responses but no population") {
			t.Errorf("a zero count under the margins: %v", err)
		}
		after := weightsOf(t, db, f.Round.ID)
		for id, w := range before {
			if after[id] != w {
				t.Fatalf("response %d: weight %v changed to %v by a failed run", id, w, after[id])
			}
		}
	})
}

// TestTrimmingSaysWhatItBreaks: trimming after raking leaves margins
// unmet; the report names each and its worst level.
func TestTrimmingSaysWhatItBreaks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		if _, err := importPop(t, db, weighttest.PopulationCSV()); err != nil {
			t.Fatal(err)
		}
		margins := [][]string{{"street", "E1"}, {"street", "E2"}}
		rep, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: margins, Trim: 1.5}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Trimmed == 0 || len(rep.TrimBreaks) == 0 {
			t.Fatalf("trimmed %d, breaks %+v", rep.Trimmed, rep.TrimBreaks)
		}
		for _, b := range rep.TrimBreaks {
			if !(b.MaxRelDiff > 1e-6) || b.Level == "" || math.Abs(b.Weighted-b.Population) < 1e-6 {
				t.Errorf("break %+v", b)
			}
		}
		// Without trimming, or when the cap does not bind, nothing breaks.
		rep, err = weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: margins, Trim: 50}, store.System)
		if err != nil || rep.Trimmed != 0 || len(rep.TrimBreaks) != 0 {
			t.Fatalf("a cap that does not bind: %d trimmed, %+v (%v)", rep.Trimmed, rep.TrimBreaks, err)
		}
	})
}
