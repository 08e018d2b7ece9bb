package draw

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// A field left out takes the domain's default; a value given is checked
// as given, never replaced.
func TestRequestSpec(t *testing.T) {
	spec, err := Request{Name: "a", N: ptr(10)}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Name: "a", N: 10, Design: DefaultDesign, Allocation: DefaultAllocation, Order: DefaultOrder, PerCommunity: DefaultPerCommunity}
	if spec.Name != want.Name || spec.N != want.N || spec.Design != want.Design || spec.Allocation != want.Allocation ||
		spec.Order != want.Order || spec.PerCommunity != want.PerCommunity || spec.Seed != 0 || spec.FrameVersion != 0 || spec.Exact {
		t.Fatalf("minimal request = %+v, want %+v", spec, want)
	}
	for _, tc := range []struct {
		req   Request
		field string
	}{
		{Request{Name: "a"}, "n"},
		{Request{Name: "a", N: ptr(0)}, "n"},
		{Request{Name: "a", N: ptr(-5)}, "n"},
		{Request{Name: "a", N: ptr(MaxHouseholds + 1)}, "n"},
		{Request{Name: "a", N: ptr(10), PerCommunity: ptr(0)}, "per_community"},
		{Request{Name: "a", N: ptr(10), PerCommunity: ptr(-1)}, "per_community"},
		{Request{Name: "a", N: ptr(10), Reserves: ptr(-1)}, "reserves"},
		{Request{Name: "a", N: ptr(10), Reserves: ptr(MaxReserves + 1)}, "reserves"},
		{Request{Name: "a", N: ptr(10), MinPerStreet: ptr(-1)}, "min_per_street"},
		{Request{Name: "a", N: ptr(10), FrameVersion: ptr(0)}, "frame_version"},
		{Request{Name: "a", N: ptr(10), FrameVersion: ptr(-2)}, "frame_version"},
		{Request{Name: "a", N: ptr(10), Seed: ptr(uint64(0))}, "seed"},
		{Request{Name: "a", N: ptr(10), Design: ptr("")}, "design"},
		{Request{Name: "a", N: ptr(10), Allocation: ptr("")}, "allocation"},
		{Request{Name: "a", N: ptr(10), Order: ptr("")}, "order"},
	} {
		if _, err := tc.req.Spec(); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[tc.field] == "" {
			t.Errorf("%+v: %v, want a problem with %s", tc.req, err, tc.field)
		}
	}
}

// Sample names appear in URLs: they follow textcheck.PathName.
func TestSampleNames(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	importFrame(t, db, testFrame(2, 3, 10))
	for _, name := range []string{"a/b", "../x", "..", ".hidden", `a\b`, "a?b", "a%2F", "", "x\u202e", strings.Repeat("名", 101)} {
		_, err := Draw(ctx, db, Spec{Name: name, Design: "srs", N: 4}, store.System)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.FieldsOf(err)["name"], "not starting with a dot") {
			t.Errorf("name %q: %v, want the name rule", name, err)
		}
	}
	res, err := Draw(ctx, db, Spec{Name: " 2026Q4 模拟入户（第一轮） ", Design: "srs", N: 4}, store.System)
	if err != nil || res.Sample.Name != "2026Q4 模拟入户（第一轮）" {
		t.Fatalf("good name: %+v, %v", res.Sample, err)
	}
}

// n = 100 at 10 per community in 3 streets of 33, 33 and 34 households:
// whole communities give 4 × 10 per street (120, with a note saying why);
// an exact sample takes 100, with π2 = the reduced count over the size in
// the last community of each street.
func TestDrawExact(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importFrame(t, db, testFrame(3, 8, 20))
		res, err := Draw(ctx, db, Spec{Name: "whole", N: 100, Design: "two-stage", PerCommunity: 10, Seed: 3}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sample.Households != 120 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "20 more than n = 100") || !strings.Contains(res.Notes[0], "exact") {
			t.Fatalf("whole communities: %d households, notes %q", res.Sample.Households, res.Notes)
		}
		res, err = Draw(ctx, db, Spec{Name: "exact", N: 100, Design: "two-stage", PerCommunity: 10, Reserves: 2, Seed: 3, Exact: true}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sample.Households != 100 || len(res.Notes) != 0 {
			t.Fatalf("exact: %d households, notes %q", res.Sample.Households, res.Notes)
		}
		listing, err := db.SampleListing(ctx, res.Sample.ID, store.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		fr, _ := db.FrameByVersion(ctx, 1)
		units, _ := db.FrameUnits(ctx, fr.ID)
		size := map[int64]int{}
		for _, u := range units {
			size[u.CommunityID]++
		}
		taken := map[string]int{}
		byComm := map[string]int64{}
		for _, u := range listing {
			if !u.ReserveRank.Valid {
				taken[u.Community]++
				byComm[u.Community] = u.PSU
			}
		}
		reduced := 0
		for _, u := range listing {
			M := float64(size[byComm[u.Community]])
			if want := float64(taken[u.Community]) / M; math.Abs(u.Prob2-want) > 1e-12 {
				t.Fatalf("%s: π2 = %v, took %d of %v", u.Community, u.Prob2, taken[u.Community], M)
			}
			if math.Abs(u.Prob-u.Prob1*u.Prob2) > 1e-12 || math.Abs(u.Weight*u.Prob-1) > 1e-9 {
				t.Fatalf("unit %+v: π ≠ π1·π2 or weight ≠ 1/π", u)
			}
		}
		for _, n := range taken {
			if n < 10 {
				reduced++
			}
		}
		if reduced != 3 {
			t.Errorf("%d communities took fewer than 10, want one per street: %v", reduced, taken)
		}
	})
}

// No response of the sample-size calculator carries Inf or NaN: at the
// corners of the stated ranges, with a frame, every plan encodes as JSON.
func TestSizesFiniteAtCorners(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	importFrame(t, db, testFrame(2, 3, 10))
	for _, m := range []float64{0.001, 0.5} {
		for _, c := range []float64{0.5, 0.9999} {
			for _, rr := range []float64{0.01, 1} {
				for _, d := range []float64{0.1, 100} {
					spec := sampling.SizeSpec{Margin: m, Confidence: c, ResponseRate: rr, Deff: d, P: 1e-9}
					plan, err := Sizes(ctx, db, spec, 0)
					if err != nil {
						t.Fatalf("%+v: %v", spec, err)
					}
					if _, err := json.Marshal(plan); err != nil || plan.Totals.Issue < 1 {
						t.Fatalf("%+v: %+v, %v", spec, plan.Totals, err)
					}
				}
			}
		}
	}
	for _, spec := range []sampling.SizeSpec{{Margin: 1e-300}, {Margin: 0.05, Confidence: 1}, {Margin: 0.05, Deff: math.Inf(1)}, {Margin: 0.05, P: math.NaN()}} {
		if _, err := Sizes(ctx, db, spec, 0); !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) != 1 {
			t.Errorf("%+v: %v, want Invalid naming the field", spec, err)
		}
	}
}
