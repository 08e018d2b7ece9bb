package weighting_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

// seedWeighRound writes a round straight into the tables (portable SQL,
// as storetest.SeedRound): units households in 20 streets and 400
// communities (the PSUs), base weights 20–26; of every 100 consecutive
// units (5 for each street) the first 20 did not answer (refusal,
// non-contact, not eligible or unknown eligibility, by hundreds) and the
// other 80 did (sex and age group by blocks, 1–3 adults in the household,
// three indicators each). It
// returns the round id. units = 125,000 gives 100,000 responses.
func seedWeighRound(t testing.TB, db *store.DB, units int) int64 {
	t.Helper()
	def, err := questionnaire.Parse("weigh.yaml", []byte(weighttest.Definition))
	if err != nil {
		t.Fatal(err)
	}
	canon, err := def.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
	w := db.Writer()
	ts := time.Date(2026, 11, 1, 19, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(w.Rebind(q), args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	seq := func(count int) string {
		return fmt.Sprintf("WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d) ", count)
	}
	const strata, psus = 20, 400
	exec("INSERT INTO questionnaires (id, slug, title, created_at) VALUES (1, 'weigh', ?, ?)", `{"zh-CN":"加权","en":"weigh"}`, ts)
	exec("INSERT INTO questionnaire_versions (id, questionnaire_id, version, status, definition, source, content_hash, created_at) VALUES (1, 1, 1, 'published', ?, ?, 'h', ?)", string(canon), weighttest.Definition, ts)
	exec("INSERT INTO frames (id, version, source_name, source_sha256, households, created_at) VALUES (1, 1, 'seed', '', ?, ?)", units, ts)
	exec(seq(strata)+"INSERT INTO streets (id, code, name, created_at) SELECT i, 'S' || i, '街道' || i, ? FROM seq", ts)
	exec(seq(psus)+"INSERT INTO communities (id, street_id, code, name, created_at) SELECT i, ((i - 1) % ?) + 1, 'C' || i, '社区' || i, ? FROM seq", strata, ts)
	exec(seq(units)+"INSERT INTO households (id, frame_id, street_id, community_id, household_key, line) SELECT i, 1, ((i % ?) % ?) + 1, (i % ?) + 1, 'H' || i, i + 1 FROM seq", psus, strata, psus)
	exec("INSERT INTO samples (id, name, frame_id, kind, design, seed, households, created_at) VALUES (1, 's', 1, 'two-stage', '{}', '1', ?, ?)", units, ts)
	exec("INSERT INTO rounds (id, name, questionnaire_version_id, sample_id, created_at) VALUES (1, 'seeded round', 1, 1, ?)", ts)
	exec("INSERT INTO sample_units (id, sample_id, household_id, street_id, community_id, psu, prob1, prob2, prob, base_weight) " +
		"SELECT id, 1, id, street_id, community_id, community_id, 0.5, 0.1, 0.05, 20 + (id % 7) FROM households")
	exec("INSERT INTO assignments (id, round_id, sample_unit_id, street_id, community_id, base_weight, status, category, created_at, updated_at) "+
		"SELECT id, 1, id, street_id, community_id, base_weight, 'final', CASE WHEN ((id - 1) / 20) % 5 <> 0 THEN 'I' ELSE CASE ((id - 1) / 100) % 5 WHEN 2 THEN 'NE' WHEN 3 THEN 'UH' WHEN 4 THEN 'NC' ELSE 'R' END END, ?, ? FROM sample_units", ts, ts)
	exec("INSERT INTO responses (id, assignment_id, round_id, questionnaire_version_id, client_id, status, answers, received_at, weight) "+
		"SELECT a.id, a.id, 1, 1, 'c' || a.id, 'accepted', '{\"E1\":' || (1 + ((a.id - 1) / 400) % 2) || ',\"E2\":' || (1 + ((a.id - 1) / 800) % 3) || ',\"E5\":' || (1 + a.id % 3) || '}', ?, a.base_weight FROM assignments a WHERE a.category = 'I'", ts)
	for i, ind := range []string{"aware", "support", "q1"} {
		h := fmt.Sprintf("((r.id * %d) %% 1000)", []int{2654435761, 40503, 40505}[i])
		exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) " +
			"SELECT r.id, '" + ind + "', CASE WHEN " + h + " < 300 + 10 * su.street_id THEN 0 ELSE 1 END, 1, su.street_id, su.psu, su.community_id, su.base_weight " +
			"FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id")
	}
	var pop strings.Builder
	pop.WriteString("街道,E1,E2,人数\n")
	for s := 1; s <= strata; s++ {
		for e1 := 1; e1 <= 2; e1++ {
			for e2 := 1; e2 <= 3; e2++ {
				fmt.Fprintf(&pop, "街道%d,%d,%d,%d\n", s, e1, e2, 20000+1000*s+700*e1+1300*e2)
			}
		}
	}
	if _, err := weighting.ImportPopulation(context.Background(), db, strings.NewReader(pop.String()), weighting.ImportSpec{Name: "pop.csv"}, store.System); err != nil {
		t.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		exec("VACUUM ANALYZE response_values")
		exec("VACUUM ANALYZE responses")
	}
	return 1
}

// BenchmarkWeighRound weighs a round of 100,000 responses (125,000
// assignments) end to end: load the units and answers, non-response
// adjustment by street, raking to street × sex and street × age group,
// trimming at 5 × median, and the write of every response's weight and
// its values in one transaction.
func BenchmarkWeighRound(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			round := seedWeighRound(b, db, 125_000)
			cfg := weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}, Trim: 5}
			for b.Loop() {
				rep, err := weighting.Weigh(context.Background(), db, round, cfg, store.System)
				if err != nil || rep.Units.Respondents != 100_000 {
					b.Fatalf("%+v, %v", rep.Units, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/round")
		})
	}
}

// TestSeededRoundWeighs checks the benchmark's round on a small scale: the
// weights sum to the population and every value row got its response's
// weight.
func TestSeededRoundWeighs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		round := seedWeighRound(t, db, 4000)
		rep, err := weighting.Weigh(context.Background(), db, round, weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}, Trim: 5}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Units.Respondents != 3200 || rep.Units.Ineligible != 160 || rep.Units.Unknown != 160 || rep.Units.Nonrespondents != 480 {
			t.Fatalf("units %+v", rep.Units)
		}
		var bad int
		if err := db.Reader().Get(&bad, "SELECT COUNT(*) FROM response_values v JOIN responses r ON r.id = v.response_id WHERE v.weight <> r.weight OR v.cal_cell IS NULL"); err != nil || bad != 0 {
			t.Fatalf("%d value rows without their response's weight (%v)", bad, err)
		}
		var total float64
		if err := db.Reader().Get(&total, "SELECT SUM(weight) FROM responses WHERE status = 'accepted'"); err != nil {
			t.Fatal(err)
		}
		if want := 20*6*20000.0 + 6*1000*210 + 20*3*700*3 + 20*2*1300*6; total < want*(1-1e-9) || total > want*(1+1e-9) {
			t.Fatalf("weights sum to %v, population %v", total, want)
		}
	})
}
