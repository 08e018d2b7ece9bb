package store_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestSaveWeights(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		round := storetest.SeedRound(t, db, 100, 2, 4)
		units, err := db.WeightingUnits(ctx, round)
		if err != nil || len(units) != 100 || units[0].ResponseID == 0 || units[0].BaseWeight < 20 || units[0].StreetID == 0 {
			t.Fatalf("units %d %+v (%v)", len(units), units[0], err)
		}
		if _, err := db.LatestWeighting(ctx, round); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("before weighting: %v", err)
		}
		ws := make([]store.ResponseWeight, len(units))
		for i, u := range units {
			ws[i] = store.ResponseWeight{ResponseID: u.ResponseID, Weight: 50 + float64(i), InputWeight: 40, Cell: int32(i % 3)}
		}
		rw := store.RoundWeighting{RoundID: round, Config: `{"calibration":"rake"}`, Report: `{}`, Calibration: `{}`}
		// One response missing (accepted meanwhile, say): nothing is written.
		if _, err := db.SaveWeights(ctx, store.CLI, rw, ws[1:], nil); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a response left out: %v", err)
		}
		if _, err := db.LatestWeighting(ctx, round); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("after a refused run: %v", err)
		}
		// A report that names its own run (issue 24: GET /weighting said
		// weighting_id 0 where the POST had answered 8).
		rw.ReportFor = func(id int64) (string, error) { return fmt.Sprintf(`{"weighting_id":%d}`, id), nil }
		id, err := db.SaveWeights(ctx, store.CLI, rw, ws, map[string]int{"respondents": 100})
		if err != nil || id == 0 {
			t.Fatal(id, err)
		}
		w, err := db.LatestWeighting(ctx, round)
		if err != nil || w.ID != id || w.Config != rw.Config || w.Report != fmt.Sprintf(`{"weighting_id":%d}`, id) {
			t.Fatalf("latest %+v (%v)", w, err)
		}
		rs, err := db.RoundRespondents(ctx, round)
		if err != nil || len(rs) != 100 {
			t.Fatalf("respondents %d (%v)", len(rs), err)
		}
		for i, r := range rs {
			if r.ID != ws[i].ResponseID || r.Weight != ws[i].Weight || r.Input != 40 || r.Cell != ws[i].Cell {
				t.Fatalf("respondent %+v, want %+v", r, ws[i])
			}
		}
		byID := map[int64]float64{}
		for _, x := range ws {
			byID[x.ResponseID] = x.Weight
		}
		n := 0
		err = db.RoundValues(ctx, round, func(id int64, ind string, v float64) error {
			n++
			if ind == "score" && !math.IsNaN(v) && (v < 20 || v > 100) {
				t.Errorf("score %v", v)
			}
			return nil
		})
		if err != nil || n != 400 {
			t.Fatalf("%d values (%v)", n, err)
		}
		var bad int
		if err := db.Reader().Get(&bad, "SELECT COUNT(*) FROM response_values v JOIN responses r ON r.id = v.response_id WHERE v.weight <> r.weight OR v.cal_cell <> r.cal_cell"); err != nil || bad != 0 {
			t.Fatalf("%d values differ from their response (%v)", bad, err)
		}
		var audits int
		if err := db.Reader().Get(&audits, "SELECT COUNT(*) FROM audit_log WHERE action = 'round.weight'"); err != nil || audits != 1 {
			t.Fatalf("%d audit entries (%v)", audits, err)
		}
	})
}
