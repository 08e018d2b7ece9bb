package sae

import (
	"math"
	"slices"
	"testing"
)

func ratesAreas() []Area {
	var out []Area
	for i := range 18 {
		n := 10 + (i*7)%25
		p := 0.35 + 0.6*math.Abs(math.Sin(float64(i)*1.7))
		out = append(out, Area{Group: i % 3, N: n, Direct: math.Round(p*float64(n)) / float64(n), SumW: 20 * float64(n), SumW2: 400 * float64(n), FPC: 1})
	}
	return out
}

// Rates is the Fay–Herriot fit of asin(√p̂) with ψ = 1/(4ñ) and a street
// factor, transformed back; an area without respondents is model-only.
func TestRates(t *testing.T) {
	areas := ratesAreas()
	areas[4].N, areas[4].Direct = 0, math.NaN() // no respondent: model-only
	areas[7].Direct = 1                         // unanimous: still fitted
	res := Rates(areas, 0.95)
	if res.Reason != "" || res.Fit.Truncated {
		t.Fatalf("want a fit with σ²ᵥ > 0: %s %+v", res.Detail, res.Fit)
	}
	// The same fit by hand.
	var in Input
	for i, a := range areas {
		if i == 4 {
			continue
		}
		x := []float64{1, 0, 0}
		if a.Group > 0 {
			x[a.Group] = 1
		}
		in.Y = append(in.Y, math.Asin(math.Sqrt(a.Direct)))
		in.Psi = append(in.Psi, 1/(4*float64(a.N)))
		in.X = append(in.X, x)
	}
	fit, err := FayHerriot(in)
	if err != nil {
		t.Fatal(err)
	}
	z := 1.959963984540054
	k := 0
	for i, e := range res.Estimates {
		if i == 4 {
			syn, mse := fit.Predict([]float64{1, 1, 0})
			if e.Note != ReasonModelOnly || e.Gamma != 0 || math.Abs(e.Theta-syn) > 1e-14 || math.Abs(e.MSETheta-mse) > 1e-14 {
				t.Errorf("model-only area: %+v", e)
			}
			continue
		}
		th, mse := fit.EBLUP[k], fit.MSE[k]
		k++
		s := math.Sin(th)
		lo, hi := math.Sin(th-z*math.Sqrt(mse)), math.Sin(min(th+z*math.Sqrt(mse), math.Pi/2))
		if math.Abs(e.Value-s*s) > 1e-14 || math.Abs(e.Low-lo*lo) > 1e-12 || math.Abs(e.High-hi*hi) > 1e-12 || e.Note != "" {
			t.Errorf("area %d: %+v; want %v [%v, %v]", i, e, s*s, lo*lo, hi*hi)
		}
		if d := math.Sin(2 * th); math.Abs(e.MSE-d*d*mse) > 1e-15 {
			t.Errorf("area %d: mse %v, want %v", i, e.MSE, d*d*mse)
		}
		if !(e.Low <= e.Value && e.Value <= e.High && e.High <= 1) {
			t.Errorf("area %d: interval [%v, %v] around %v", i, e.Low, e.High, e.Value)
		}
	}
	// Unequal weights shrink the effective size: ψ grows.
	w := ratesAreas()
	w[0].SumW2 *= 2
	if a, b := Rates(w, 0.95).Estimates[0].Gamma, Rates(ratesAreas(), 0.95).Estimates[0].Gamma; !(a < b) {
		t.Errorf("γ with unequal weights %v, equal %v", a, b)
	}
}

// Areas that agree as well as their sampling error allows: σ̂²ᵥ = 0, said
// as a note; too few: the reason, no estimates.
func TestRatesNotesAndReasons(t *testing.T) {
	var flat []Area
	for i := range 12 {
		flat = append(flat, Area{Group: 0, N: 10, Direct: []float64{0.8, 0.7, 0.9}[i%3], SumW: 10, SumW2: 10, FPC: 1})
	}
	res := Rates(flat, 0.95)
	if res.Reason != "" || !slices.Contains(res.Notes, ReasonVarianceZero) || !res.Fit.Truncated {
		t.Fatalf("flat areas: reason %q notes %v", res.Reason, res.Notes)
	}
	for _, e := range res.Estimates {
		if e.Gamma != 0 || math.Abs(e.Value-res.Estimates[0].Value) > 1e-12 {
			t.Errorf("σ²ᵥ = 0: every estimate synthetic, got %+v", e)
		}
	}
	few := Rates(ratesAreas()[:5], 0.95)
	if few.Reason != ReasonTooFewAreas || few.Estimates != nil {
		t.Errorf("5 areas, 3 streets: reason %q", few.Reason)
	}
}
