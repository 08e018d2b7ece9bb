package results_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

// TestMaintainedSums checks, on both databases, that the per-PSU sums kept
// by fieldwork give the estimates the responses give (to 1e-12), for the
// district, streets, communities and respondent groups, after fieldwork,
// after a response is returned, after a correction, and after weighting
// (without and with calibration); and that the kept sums equal the sums
// rebuilt from the rows.
func TestMaintainedSums(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		round := f.Round.ID
		def, err := questionnaire.Parse("weigh.yaml", []byte(weighttest.Definition))
		if err != nil {
			t.Fatal(err)
		}
		var vars []stats.Variable
		for _, ind := range def.Indicators {
			k := stats.Rate
			if ind.Kind != questionnaire.KindRate {
				k = stats.Mean
			}
			vars = append(vars, stats.Variable{Name: ind.ID, Kind: k})
		}
		if gs := def.GroupQuestions(); len(gs) != 3 || gs[0].Code != "A2" || gs[1].Code != "E1" || gs[2].Code != "E2" {
			t.Fatalf("group questions %v", gs)
		}
		check := func(stage string) {
			t.Helper()
			for _, by := range []string{"", "street", "community"} {
				req := results.Request{Variables: vars, By: by}
				got, err := results.Estimate(ctx, db, round, req, nil)
				if err != nil {
					t.Fatalf("%s by %q: %v", stage, by, err)
				}
				want, err := results.EstimateFromRows(ctx, db, round, req)
				if err != nil {
					t.Fatal(err)
				}
				sameReport(t, fmt.Sprintf("%s by %q", stage, by), got, want)
			}
			for _, g := range []string{"A2", "E1", "E2"} {
				for _, by := range []string{"", "street"} {
					req := results.Request{Variables: vars, By: by, Group: g}
					got, err := results.EstimateGroups(ctx, db, def, round, req, false)
					if err != nil {
						t.Fatalf("%s group %s: %v", stage, g, err)
					}
					want, err := results.EstimateGroups(ctx, db, def, round, req, true)
					if err != nil {
						t.Fatal(err)
					}
					if len(got.Estimates) <= len(vars) {
						t.Fatalf("%s group %s: no group figures", stage, g)
					}
					sameReport(t, fmt.Sprintf("%s group %s by %q", stage, g, by), got, want)
				}
			}
			kept := sumsTable(t, db, round)
			if err := results.Resum(ctx, db, store.System, round); err != nil {
				t.Fatal(err)
			}
			rebuilt := sumsTable(t, db, round)
			if len(kept) != len(rebuilt) {
				t.Fatalf("%s: %d rows of sums kept, %d rebuilt", stage, len(kept), len(rebuilt))
			}
			for i := range kept {
				if kept[i].key != rebuilt[i].key {
					t.Fatalf("%s: row %d is %s kept, %s rebuilt", stage, i, kept[i].key, rebuilt[i].key)
				}
				for j := range kept[i].sums {
					if !close(kept[i].sums[j], rebuilt[i].sums[j]) {
						t.Fatalf("%s: %s sum %d is %v kept, %v rebuilt", stage, kept[i].key, j, kept[i].sums[j], rebuilt[i].sums[j])
					}
				}
			}
		}
		check("after fieldwork")

		// A supervisor returns a response: it leaves the estimates.
		rs, err := db.Responses(ctx, round, store.Scope{}, store.ResponseFilter{Status: "accepted"})
		if err != nil || len(rs) < 10 {
			t.Fatalf("%d responses (%v)", len(rs), err)
		}
		before, _ := results.Estimate(ctx, db, round, results.Request{Variables: vars}, nil)
		if _, err := f.Service.Review(ctx, f.Caller("sup1"), rs[0].ID, rounds.ReviewRequest{Action: "return", Reason: "答案前后矛盾"}); err != nil {
			t.Fatal(err)
		}
		after, _ := results.Estimate(ctx, db, round, results.Request{Variables: vars}, nil)
		if after.Estimates[0].N != before.Estimates[0].N-1 {
			t.Fatalf("after a return: n %d, before %d", after.Estimates[0].N, before.Estimates[0].N)
		}
		check("after a return")

		// An interviewer corrects a response: the old one is superseded.
		r := rs[1]
		who := "int1a"
		if r.StreetID != f.Streets[0].ID {
			who = "int2a"
		}
		start := time.Date(2026, 11, 21, 19, 0, 0, 0, time.UTC)
		end := start.Add(15 * time.Minute)
		if _, err := f.Service.Submit(ctx, f.Caller(who), rounds.ResponseRequest{ClientID: "00000000-0000-4000-8000-999999999999", AssignmentID: r.AssignmentID,
			QuestionnaireVersion: 1, Supersedes: r.ID, StartedAt: &start, CompletedAt: &end,
			Answers: json.RawMessage(`{"S1":1,"A1":2,"B1":1,"Q1":1,"Q2":5,"Q3":8,"Q4":2,"E1":2,"E2":3,"E5":2}`)}); err != nil {
			t.Fatal(err)
		}
		check("after a correction")

		if _, err := weighting.Weigh(ctx, db, round, weighting.Config{Nonresponse: "street", Calibration: "none"}, store.System); err != nil {
			t.Fatal(err)
		}
		check("after weighting")
		if _, err := weighting.ImportPopulation(ctx, db, bytes.NewReader([]byte(weighttest.PopulationCSV())), weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System); err != nil {
			t.Fatal(err)
		}
		if _, err := weighting.Weigh(ctx, db, round, weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}}, store.System); err != nil {
			t.Fatal(err)
		}
		check("after raking")

		// A round from before the sums were kept: estimates read the rows
		// until the sums are rebuilt.
		w := db.Writer()
		for _, q := range []string{"DELETE FROM psu_sums WHERE round_id = ?", "INSERT INTO psu_sums_stale (round_id) VALUES (?)"} {
			if _, err := w.Exec(w.Rebind(q), round); err != nil {
				t.Fatal(err)
			}
		}
		if stale, err := db.SumsStale(ctx, round); err != nil || !stale {
			t.Fatalf("stale %v (%v)", stale, err)
		}
		got, err := results.Estimate(ctx, db, round, results.Request{Variables: vars, By: "street"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := results.EstimateFromRows(ctx, db, round, results.Request{Variables: vars, By: "street"})
		sameReport(t, "stale", got, want)
		if err := results.Resum(ctx, db, store.System, round); err != nil {
			t.Fatal(err)
		}
		if stale, err := db.SumsStale(ctx, round); err != nil || stale {
			t.Fatalf("after resum: stale %v (%v)", stale, err)
		}
		check("after resum")
	})
}

