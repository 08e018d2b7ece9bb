package results

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

var vars = []stats.Variable{{Name: "aware", Kind: stats.Rate}, {Name: "score", Kind: stats.Mean}}

// rowLevel estimates the same round from its rows, with the row-level API
// of package stats: the reference the push-down must equal. With wor the
// PSUs carry the probabilities of their households in the sample.
func rowLevel(t *testing.T, db *store.DB, by string, wor bool) []stats.Estimate {
	t.Helper()
	dom := map[string]string{"": "-1", "street": "rv.street_id", "community": "rv.community_id"}[by]
	rows, err := db.Reader().Query("SELECT MAX(rv.street_id), MAX(rv.psu), MAX(" + dom + "), MAX(rv.weight), MAX(CASE WHEN indicator = 'aware' THEN value END), MAX(CASE WHEN indicator = 'score' THEN value END), COUNT(CASE WHEN indicator = 'aware' THEN 1 END), MAX(su.prob1), MAX(su.prob2) " +
		"FROM response_values rv JOIN responses r ON r.id = rv.response_id JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id " +
		"GROUP BY rv.response_id ORDER BY rv.response_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	strata, psus, doms := stats.NewIndex(), stats.NewIndex(), stats.NewIndex()
	s := &stats.Sample{Vars: make([][]float64, 2)}
	type r struct {
		stratum, psu, domain int64
		w                    float64
		a, sc                *float64
		one                  int
		p1, p2               float64
	}
	var all []r
	for rows.Next() {
		var x r
		if err := rows.Scan(&x.stratum, &x.psu, &x.domain, &x.w, &x.a, &x.sc, &x.one, &x.p1, &x.p2); err != nil {
			t.Fatal(err)
		}
		all = append(all, x)
	}
	// strata numbered in ascending id order, as the push-down does
	ids := func(get func(r) int64) []int64 {
		seen := map[int64]bool{}
		var out []int64
		for _, x := range all {
			if v := get(x); v >= 0 && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j] < out[i] {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	}
	for _, id := range ids(func(x r) int64 { return x.stratum }) {
		strata.ID(string(rune(id)))
	}
	// domains in the district's order: the seed's streets and communities
	// keep their default positions, so by street, then by id
	domIDs := ids(func(x r) int64 { return x.domain })
	streetOf := map[int64]int64{}
	for _, x := range all {
		streetOf[x.domain] = x.stratum
	}
	slices.SortStableFunc(domIDs, func(a, b int64) int {
		return cmp.Or(cmp.Compare(streetOf[a], streetOf[b]), cmp.Compare(a, b))
	})
	for _, id := range domIDs {
		doms.ID(string(rune(id)))
	}
	val := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	for _, x := range all {
		s.Stratum = append(s.Stratum, strata.ID(string(rune(x.stratum))))
		s.PSU = append(s.PSU, psus.ID(string(rune(x.psu))))
		d := stats.NoDomain
		if x.domain >= 0 {
			d = doms.ID(string(rune(x.domain)))
		}
		s.Domain = append(s.Domain, d)
		s.Weight = append(s.Weight, x.w)
		s.Vars[0] = append(s.Vars[0], val(x.a))
		s.Vars[1] = append(s.Vars[1], val(x.sc))
	}
	d := &stats.Design{Strata: strata.Labels()}
	if wor {
		d.PSUs = make([]stats.PSUProb, psus.Len())
		for i, x := range all {
			d.PSUs[s.PSU[i]] = stats.PSUProb{First: x.p1, Second: x.p2}
		}
	}
	est, err := stats.EstimateSample(d, s, vars, stats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return est
}

func TestPushDownEqualsRowLevel(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		round := storetest.SeedRound(t, db, 3000, 4, 40)
		for _, c := range []struct {
			by       string
			variance stats.Variance
		}{{"", stats.VarianceWOR}, {"street", stats.VarianceWOR}, {"community", stats.VarianceWOR}, {"", stats.VarianceWR}, {"street", stats.VarianceWR}} {
			by := c.by
			rep, err := Estimate(ctx, db, round, Request{Variables: vars, By: by, Variance: c.variance}, func(kind string, id int64) string { return kind })
			if err != nil {
				t.Fatal(err)
			}
			if rep.Variance != c.variance {
				t.Fatalf("by %q: variance %v, asked for %v", by, rep.Variance, c.variance)
			}
			want := rowLevel(t, db, by, c.variance == stats.VarianceWOR)
			if len(rep.Estimates) != len(want) {
				t.Fatalf("by %q: %d estimates, want %d", by, len(rep.Estimates), len(want))
			}
			for i, w := range want {
				g := rep.Estimates[i].Estimate
				if g.Variable != w.Variable || g.Domain != w.Domain || g.N != w.N || g.DF != w.DF {
					t.Fatalf("by %q #%d: %+v, want %+v", by, i, g, w)
				}
				for _, p := range [][2]float64{{g.Value, w.Value}, {g.SE, w.SE}, {g.CILow, w.CILow}, {g.CIHigh, w.CIHigh}, {g.Deff, w.Deff}} {
					if math.Abs(p[0]-p[1]) > 1e-9*math.Max(1, math.Abs(p[1])) {
						t.Fatalf("by %q #%d (%s domain %d): %v, want %v\n got %+v\nwant %+v", by, i, g.Variable, g.Domain, p[0], p[1], g, w)
					}
				}
			}
			if by == "street" && (len(rep.Estimates) != 2*(1+4) || rep.Estimates[1].DomainID != 1) {
				t.Fatalf("street breakdown: %+v", rep.Estimates)
			}
		}
		// district awareness lands near its built-in value and the JSON is
		// well-formed, with nulls where there is nothing.
		rep, _ := Estimate(ctx, db, round, Request{Variables: vars, By: "street", Options: stats.Options{MinN: 1000}}, nil)
		b, err := json.Marshal(rep)
		if err != nil || !strings.Contains(string(b), `"variable":"aware"`) || !strings.Contains(string(b), `"small":true`) {
			t.Fatalf("json = %s, %v", b, err)
		}
	})
}

func TestEstimateErrors(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if _, err := Estimate(ctx, db, 1, Request{}, nil); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no variables: %v", err)
	}
	if _, err := Estimate(ctx, db, 1, Request{Variables: vars, By: "age; DROP TABLE users"}, nil); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("bad breakdown: %v", err)
	}
	if _, err := Estimate(ctx, db, 99, Request{Variables: vars}, nil); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("empty round: %v", err)
	}
}

