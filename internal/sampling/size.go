package sampling

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// SizeSpec is what a sample-size calculation needs.
type SizeSpec struct {
	// Margin is e, the half-width of the confidence interval of a rate, as
	// a proportion: 0.05 for ±5 percentage points.
	Margin float64 `json:"margin"`
	// Confidence is the confidence level; 0 means 0.95.
	Confidence float64 `json:"confidence,omitempty"`
	// P is the anticipated rate; 0 means 0.5, the most cautious.
	P float64 `json:"p,omitempty"`
	// Deff is the design effect; 0 means 1 (SRS). For two-stage samples
	// see ClusterDeff.
	Deff float64 `json:"deff,omitempty"`
	// ResponseRate is the expected share of issued households that
	// complete the interview, in (0, 1]; 0 means 1.
	ResponseRate float64 `json:"response_rate,omitempty"`
	// Population is N for the finite population correction; 0 means
	// infinite (no correction).
	Population int `json:"population,omitempty"`
}

// SizeResult is the outcome of SampleSize.
type SizeResult struct {
	Z  float64 `json:"z"`  // standard normal quantile for the confidence level
	N0 float64 `json:"n0"` // z²·p(1−p)/e²·deff, before the finite population correction
	N  float64 `json:"n"`  // after it: n0/(1+(n0−1)/N); equal to N0 without a population
	// Completes is ⌈N⌉, the interviews needed.
	Completes int `json:"completes"`
	// Issue is ⌈Completes/response rate⌉, the households to issue; at most
	// Population when one is given (Capped is then set).
	Issue  int  `json:"issue"`
	Capped bool `json:"capped"`
}

// SampleSize computes the sample size for estimating a rate p with margin
// of error e at the given confidence level (Cochran 1977, eqs. 4.2–4.3):
//
//	n0 = z²·p(1−p)/e² · deff
//	n  = n0 / (1 + (n0−1)/N)        (finite population correction)
//	completes = ⌈n⌉, issue = ⌈completes / response rate⌉
//
// with z = Φ⁻¹(1 − (1−confidence)/2). For e = 0.05, p = 0.5 and 95 %:
// n0 = 384.15, so 385 completes.
func SampleSize(spec SizeSpec) (SizeResult, error) {
	conf := orDefault(spec.Confidence, DefaultConfidence)
	deff := orDefault(spec.Deff, 1)
	rr := orDefault(spec.ResponseRate, 1)
	p := orDefault(spec.P, 0.5)
	if spec.Margin == 0 {
		return SizeResult{}, &FieldError{Field: "margin", Problem: "required, e.g. 0.05"}
	}
	for _, c := range []struct {
		field string
		v     float64
	}{{"margin", spec.Margin}, {"confidence", conf}, {"p", p}, {"deff", deff}, {"response_rate", rr}} {
		if msg := CheckSizeField(c.field, c.v); msg != "" {
			return SizeResult{}, &FieldError{Field: c.field, Problem: msg}
		}
	}
	if spec.Population != 0 {
		if msg := CheckSizeField("population", float64(spec.Population)); msg != "" {
			return SizeResult{}, &FieldError{Field: "population", Problem: msg}
		}
	}
	z := distuv.UnitNormal.Quantile(1 - (1-conf)/2)
	res := SizeResult{Z: z}
	// Within the ranges n0 ≤ 3.9²·0.25/0.001²·100 ≈ 3.8·10⁸ and issue ≤
	// 3.8·10¹⁰: finite, and whole numbers that fit an int.
	res.N0 = z * z * p * (1 - p) / (spec.Margin * spec.Margin) * deff
	res.N = res.N0
	if N := float64(spec.Population); N > 0 {
		res.N = res.N0 / (1 + (res.N0-1)/N)
	}
	res.Completes = max(ceil(res.N), 1) // one interview at least
	res.Issue = ceil(float64(res.Completes) / rr)
	if spec.Population > 0 && res.Issue > spec.Population {
		res.Issue, res.Capped = spec.Population, true
	}
	return res, nil
}

// StratumSize is the sample size one stratum needs for its own estimate.
type StratumSize struct {
	Stratum    int32 `json:"stratum"`
	Households int   `json:"households"`
	SizeResult
}

// SizeTotals adds up the per-stratum sizes.
type SizeTotals struct {
	Completes int `json:"completes"`
	Issue     int `json:"issue"`
}

