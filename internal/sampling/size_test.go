package sampling

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestSampleSize(t *testing.T) {
	tests := []struct {
		name             string
		spec             SizeSpec
		z, n0, n         float64
		completes, issue int
		capped           bool
	}{
		{"e=5%, p=0.5, 95%: the textbook 384.15 → 385",
			SizeSpec{Margin: 0.05}, 1.959964, 384.1459, 384.1459, 385, 385, false},
		{"explicit p and confidence give the same",
			SizeSpec{Margin: 0.05, P: 0.5, Confidence: 0.95, Deff: 1, ResponseRate: 1}, 1.959964, 384.1459, 384.1459, 385, 385, false},
		{"finite population N=2000: 384.15/(1+383.15/2000)",
			SizeSpec{Margin: 0.05, Population: 2000}, 1.959964, 384.1459, 322.3855, 323, 323, false},
		{"design effect 2 doubles n0",
			SizeSpec{Margin: 0.05, Deff: 2}, 1.959964, 768.2918, 768.2918, 769, 769, false},
		{"response rate 80%: issue ⌈385/0.8⌉",
			SizeSpec{Margin: 0.05, ResponseRate: 0.8}, 1.959964, 384.1459, 384.1459, 385, 482, false},
		{"e=3%, 99%",
			SizeSpec{Margin: 0.03, Confidence: 0.99}, 2.575829, 1843.0268, 1843.0268, 1844, 1844, false},
		{"p=0.9 with e=3% equals p=0.5 with e=5%",
			SizeSpec{Margin: 0.03, P: 0.9}, 1.959964, 384.1459, 384.1459, 385, 385, false},
		{"90% confidence",
			SizeSpec{Margin: 0.05, Confidence: 0.90}, 1.644854, 270.5543, 270.5543, 271, 271, false},
		{"small street N=100, response 50%: issue capped at N",
			SizeSpec{Margin: 0.05, Population: 100, ResponseRate: 0.5}, 1.959964, 384.1459, 79.5093, 80, 100, true},
		{"all together: p=0.8, deff 1.8, N=3000, response 0.7",
			SizeSpec{Margin: 0.05, P: 0.8, Deff: 1.8, Population: 3000, ResponseRate: 0.7}, 1.959964, 442.5361, 385.7604, 386, 552, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SampleSize(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"z", got.Z, tt.z}, {"n0", got.N0, tt.n0}, {"n", got.N, tt.n}} {
				if math.Abs(c.got-c.want) > 1e-4*c.want {
					t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
				}
			}
			if got.Completes != tt.completes || got.Issue != tt.issue || got.Capped != tt.capped {
				t.Errorf("completes, issue, capped = %d, %d, %v; want %d, %d, %v",
					got.Completes, got.Issue, got.Capped, tt.completes, tt.issue, tt.capped)
			}
		})
	}
}

func TestSampleSizeErrors(t *testing.T) {
	for _, spec := range []SizeSpec{
		{},
		{Margin: 1},
		{Margin: 0.05, Confidence: 1},
		{Margin: 0.05, P: 1},
		{Margin: 0.05, Deff: -1},
		{Margin: 0.05, ResponseRate: 1.2},
		{Margin: 0.05, Population: -5},
		{Margin: math.NaN()},
		{Margin: 1e-300},
		{Margin: 0.0009},
		{Margin: math.Inf(1)},
		{Margin: 0.05, Confidence: 0.99999},
		{Margin: 0.05, Confidence: math.NaN()},
		{Margin: 0.05, Deff: math.Inf(1)},
		{Margin: 0.05, Deff: 1e6},
		{Margin: 0.05, ResponseRate: 1e-300},
		{Margin: 0.05, P: -0.5},
		{Margin: 0.05, Population: 2_000_000_000},
	} {
		_, err := SampleSize(spec)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field == "" {
			t.Errorf("SampleSize(%+v) = %v, want an error naming the field", spec, err)
		}
	}
}