type sumsRow struct {
	key  string
	sums [11]float64
}

// sumsTable reads a round's kept sums in key order.
func sumsTable(t *testing.T, db *store.DB, round int64) []sumsRow {
	t.Helper()
	rows, err := db.Reader().Query(db.Reader().Rebind("SELECT grp, indicator, psu, code, cal_cell, street_id, community_id, rows_n, sum_w, n, sum_w_present, sum_wy, sum_wy2, sum_y, sum_w2, sum_w2_present, sum_w2y, sum_w2y2 FROM psu_sums WHERE round_id = ? ORDER BY grp, indicator, psu, code, cal_cell"), round)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sumsRow
	for rows.Next() {
		var grp, ind string
		var psu, code, cell, street, comm int64
		var r sumsRow
		if err := rows.Scan(&grp, &ind, &psu, &code, &cell, &street, &comm, &r.sums[0], &r.sums[1], &r.sums[2], &r.sums[3], &r.sums[4], &r.sums[5], &r.sums[6], &r.sums[7], &r.sums[8], &r.sums[9], &r.sums[10]); err != nil {
			t.Fatal(err)
		}
		r.key = fmt.Sprintf("%s/%s/psu %d/code %d/cell %d/street %d/community %d", grp, ind, psu, code, cell, street, comm)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func close(a, b float64) bool {
	if a == b {
		return true // infinities too
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// sameReport fails unless two reports hold the same figures, in the same
// order, equal to 1e-12.
func sameReport(t *testing.T, what string, got, want results.Report) {
	t.Helper()
	if len(got.Estimates) != len(want.Estimates) {
		t.Fatalf("%s: %d figures, rows give %d", what, len(got.Estimates), len(want.Estimates))
	}
	for i, g := range got.Estimates {
		w := want.Estimates[i]
		if g.Variable != w.Variable || g.Domain != w.Domain || g.DomainID != w.DomainID || g.StreetID != w.StreetID || g.N != w.N || g.DF != w.DF || g.Small != w.Small {
			t.Fatalf("%s: figure %d is %+v, rows give %+v", what, i, g, w)
		}
		for _, p := range [][3]any{{"value", g.Value, w.Value}, {"se", g.SE, w.SE}, {"ci_low", g.CILow, w.CILow}, {"ci_high", g.CIHigh, w.CIHigh},
			{"deff", g.Deff, w.Deff}, {"eff_n", g.EffectiveN, w.EffectiveN}, {"sum_w", g.SumW, w.SumW}} {
			if !close(p[1].(float64), p[2].(float64)) {
				t.Errorf("%s: %s %d/%d %s %v, rows give %v", what, g.Variable, g.Domain, g.DomainID, p[0], p[1], p[2])
			}
		}
	}
}