// SampleSizes applies SampleSize to each stratum on its own, with the
// stratum's households as the population and its Prior, when set, as the
// anticipated rate (spec.Population is ignored). The totals are what a
// design with a separate estimate of the same precision in every street
// needs; use a stratum's Issue as its Min in Allocate.
func SampleSizes(spec SizeSpec, strata []Stratum) ([]StratumSize, SizeTotals, error) {
	out := make([]StratumSize, len(strata))
	var tot SizeTotals
	for i, s := range strata {
		sp := spec
		sp.Population = s.Households
		if s.Prior != 0 {
			sp.P = s.Prior
		}
		if s.Households <= 0 {
			return nil, tot, errorf("stratum %d has no households", s.ID)
		}
		r, err := SampleSize(sp)
		if err != nil {
			return nil, tot, errorf("stratum %d: %v", s.ID, err)
		}
		out[i] = StratumSize{Stratum: s.ID, Households: s.Households, SizeResult: r}
		tot.Completes += r.Completes
		tot.Issue += r.Issue
	}
	return out, tot, nil
}

// DefaultConfidence is the confidence level of a sample-size calculation
// that does not give one.
const DefaultConfidence = 0.95

// sizeRanges are the ranges the fields of a SizeSpec must be in when they
// are given (a zero means the default only when the field was left out:
// callers that read user input check a given zero with CheckSizeField).
// They keep every result finite: a margin of 1e-300 would ask for +Inf
// interviews.
var sizeRanges = map[string]struct {
	lo, hi         float64
	openLo, openHi bool
	text           string
}{
	"margin":        {lo: 0.001, hi: 0.5, text: "a number from 0.001 to 0.5, e.g. 0.05 for ±5 points"},
	"confidence":    {lo: 0.5, hi: 0.9999, text: "a number from 0.5 to 0.9999, e.g. 0.95"},
	"p":             {lo: 0, hi: 1, openLo: true, openHi: true, text: "a number between 0 and 1 (exclusive), e.g. 0.5"},
	"deff":          {lo: 0.1, hi: 100, text: "a number from 0.1 to 100, e.g. 1.5"},
	"response_rate": {lo: 0.01, hi: 1, text: "a number from 0.01 to 1, e.g. 0.7"},
	"population":    {lo: 1, hi: 1e9, text: "a whole number from 1 to 1000000000"},
}

// CheckSizeField returns "" when v is in the range of the SizeSpec field
// named (margin, confidence, p, deff, response_rate, population), and the
// range otherwise. NaN and infinities are never in range.
func CheckSizeField(field string, v float64) string {
	r, ok := sizeRanges[field]
	if !ok {
		return "unknown field"
	}
	switch {
	case math.IsNaN(v), math.IsInf(v, 0),
		v < r.lo, r.openLo && v == r.lo, v > r.hi, r.openHi && v == r.hi,
		field == "population" && v != math.Trunc(v):
		return r.text
	}
	return ""
}

// FieldError is an input of a calculation out of its range, by field.
type FieldError struct {
	Field   string // as in the JSON of SizeSpec: margin, confidence, …
	Problem string // the range
}

func (e *FieldError) Error() string { return "sampling: " + e.Field + ": " + e.Problem }

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// ceil rounds up, ignoring floating-point noise below 1e-9 (so that a
// computed 400.0000000001 needs 400, not 401).
func ceil(x float64) int {
	return int(math.Ceil(x - 1e-9))
}

// ClusterDeffWOR is the design effect of a two-stage sample (m households
// in each drawn community, intra-community correlation icc) drawn without
// replacement, as a round's estimates count it (the variance
// stats.VarianceWOR estimates; ClusterDeff is the with-replacement one):
// f1 is the share of a street's communities drawn (1 where all are
// taken), f2 the share of a drawn community's households. From
// V = (1 − f1)·S₁²/n + (1 − f2)·S₂²/(n·m) (Cochran 1977, theorem 10.1)
// with S₁² ≈ icc·S² between communities and S₂² ≈ (1 − icc)·S² within
// them, against simple random sampling of n·m households:
//
//	deff = (1 − f1)·m·icc + (1 − f2)·(1 − icc)
//
// It is ClusterDeff when f1 = f2 = 0, and falls to (1 − f2)(1 − icc)
// when every community is taken: only households were then sampled.
func ClusterDeffWOR(m int, icc, f1, f2 float64) float64 {
	m = max(m, 1)
	f1 = min(max(f1, 0), 1)
	f2 = min(max(f2, 0), 1)
	return (1-f1)*float64(m)*icc + (1-f2)*(1-icc)
}