// Within the ranges no input gives an infinite or negative size: the
// corners of the ranges all encode as JSON with finite, positive numbers.
func TestSampleSizeCornersFinite(t *testing.T) {
	for _, m := range []float64{0.001, 0.5} {
		for _, c := range []float64{0.5, 0.9999} {
			for _, p := range []float64{1e-12, 0.5, 1 - 1e-12} {
				for _, d := range []float64{0.1, 100} {
					for _, rr := range []float64{0.01, 1} {
						for _, n := range []int{0, 1, 1e9} {
							spec := SizeSpec{Margin: m, Confidence: c, P: p, Deff: d, ResponseRate: rr, Population: n}
							res, err := SampleSize(spec)
							if err != nil {
								t.Fatalf("%+v: %v", spec, err)
							}
							if _, err := json.Marshal(res); err != nil || res.Completes < 1 || res.Issue < res.Completes && !res.Capped {
								t.Fatalf("%+v: %+v, %v", spec, res, err)
							}
						}
					}
				}
			}
		}
	}
}

func TestSampleSizes(t *testing.T) {
	strata := []Stratum{
		{ID: 1, Households: 2000},
		{ID: 2, Households: 100},
		{ID: 3, Households: 50000, Prior: 0.9},
	}
	per, tot, err := SampleSizes(SizeSpec{Margin: 0.05, ResponseRate: 0.8}, strata)
	if err != nil {
		t.Fatal(err)
	}
	// 323 of 2000; 80 of 100 (issue ⌈80/0.8⌉ = 100); p=0.9: n0 = 138.29,
	// 138.29/(1+137.29/50000) = 137.91 → 138, issue 173.
	want := []struct{ completes, issue int }{{323, 404}, {80, 100}, {138, 173}}
	for i, w := range want {
		if per[i].Stratum != strata[i].ID || per[i].Completes != w.completes || per[i].Issue != w.issue {
			t.Errorf("stratum %d: %+v, want completes %d issue %d", strata[i].ID, per[i], w.completes, w.issue)
		}
	}
	if tot.Completes != 323+80+138 || tot.Issue != 404+100+173 {
		t.Errorf("totals = %+v", tot)
	}
	if _, _, err := SampleSizes(SizeSpec{Margin: 0.05}, []Stratum{{ID: 9}}); err == nil {
		t.Error("a stratum without households should fail")
	}
}

func TestClusterDeffAndPSUsFor(t *testing.T) {
	if got := ClusterDeff(20, 0.05); math.Abs(got-1.95) > 1e-12 {
		t.Errorf("ClusterDeff(20, 0.05) = %v, want 1.95", got)
	}
	if got := ClusterDeff(1, 0.5); got != 1 {
		t.Errorf("ClusterDeff(1, 0.5) = %v, want 1", got)
	}
	for _, c := range []struct{ n, m, want int }{{385, 20, 20}, {400, 20, 20}, {0, 20, 0}, {1, 20, 1}} {
		if got := PSUsFor(c.n, c.m); got != c.want {
			t.Errorf("PSUsFor(%d, %d) = %d, want %d", c.n, c.m, got, c.want)
		}
	}
}

func TestClusterDeffWOR(t *testing.T) {
	for _, c := range []struct {
		m           int
		icc, f1, f2 float64
		want        float64
	}{
		{20, 0.05, 0, 0, ClusterDeff(20, 0.05)}, // nothing of the population: with replacement
		{20, 0.05, 1, 0, 0.95},                  // every community taken: households only
		{20, 0.05, 10.0 / 12, 0.05, (2.0/12)*20*0.05 + 0.95*0.95},
		{20, 0.05, 1, 1, 0}, // a census
	} {
		if got := ClusterDeffWOR(c.m, c.icc, c.f1, c.f2); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("ClusterDeffWOR(%d, %v, %v, %v) = %v, want %v", c.m, c.icc, c.f1, c.f2, got, c.want)
		}
	}
}