func TestForRound(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		round := storetest.SeedRound(t, db, 2000, 3, 12)
		rep, err := ForRound(ctx, db, round, RoundRequest{By: "street", Options: stats.Options{MinN: 30}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Round.Name != "seeded round" || len(rep.Indicators) != 5 || rep.Indicators[0].Label["zh-CN"] != "知晓率" || rep.Indicators[4].ID != CompositeID {
			t.Fatalf("round %+v, indicators %+v", rep.Round, rep.Indicators)
		}
		if len(rep.Estimates) != 5*(1+3) {
			t.Fatalf("%d estimates", len(rep.Estimates))
		}
		// The composite is 0.4·aware + 0.3·support + 0.3·join in every domain.
		byKey := map[string]float64{}
		for _, f := range rep.Estimates {
			byKey[f.Variable+f.DomainLabel] = f.Value
		}
		for _, d := range []string{"", "街道1", "街道2", "街道3"} {
			want := 0.4*byKey["aware"+d] + 0.3*byKey["support"+d] + 0.3*byKey["join"+d]
			if math.Abs(byKey[CompositeID+d]-want) > 1e-12 {
				t.Fatalf("composite %q = %v, want %v", d, byKey[CompositeID+d], want)
			}
		}
		for _, f := range rep.Estimates {
			switch f.Variable {
			case "aware": // target 0.9, true rate about 0.75: below
				if f.BelowTarget == nil || !*f.BelowTarget || f.Kind != stats.Rate {
					t.Fatalf("aware %s: %+v", f.DomainLabel, f)
				}
			case "support", "join": // no target
				if f.BelowTarget != nil {
					t.Fatalf("%s has no target: %+v", f.Variable, f)
				}
			case "score": // target 60, mean about 60 ± noise; a mean, not a rate
				if f.BelowTarget == nil || f.Kind != stats.Mean {
					t.Fatalf("score: %+v", f)
				}
			case CompositeID: // target 0.7, value about 0.66
				if f.BelowTarget == nil || !(f.CILow < f.Value && f.Value < f.CIHigh) {
					t.Fatalf("composite: %+v", f)
				}
			}
			if f.Domain != stats.NoDomain && !strings.HasPrefix(f.DomainLabel, "街道") {
				t.Fatalf("domain label %q", f.DomainLabel)
			}
		}
		// Compared with itself, every change is 0 with √2 times the se.
		same, err := ForRound(ctx, db, round, RoundRequest{By: "street", CompareTo: round})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range same.Estimates {
			if f.Change == nil || f.Change.Value != 0 || math.Abs(f.Change.SE-math.Sqrt2*f.SE) > 1e-12 {
				t.Fatalf("change of %s %s: %+v", f.Variable, f.DomainLabel, f.Change)
			}
		}
		if _, err := ForRound(ctx, db, round, RoundRequest{CompareTo: 77}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("compare with an unknown round: %v", err)
		}
		only, err := ForRound(ctx, db, round, RoundRequest{Indicators: []string{"score"}})
		if err != nil || len(only.Estimates) != 1 || only.Estimates[0].Variable != "score" {
			t.Fatalf("one indicator: %+v, %v", only.Estimates, err)
		}
		if _, err := ForRound(ctx, db, round, RoundRequest{Indicators: []string{"nope"}}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown indicator: %v", err)
		}
		if _, err := ForRound(ctx, db, 42, RoundRequest{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown round: %v", err)
		}
	})
}
