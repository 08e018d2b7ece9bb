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
	conf := orDefault(spec.Confidence, 0.95)
	deff := orDefault(spec.Deff, 1)
	rr := orDefault(spec.ResponseRate, 1)
	switch {
	case !(spec.Margin > 0 && spec.Margin < 1):
		return SizeResult{}, errorf("margin of error %v is not in (0, 1)", spec.Margin)
	case !(conf > 0 && conf < 1):
		return SizeResult{}, errorf("confidence level %v is not in (0, 1)", conf)
	case !(deff > 0) || math.IsInf(deff, 0):
		return SizeResult{}, errorf("design effect %v is not positive", deff)
	case !(rr > 0 && rr <= 1):
		return SizeResult{}, errorf("response rate %v is not in (0, 1]", rr)
	case spec.Population < 0:
		return SizeResult{}, errorf("negative population %d", spec.Population)
	}
	p, err := prior(spec.P)
	if err != nil {
		return SizeResult{}, errorf("%v", err)
	}
	z := distuv.UnitNormal.Quantile(1 - (1-conf)/2)
	res := SizeResult{Z: z}
	res.N0 = z * z * p * (1 - p) / (spec.Margin * spec.Margin) * deff
	res.N = res.N0
	if N := float64(spec.Population); N > 0 {
		res.N = res.N0 / (1 + (res.N0-1)/N)
	}
	res.Completes = ceil(res.N)
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
