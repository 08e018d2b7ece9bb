package stats

import (
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// AdjustNonresponse applies the weighting-class non-response adjustment
// (Lumley §7.1; Kalton and Flores-Cervantes 2003): within each class, the
// weights of respondents are multiplied by
//
//	Σ_{class} w (all eligible sampled units) / Σ_{class} w (respondents)
//
// so the respondents carry the weight of the whole class; non-respondents
// get weight 0. w holds the base weights of every eligible sampled unit.
// A class with eligible units but no respondent is an error.
func AdjustNonresponse(w []float64, class []int32, responded []bool) ([]float64, error) {
	if len(class) != len(w) || len(responded) != len(w) {
		return nil, apperr.New(apperr.Invalid, "non-response adjustment: %d weights, %d classes, %d outcomes", len(w), len(class), len(responded))
	}
	var all, resp []float64
	for i, c := range class {
		if c < 0 {
			return nil, apperr.New(apperr.Invalid, "unit %d: weighting class %d", i+1, c)
		}
		if !(w[i] > 0) || math.IsInf(w[i], 1) {
			return nil, apperr.New(apperr.Invalid, "unit %d: weight %v is not a positive number", i+1, w[i])
		}
		for int(c) >= len(all) {
			all = append(all, 0)
			resp = append(resp, 0)
		}
		all[c] += w[i]
		if responded[i] {
			resp[c] += w[i]
		}
	}
	for c := range all {
		if all[c] > 0 && resp[c] == 0 {
			return nil, apperr.New(apperr.Invalid, "weighting class %d has no respondent; merge it with a neighbouring class", c)
		}
	}
	out := make([]float64, len(w))
	for i, c := range class {
		if responded[i] {
			out[i] = w[i] * (all[c] / resp[c])
		}
	}
	return out, nil
}

// maxTrimPasses bounds the repetitions of strict trimming.
const maxTrimPasses = 1000

// TrimWeights trims weights as R's trimWeights: weights above upper become
// upper, weights below lower become lower, and the amount trimmed is
// spread equally over the weights that were inside the bounds, so the
// total is kept. Redistribution can push a weight past a bound again; with
// strict the step is repeated until none is outside. It returns the new
// weights and the number of passes made. Pass ±Inf for no bound.
//
// Trimming is not reflected in variances (nor is it in R).
func TrimWeights(w []float64, lower, upper float64, strict bool) ([]float64, int, error) {
	if math.IsNaN(lower) || math.IsNaN(upper) || lower > upper {
		return nil, 0, apperr.New(apperr.Invalid, "trimming bounds [%v, %v] are not an interval", lower, upper)
	}
	out := append([]float64(nil), w...)
	for pass := 1; pass <= maxTrimPasses; pass++ {
		trimmed, inside := 0.0, 0
		for _, x := range out {
			if x < lower || x > upper {
				trimmed += x - min(max(x, lower), upper)
			} else {
				inside++
			}
		}
		if inside == len(out) {
			return out, pass - 1, nil
		}
		if inside == 0 {
			return nil, pass, apperr.New(apperr.Invalid, "every weight is outside [%v, %v]; nothing to redistribute to", lower, upper)
		}
		share := trimmed / float64(inside)
		for i, x := range out {
			if x < lower || x > upper {
				out[i] = min(max(x, lower), upper)
			} else {
				out[i] = x + share
			}
		}
		if !strict {
			return out, pass, nil
		}
	}
	return nil, maxTrimPasses, apperr.New(apperr.Invalid, "trimming to [%v, %v] did not settle after %d passes", lower, upper, maxTrimPasses)
}
