package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// The interval functions take qt so that callers can cache quantiles.

// tQuantile returns the p quantile of Student's t with df degrees of
// freedom (R qt), NaN for df ≤ 0.
func tQuantile(p, df float64) float64 {
	if !(df > 0) || math.IsNaN(p) {
		return math.NaN()
	}
	if math.IsInf(df, 1) {
		return distuv.UnitNormal.Quantile(p)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// betaQuantile is R qbeta(p, a, b), NaN outside the parameter space.
func betaQuantile(p, a, b float64) float64 {
	if !(a > 0) || !(b > 0) || math.IsInf(a, 0) || math.IsInf(b, 0) || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	return distuv.Beta{Alpha: a, Beta: b}.Quantile(p)
}

func expit(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// logitCI is the interval of svyciprop(method="logit"): R fits
// svyglm(y ~ 1, family=quasibinomial), whose intercept is logit(p̂) with
// standard error se/(p̂(1−p̂)), and back-transforms the t interval:
//
//	expit(logit(p̂) ± t_{df,1−α/2} · se / (p̂(1 − p̂)))
//
// Computed directly, it stays right at df = 1, where R's confint.svyglm
// rounds the t level to 1 and returns (0, NaN). No interval exists for
// p̂ = 0 or 1.
func logitCI(p, se float64, df int, level float64, qt func(p, df float64) float64) (lo, hi float64) {
	nan := math.NaN()
	if !(p > 0 && p < 1) || df < 1 || math.IsNaN(se) {
		return nan, nan
	}
	t := qt(1-(1-level)/2, float64(df))
	eta := math.Log(p / (1 - p))
	h := t * se / (p * (1 - p))
	return expit(eta - h), expit(eta + h)
}

// asinCI is the interval of svyciprop(method="asin"): R takes the
// contrast asin(√p̂), whose standard error is se/(2√(p̂(1−p̂))), and
// back-transforms its t interval:
//
//	sin²(asin(√p̂) ± t_{df,1−α/2} · se / (2√(p̂(1 − p̂))))
//
// R does not stop the angle at 0 and π/2, so where the interval reaches
// past a bound sin² folds back (an upper end below p̂ near a rate of 1);
// here the angle stops there and the interval ends at 0 or 1. Elsewhere
// the two agree. No interval exists for p̂ = 0 or 1 (se/0), as for logitCI.
func asinCI(p, se float64, df int, level float64, qt func(p, df float64) float64) (lo, hi float64) {
	nan := math.NaN()
	if !(p > 0 && p < 1) || df < 1 || math.IsNaN(se) {
		return nan, nan
	}
	t := qt(1-(1-level)/2, float64(df))
	x := math.Asin(math.Sqrt(p))
	h := t * se / (2 * math.Sqrt(p*(1-p)))
	a, b := max(x-h, 0), min(x+h, math.Pi/2)
	sa, sb := math.Sin(a), math.Sin(b)
	return sa * sa, sb * sb
}

// betaCI is the Korn and Graubard (1998) interval of
// svyciprop(method="beta"): with the effective sample size
//
//	n* = p̂(1 − p̂)/Var · (t_{nrow−1, α/2} / t_{df, α/2})²
//
// the interval is (qbeta(α/2, n*p̂, n*(1−p̂)+1), qbeta(1−α/2, n*p̂+1, n*(1−p̂))).
// nrow is R's nrow(design) for the domain, responses without a value
// included.
func betaCI(p, variance float64, df int, nrow int64, level float64, qt func(p, df float64) float64) (lo, hi float64) {
	nan := math.NaN()
	if !(p > 0 && p < 1) || df < 1 || nrow < 2 || !(variance > 0) {
		return nan, nan
	}
	alpha := 1 - level
	r := qt(alpha/2, float64(nrow-1)) / qt(alpha/2, float64(df))
	neff := p * (1 - p) / variance * r * r
	return betaQuantile(alpha/2, neff*p, neff*(1-p)+1), betaQuantile(1-alpha/2, neff*p+1, neff*(1-p))
}

// waldCI is estimate ± t_{df,1−α/2}·se (R confint.svystat with df, and
// svyciprop(method="mean")).
func waldCI(est, se, df, level float64, qt func(p, df float64) float64) (lo, hi float64) {
	nan := math.NaN()
	if !(df > 0) || math.IsNaN(est) || math.IsNaN(se) {
		return nan, nan
	}
	h := qt(1-(1-level)/2, df) * se
	return est - h, est + h
}
