package draw

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// testFrame makes a frame of streets × communities × households, with
// community sizes varying so PPS matters.
func testFrame(streets, communities, households int) []byte {
	var b bytes.Buffer
	b.WriteString("街道,社区,门牌号\n")
	for s := range streets {
		for c := range communities {
			n := households + (c%4)*households/2
			for h := range n {
				fmt.Fprintf(&b, "街道%d,社区%d-%d,%d号\n", s, s, c, h)
			}
		}
	}
	return b.Bytes()
}

func importFrame(t testing.TB, db *store.DB, data []byte) store.Frame {
	t.Helper()
	f, err := frameload.Import(context.Background(), db, bytes.NewReader(data), "frame.csv", frame.Options{}, store.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDraw(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importFrame(t, db, testFrame(3, 8, 20))
		spec := Spec{Name: "2026Q4 模拟入户", Design: "two-stage", N: 120, PerCommunity: 10, Reserves: 2, Seed: 42}
		res, err := Draw(ctx, db, spec, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sample.Households != 120 || res.Sample.Kind != "two-stage" || res.Sample.Seed != "42" || res.Sample.FrameVersion != 1 {
			t.Fatalf("sample = %+v", res.Sample)
		}
		if len(res.Streets) != 3 {
			t.Fatalf("streets = %+v", res.Streets)
		}
		// Every street got 40 households in 4 communities; base weights of
		// the main sample add up to about the street's households (exactly,
		// in expectation), and each selected community has 2 reserves.
		sum, err := db.SampleStreets(ctx, res.Sample.ID)
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := db.FrameStreets(ctx, 1)
		for i, s := range sum {
			if s.Households != 40 || s.Communities != 4 || s.Reserves != 8 {
				t.Errorf("street %s: %+v", s.Name, s)
			}
			if rel := math.Abs(s.WeightSum-float64(fs[i].Households)) / float64(fs[i].Households); rel > 0.5 {
				t.Errorf("street %s: weights sum to %.1f for %d households", s.Name, s.WeightSum, fs[i].Households)
			}
		}
		listing, err := db.SampleListing(ctx, res.Sample.ID, store.Scope{})
		if err != nil || len(listing) != 120+24 {
			t.Fatalf("listing: %d rows, %v", len(listing), err)
		}
		for _, u := range listing {
			if math.Abs(u.Prob-u.Prob1*u.Prob2) > 1e-12 || math.Abs(u.Weight*u.Prob-1) > 1e-9 {
				t.Fatalf("unit %+v: π ≠ π1·π2 or weight ≠ 1/π", u)
			}
		}

		// The same seed and frame give the same households.
		spec.Name = "again"
		res2, err := Draw(ctx, db, spec, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		listing2, _ := db.SampleListing(ctx, res2.Sample.ID, store.Scope{})
		for i := range listing {
			if listing[i].Household != listing2[i].Household || listing[i].Community != listing2[i].Community {
				t.Fatalf("same seed, different sample at %d: %+v vs %+v", i, listing[i], listing2[i])
			}
		}
		spec.Name, spec.Seed = "other seed", 43
		res3, err := Draw(ctx, db, spec, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		listing3, _ := db.SampleListing(ctx, res3.Sample.ID, store.Scope{})
		same := 0
		for i := range listing {
			if listing[i].Household == listing3[i].Household && listing[i].Community == listing3[i].Community {
				same++
			}
		}
		if same == len(listing) {
			t.Fatal("a different seed drew the same sample")
		}

		// SRS: the household is its own PSU, π = n_h/N_h.
		srs, err := Draw(ctx, db, Spec{Name: "srs", Design: "srs", N: 30, Allocation: "equal", Reserves: 3}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if srs.Sample.Households != 30 || srs.Sample.Reserves != 9 || srs.Sample.Seed == "0" {
			t.Fatalf("srs sample = %+v", srs.Sample)
		}
		ls, _ := db.SampleListing(ctx, srs.Sample.ID, store.Scope{})
		psus := map[int64]bool{}
		for _, u := range ls {
			psus[u.PSU] = true
		}
		if len(psus) != len(ls) {
			t.Fatalf("SRS: %d PSUs for %d households", len(psus), len(ls))
		}
		streets, spec2, err := Streets(srs.Sample)
		if err != nil || len(streets) != 3 || spec2.Allocation != "equal" {
			t.Fatalf("stored design: %+v %+v %v", streets, spec2, err)
		}
	})
}

func TestDrawErrors(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if _, err := Draw(ctx, db, Spec{Name: "x", Design: "srs", N: 10}, store.CLI); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("no frame: %v", err)
	}
	importFrame(t, db, testFrame(2, 3, 10))
	tests := []struct {
		spec  Spec
		field string
	}{
		{Spec{Design: "srs", N: 10}, "name"},
		{Spec{Name: "a", Design: "cluster", N: 10}, "design"},
		{Spec{Name: "a", Design: "srs"}, "n"},
		{Spec{Name: "a", Design: "srs", N: 10, Allocation: "fair"}, "allocation"},
		{Spec{Name: "a", Design: "srs", N: 10, Order: "zigzag"}, "order"},
		{Spec{Name: "a", Design: "srs", N: 10, Reserves: -1}, "reserves"},
		{Spec{Name: "a", Design: "srs", N: 10, Allocation: "neyman", Priors: map[string]float64{"街道0": 1.5}}, "priors"},
		{Spec{Name: "a", Design: "srs", N: 10, Allocation: "neyman", Priors: map[string]float64{"无此街道": 0.5}}, "priors"},
	}
	for _, tt := range tests {
		_, err := Draw(ctx, db, tt.spec, store.CLI)
		if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[tt.field] == "" {
			t.Errorf("%+v: err = %v, want a problem with %q", tt.spec, err, tt.field)
		}
	}
	if _, err := Draw(ctx, db, Spec{Name: "dup", Design: "srs", N: 10}, store.CLI); err != nil {
		t.Fatal(err)
	}
	if _, err := Draw(ctx, db, Spec{Name: "dup", Design: "srs", N: 10}, store.CLI); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := Draw(ctx, db, Spec{Name: "big", Design: "srs", N: 1000}, store.CLI); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("n beyond the frame: %v", err)
	}
}

func TestWriteListingCSV(t *testing.T) {
	var b bytes.Buffer
	rows := []store.SampleListing{{Street: "城关街道", Community: "=HYPERLINK(\"x\")", Building: "-1栋", Household: "101", Line: 2, PSU: 7, Prob1: 0.5, Prob2: 0.25, Prob: 0.125, Weight: 8}}
	if err := WriteListingCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffstreet,community,building,household,frame_line,reserve_rank,psu,pi1,pi2,pi,weight\n" +
		"城关街道,\"'=HYPERLINK(\"\"x\"\")\",'-1栋,101,2,,7,0.5,0.25,0.125,8\n"
	if b.String() != want {
		t.Fatalf("CSV:\n%q\nwant\n%q", b.String(), want)
	}
}
