package sae

import (
	"math"
	"slices"
)

// Community rates: the Fay–Herriot model on the arcsine square-root scale.
//
// A community's direct estimate of a rate p̂ rests on 10–20 interviews.
// Its design variance, about p̂(1 − p̂)·deff/n, is itself estimated from
// those interviews: it is 0 when every respondent answered alike (common
// for rates near 90 %), and it is correlated with p̂, which the FH model,
// taking ψᵢ as known, does not allow for. The variance-stabilising
// transformation θ = asin(√p) solves both: its sampling variance is
// about 1/(4ñ), ñ the effective sample size, which does not depend on p
// (Rao and Molina §6.1; Casas-Cordero, Encina and Lahiri 2016 use it for
// the same reason; Schmid et al. 2017 study its coverage). minyi takes
// ñᵢ = Kish's nᵢ/(1 + cv²ᵥᵥ) of the community's weights (1 for the usual
// equal weights within a community) and ψᵢ = (1 − fᵢ)/(4ñᵢ) with fᵢ the
// community's sampling fraction of households when known. So every
// community with at least one respondent has a positive, smoothed
// variance; the design variance of the direct estimate is still reported
// beside it.
//
// The EBLUP and the ends of its interval θ̂ ± z·√mse are transformed back
// with sin²(·) (the ends clamped to [0, π/2]): the interval covers the
// true rate exactly when the θ interval covers asin(√p). The MSE on the
// rate scale is the delta method's sin²(2θ̂)·mse(θ̂), reported with the
// interval, which is the figure to read.
//
// A community with no respondent for the rate gets the model-only
// estimate (Fit.Predict) and the note ReasonModelOnly.

// Area is one community's data for a rate.
type Area struct {
	// Group is the area's factor level (its street); areas of the same
	// group share a coefficient.
	Group int
	// Covariates are continuous covariates (e.g. log community size),
	// the same number for every area; may be empty.
	Covariates []float64
	// N is the number of respondents with a value; Direct their weighted
	// rate (NaN when N is 0).
	N      int
	Direct float64
	// SumW and SumW2 are Σw and Σw² over those respondents (Kish's
	// effective size (Σw)²/Σw²).
	SumW, SumW2 float64
	// FPC is 1 − nᵢ/Nᵢ for the households of the community, or 1 when
	// unknown.
	FPC float64
}

// hasDirect reports whether the area has a direct estimate to fit.
func (a Area) hasDirect() bool {
	return a.N > 0 && finite(a.Direct) && a.SumW > 0 && a.SumW2 > 0
}

// AreaEstimate is the model estimate of one area.
type AreaEstimate struct {
	Value    float64 // the EBLUP, on the rate scale
	MSE      float64 // its MSE on the rate scale (delta method)
	Low      float64 // interval at the requested level
	High     float64
	Gamma    float64 // weight of the area's own sample (0 when model-only)
	Note     Reason  // "" or ReasonModelOnly
	Theta    float64 // the EBLUP on the arcsine scale
	MSETheta float64 // its MSE on the arcsine scale
	// Psi is the sampling variance of the area's arcsine-scale rate the
	// fit took as known, (1 − f)/(4ñ); NaN for a model-only area.
	Psi float64
}

// RatesResult is the fit of one rate over the areas.
type RatesResult struct {
	// Reason is set when the model failed its checks: Estimates is nil.
	Reason Reason
	Detail string
	// Notes on the fit as a whole (ReasonVarianceZero).
	Notes     []Reason
	Fit       *Fit
	Estimates []AreaEstimate // one per input area, in order
}

// Rates fits the arcsine Fay–Herriot model to the areas' direct rates
// with the group (street) as a factor plus the continuous covariates, and
// returns each area's model estimate with an interval at level (e.g.
// 0.95). Failed checks come back as RatesResult.Reason, not as an error.
func Rates(areas []Area, level float64) RatesResult {
	z := normalQuantile(1 - (1-level)/2)
	// The factor's levels among the areas with a direct estimate: a
	// level with none cannot be estimated.
	var levels []int
	for _, a := range areas {
		if a.hasDirect() && !slices.Contains(levels, a.Group) {
			levels = append(levels, a.Group)
		}
	}
	slices.Sort(levels)
	row := func(a Area) []float64 {
		x := make([]float64, 0, len(levels)+len(a.Covariates))
		x = append(x, 1)
		for _, l := range levels[min(1, len(levels)):] { // treatment coding, first level the reference
			if a.Group == l {
				x = append(x, 1)
			} else {
				x = append(x, 0)
			}
		}
		return append(x, a.Covariates...)
	}
	var in Input
	var at []int
	for i, a := range areas {
		if !a.hasDirect() {
			continue
		}
		p := min(max(a.Direct, 0), 1)
		neff := a.SumW * a.SumW / a.SumW2
		fpc := a.FPC
		if !(fpc > 0 && fpc <= 1) {
			fpc = 1
		}
		in.Y = append(in.Y, math.Asin(math.Sqrt(p)))
		in.Psi = append(in.Psi, fpc/(4*neff))
		in.X = append(in.X, row(a))
		at = append(at, i)
	}
	fit, err := FayHerriot(in)
	if err != nil {
		return RatesResult{Reason: ReasonOf(err), Detail: err.Error()}
	}
	res := RatesResult{Fit: fit, Estimates: make([]AreaEstimate, len(areas))}
	if fit.Truncated {
		res.Notes = append(res.Notes, ReasonVarianceZero)
	}
	done := make([]bool, len(areas))
	for k, i := range at {
		res.Estimates[i] = back(fit.EBLUP[k], fit.MSE[k], z)
		res.Estimates[i].Gamma = fit.Gamma[k]
		res.Estimates[i].Psi = in.Psi[k]
		done[i] = true
	}
	for i, a := range areas {
		if done[i] {
			continue
		}
		if !slices.Contains(levels, a.Group) {
			// A street none of whose communities has a respondent: the
			// model has no coefficient for it.
			res.Estimates[i] = AreaEstimate{Value: math.NaN(), MSE: math.NaN(), Low: math.NaN(), High: math.NaN(), Theta: math.NaN(), MSETheta: math.NaN(), Psi: math.NaN(), Note: ReasonBadEstimate}
			continue
		}
		est, mse := fit.Predict(row(a))
		res.Estimates[i] = back(est, mse, z)
		res.Estimates[i].Note = ReasonModelOnly
		res.Estimates[i].Psi = math.NaN()
	}
	return res
}

// back transforms an arcsine-scale estimate and MSE to the rate scale.
func back(theta, mse, z float64) AreaEstimate {
	clamp := func(t float64) float64 { return min(max(t, 0), math.Pi/2) }
	sq := func(t float64) float64 { s := math.Sin(clamp(t)); return s * s }
	h := z * math.Sqrt(mse)
	d := math.Sin(2 * clamp(theta))
	return AreaEstimate{Value: sq(theta), MSE: d * d * mse, Low: sq(theta - h), High: sq(theta + h), Theta: theta, MSETheta: mse}
}

// normalQuantile returns the standard normal quantile of p by bisection
// on the distribution function.
func normalQuantile(p float64) float64 {
	lo, hi := -40.0, 40.0
	for range 200 {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(-mid/math.Sqrt2) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
