package stats

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestAdjustNonresponseEligibility(t *testing.T) {
	R, N, I, U := Respondent, Nonrespondent, Ineligible, Unknown
	for _, c := range []struct {
		name   string
		w      []float64
		class  []int32
		status []Eligibility
		factor []float64
		e      []float64
		err    string
	}{
		{
			// class 0: R 10+20, N 10, I 5, U 15: e = 40/45, f = (40 + 15·40/45)/30
			// class 1: R 4, U 4, no ineligible: e = 1, f = 8/4
			name: "by hand", w: []float64{10, 20, 10, 5, 15, 4, 4}, class: []int32{0, 0, 0, 0, 0, 1, 1},
			status: []Eligibility{R, R, N, I, U, R, U},
			factor: []float64{(40 + 15*40.0/45) / 30, 2}, e: []float64{40.0 / 45, 1},
		},
		{name: "a class of ineligible units only", w: []float64{1, 1}, class: []int32{0, 1}, status: []Eligibility{R, I}, factor: []float64{1, 0}, e: []float64{1, 0}},
		{name: "no respondent", w: []float64{1, 1, 1}, class: []int32{0, 1, 1}, status: []Eligibility{R, N, U}, err: "class 1 has no respondent"},
		{name: "bad weight", w: []float64{math.Inf(1)}, class: []int32{0}, status: []Eligibility{R}, err: "not a positive number"},
		{name: "bad status", w: []float64{1}, class: []int32{0}, status: []Eligibility{9}, err: "unknown eligibility"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, cls, err := AdjustNonresponseEligibility(c.w, c.class, c.status, nil)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, a := range cls {
				if !closeTo(a.Factor, c.factor[k], 1e-14) || !closeTo(a.EligibilityRate, c.e[k], 1e-14) {
					t.Errorf("class %d: factor %v e %v, want %v %v", k, a.Factor, a.EligibilityRate, c.factor[k], c.e[k])
				}
			}
			for i, x := range out {
				want := 0.0
				if c.status[i] == R {
					want = c.w[i] * c.factor[c.class[i]]
				}
				if !closeTo(x, want, 1e-14) {
					t.Errorf("unit %d: %v, want %v", i, x, want)
				}
			}
		})
	}
}

func TestSummarizeWeights(t *testing.T) {
	s := SummarizeWeights([]float64{1, 0, 3}) // the zero is a non-respondent
	// mean 2, population sd 1: CV 0.5, deff 1.25 = 2·(1+9)/16
	if s.N != 2 || s.Min != 1 || s.Max != 3 || !closeTo(s.CV, 0.5, 1e-15) || !closeTo(s.Deff, 1.25, 1e-15) || !closeTo(s.EffectiveN, 1.6, 1e-15) {
		t.Fatalf("%+v", s)
	}
	if z := SummarizeWeights(nil); z.N != 0 || z.Deff != 0 {
		t.Fatalf("empty: %+v", z)
	}
}

func TestCalibrationJSON(t *testing.T) {
	c, err := Rake([]float64{10, 20, 30, 40}, []Margin{
		{Name: "a", Level: []int32{0, 0, 1, 1}, Population: []float64{50, 70}},
		{Name: "b", Level: []int32{0, 1, 0, 1}, Population: []float64{45, 75}},
	}, RakeOptions{Epsilon: 1e-10, MaxIter: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Calibration
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Cells() != 4 || back.Passes() != c.Passes() || back.Factor(3) != c.Factor(3) || back.ratio[1][2] != c.ratio[1][2] {
		t.Fatalf("round trip: %s", b)
	}
	for _, bad := range []string{`{"factor":[1],"level":[[0]],"nlev":[1],"ratio":[[1,2]]}`, `{"factor":[1],"level":[[3]],"nlev":[1],"ratio":[[1]]}`, `{"factor":[1]}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	// Non-convergence names a margin.
	_, err = Rake([]float64{10, 20, 30, 40}, []Margin{
		{Name: "a", Level: []int32{0, 0, 1, 1}, Population: []float64{50, 70}},
		{Name: "b", Level: []int32{0, 1, 0, 1}, Population: []float64{45, 75}},
	}, RakeOptions{Epsilon: 1e-12, MaxIter: 1})
	if err == nil || !strings.Contains(err.Error(), "margin a is still off") {
		t.Fatalf("non-convergence: %v", err)
	}
}

func TestLogisticRegressionErrors(t *testing.T) {
	d := &Design{Strata: []string{"S"}}
	base := func() *RegressionSample {
		return &RegressionSample{Stratum: []int32{0, 0, 0, 0, 0}, PSU: []int32{0, 1, 2, 3, 4}, Weight: []float64{1, 1, 1, 1, 1},
			Y: []float64{0, 1, 0, 1, 1}, X: [][]float64{{1, 2, 3, 4, 5}}, Names: []string{"x"}}
	}
	s := base()
	s.X = [][]float64{{1, 1, 1, 1, 1}}
	if _, err := LogisticRegression(d, s); err == nil || !strings.Contains(err.Error(), "collinear") {
		t.Errorf("constant predictor: %v", err)
	}
	s = base()
	s.Y[0] = 2
	if _, err := LogisticRegression(d, s); err == nil || !strings.Contains(err.Error(), "not in [0, 1]") {
		t.Errorf("outcome out of range: %v", err)
	}
	s = base()
	s.Y = []float64{0, 1, math.NaN(), math.NaN(), math.NaN()}
	if _, err := LogisticRegression(d, s); err == nil || !strings.Contains(err.Error(), "too few") {
		t.Errorf("too few rows: %v", err)
	}
	s = base()
	r, err := LogisticRegression(d, s)
	if err != nil || r.DF != 3 || len(r.Coefficients) != 2 || r.N != 5 {
		t.Fatalf("%+v %v", r, err)
	}
	s.Stratum = []int32{0, 0, 0, 0, 1}
	if _, err := LogisticRegression(&Design{Strata: []string{"S", "T"}}, s); err == nil || !strings.Contains(err.Error(), "stratum T has only one PSU") {
		t.Errorf("lonely PSU: %v", err)
	}
}
