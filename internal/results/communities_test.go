package results_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/sae"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Community estimates: the direct rate and its within-community variance
// are computed again here from the rows; the model estimate is the
// Fay–Herriot fit over every community of the round, whatever street is
// asked for; a street's request returns its communities only.
func TestForCommunities(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		round := storetest.SeedRound(t, db, 900, 3, 45)
		rep, err := results.ForCommunities(ctx, db, round, results.CommunityRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Fits) != 3 || len(rep.Communities) != 3*45 {
			t.Fatalf("%d fits, %d figures; want 3 rates × 45 communities", len(rep.Fits), len(rep.Communities))
		}
		// The rows, by community name, of "aware".
		rows, err := db.Reader().Query("SELECT c.name, rv.weight, rv.value FROM response_values rv JOIN communities c ON c.id = rv.community_id WHERE rv.indicator = 'aware' AND rv.value IS NOT NULL")
		if err != nil {
			t.Fatal(err)
		}
		type acc struct{ w, y []float64 }
		by := map[string]*acc{}
		for rows.Next() {
			var name string
			var w, y float64
			if err := rows.Scan(&name, &w, &y); err != nil {
				t.Fatal(err)
			}
			if by[name] == nil {
				by[name] = &acc{}
			}
			by[name].w = append(by[name].w, w)
			by[name].y = append(by[name].y, y)
		}
		rows.Close()
		var areas []sae.Area
		var figs []results.CommunityFigure
		streets := map[string]int{"街道1": 0, "街道2": 1, "街道3": 2}
		for _, f := range rep.Communities {
			if f.Variable != "aware" {
				continue
			}
			a := by[f.Community]
			var sw, sw2, swy float64
			for i, w := range a.w {
				sw += w
				sw2 += w * w
				swy += w * a.y[i]
			}
			p := swy / sw
			var ss float64
			for i, w := range a.w {
				ss += (w * (a.y[i] - p) / sw) * (w * (a.y[i] - p) / sw)
			}
			n := float64(len(a.w))
			se := math.Sqrt(n / (n - 1) * ss)
			if f.N != len(a.w) || f.Direct == nil || math.Abs(*f.Direct-p) > 1e-12 || f.DirectSE == nil || math.Abs(*f.DirectSE-se) > 1e-12 {
				t.Errorf("%s: n %d direct %v se %v; want %d, %v, %v", f.Community, f.N, f.Direct, f.DirectSE, len(a.w), p, se)
			}
			if f.Model == nil || f.ModelLow == nil || !(*f.ModelLow <= *f.Model && *f.Model <= *f.ModelHigh) || !(*f.ModelMSE > 0) || !(*f.Gamma >= 0 && *f.Gamma <= 1) {
				t.Errorf("%s: model %v [%v, %v] mse %v γ %v", f.Community, f.Model, f.ModelLow, f.ModelHigh, f.ModelMSE, f.Gamma)
			}
			areas = append(areas, sae.Area{Group: streets[f.Street], N: len(a.w), Direct: p, SumW: sw, SumW2: sw2, FPC: 1})
			figs = append(figs, f)
		}
		want := sae.Rates(areas, 0.95)
		if want.Reason != "" {
			t.Fatalf("reference fit: %s", want.Detail)
		}
		for i, f := range figs {
			if math.Abs(*f.Model-want.Estimates[i].Value) > 1e-12 || math.Abs(*f.ModelMSE-want.Estimates[i].MSE) > 1e-12 {
				t.Errorf("%s: model %v mse %v; want %v, %v", f.Community, *f.Model, *f.ModelMSE, want.Estimates[i].Value, want.Estimates[i].MSE)
			}
		}
		// One street: its communities, the same figures.
		one, err := results.ForCommunities(ctx, db, round, results.CommunityRequest{StreetID: 2, Indicators: []string{"aware"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(one.Communities) != 15 {
			t.Fatalf("street 2: %d figures, want 15", len(one.Communities))
		}
		for _, f := range one.Communities {
			if f.Street != "街道2" {
				t.Errorf("street 2's report has %s of %s", f.Community, f.Street)
			}
			for _, g := range figs {
				if g.Community == f.Community && *g.Model != *f.Model {
					t.Errorf("%s: model %v alone, %v with every street", f.Community, *f.Model, *g.Model)
				}
			}
		}
		if _, err := results.ForCommunities(ctx, db, round, results.CommunityRequest{Indicators: []string{"score"}}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a score is not a rate: %v", err)
		}
		if _, err := results.ForCommunities(ctx, db, round, results.CommunityRequest{StreetID: 99}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("street 99: %v", err)
		}
	})
}

// Too few communities for the model: no model estimate, the reason said,
// the direct estimates still there.
func TestForCommunitiesTooFew(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	round := storetest.SeedRound(t, db, 200, 2, 4)
	rep, err := results.ForCommunities(context.Background(), db, round, results.CommunityRequest{Indicators: []string{"aware"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Fits) != 1 || rep.Fits[0].Reason != sae.ReasonTooFewAreas || rep.Fits[0].Areas != 4 {
		t.Fatalf("fits %+v; want too_few_areas over 4", rep.Fits)
	}
	for _, f := range rep.Communities {
		if f.Model != nil || f.Direct == nil {
			t.Errorf("%s: model %v direct %v", f.Community, f.Model, f.Direct)
		}
	}
}

// The community export: one row per rate and community with the direct
// and model figures and the model's MSE; a street scope writes its own
// communities only.
func TestWriteCommunities(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	round := storetest.SeedRound(t, db, 900, 3, 45)
	rep, err := results.ForCommunities(context.Background(), db, round, results.CommunityRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []store.Scope{{}, {StreetID: 3}} {
		var buf bytes.Buffer
		book, err := export.NewBook(&buf, export.FormatCSV, export.Options{NoBOM: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := results.WriteCommunities(context.Background(), db, round, results.ExportOptions{Format: export.FormatCSV, Scope: sc}, book); err != nil {
			t.Fatal(err)
		}
		if err := book.Close(); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := 3 * 45
		if sc.StreetID != 0 {
			want = 3 * 15
		}
		if len(rows) != want+1 || rows[0][0] != "indicator" || rows[0][9] != "model_mse" {
			t.Fatalf("scope %v: %d rows, header %v", sc, len(rows), rows[0])
		}
		for _, r := range rows[1:] {
			if sc.StreetID != 0 && r[1] != "街道3" {
				t.Errorf("street 3's export has a row of %s", r[1])
			}
			for _, f := range rep.Communities {
				if f.Variable == r[0] && f.Community == r[2] {
					mse, _ := strconv.ParseFloat(r[9], 64)
					if f.ModelMSE == nil || math.Abs(mse-*f.ModelMSE) > 1e-12*math.Max(1, mse) {
						t.Errorf("%s %s: mse %s, want %v", r[0], r[2], r[9], f.ModelMSE)
					}
				}
			}
		}
	}
}
