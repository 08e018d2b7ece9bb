package stats

import (
	"math"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// LonelyPSU says what to do with a stratum that has a single PSU in the
// sample, as R's options(survey.lonely.psu=) (functions onestrat, onestage).
type LonelyPSU uint8

const (
	// LonelyFail refuses to estimate (R "fail", the default): any stratum
	// with a single PSU that is not a census (fpc) is an error naming it.
	LonelyFail LonelyPSU = iota
	// LonelyRemove lets the stratum contribute nothing to the variance.
	LonelyRemove
	// LonelyCertainty treats the PSU as sampled with certainty: no
	// contribution. At the first stage it is the same as LonelyRemove.
	LonelyCertainty
	// LonelyAdjust centres the lonely PSU total at the grand mean (zero
	// after linearisation) instead of at its own stratum mean.
	LonelyAdjust
	// LonelyAverage drops the stratum and scales the summed variance by
	// #strata / #strata-with-variance.
	LonelyAverage
)

var lonelyNames = [...]string{"fail", "remove", "certainty", "adjust", "average"}

func (l LonelyPSU) String() string {
	if int(l) < len(lonelyNames) {
		return lonelyNames[l]
	}
	return "unknown"
}

// ParseLonelyPSU reads a policy name as R spells it.
func ParseLonelyPSU(s string) (LonelyPSU, error) {
	for i, n := range lonelyNames {
		if s == n {
			return LonelyPSU(i), nil
		}
	}
	return 0, apperr.New(apperr.Invalid, "unknown lonely PSU policy %q (want %s)", s, strings.Join(lonelyNames[:], ", "))
}

// Kind is what is estimated for a variable.
type Kind uint8

const (
	// Rate is the weighted proportion of a 0/1 variable; its interval
	// follows Options.CI.
	Rate Kind = iota
	// Mean is the weighted mean of any numeric variable (an item score);
	// its interval is always estimate ± t·se.
	Mean
	// Total is the weighted total Σwy (R svytotal); interval ± t·se.
	Total
)

func (k Kind) String() string {
	switch k {
	case Rate:
		return "rate"
	case Mean:
		return "mean"
	case Total:
		return "total"
	}
	return "unknown"
}

// CIMethod is how the interval of a rate is computed (R svyciprop method).
type CIMethod uint8

const (
	// CILogit is svyciprop(method="logit"): a t interval on the logit
	// scale. It is the zero value, the engine's default (and minyi
	// estimate's), as R's svyciprop.
	CILogit CIMethod = iota
	// CIBeta is svyciprop(method="beta"): Korn and Graubard (1998).
	CIBeta
	// CIWald is svyciprop(method="mean"): estimate ± t·se.
	CIWald
	// CIAsin is svyciprop(method="asin"): a t interval on the arcsine
	// square-root scale, sin²(asin(√p̂) ± t·se/(2√(p̂(1−p̂)))). A round's
	// rates use it (results.RoundCI): on the districts of
	// docs/simulation/issue25-coverage.md it covers 95 % where the logit
	// interval over-covers (few PSUs a street, t on 5 df), and it misses
	// a rate above the interval less often than the logit interval does
	// (a street flagged below its target unfairly).
	CIAsin
)

var ciNames = [...]string{"logit", "beta", "wald", "asin"}

func (m CIMethod) String() string {
	if int(m) < len(ciNames) {
		return ciNames[m]
	}
	return "unknown"
}

// MarshalText writes the method's name.
func (m CIMethod) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a method's name (ParseCIMethod).
func (m *CIMethod) UnmarshalText(b []byte) error {
	x, err := ParseCIMethod(string(b))
	if err != nil {
		return err
	}
	*m = x
	return nil
}

// ParseCIMethod reads "logit", "beta", "wald" or "asin".
func ParseCIMethod(s string) (CIMethod, error) {
	for i, n := range ciNames {
		if s == n {
			return CIMethod(i), nil
		}
	}
	return 0, apperr.New(apperr.Invalid, "unknown interval method %q (want asin, logit, beta or wald)", s)
}

// Variable names a column of Aggregate.Vars (by position) and says what to
// estimate from it.
type Variable struct {
	Name string
	Kind Kind
}

// Options control intervals and the small-cell flag.
type Options struct {
	Level float64  // confidence level, MinLevel ≤ Level ≤ MaxLevel; 0 means 0.95
	CI    CIMethod // interval of a Rate
	MinN  int64    // an estimate on fewer than MinN responses is flagged Small
}

func (o Options) level() float64 {
	if o.Level == 0 {
		return 0.95
	}
	return o.Level
}

// The range of a confidence level that a user may ask for: below 0.5 an
// interval says next to nothing, above 0.9999 the t quantile of a few
// degrees of freedom runs into the thousands.
const (
	MinLevel = 0.5
	MaxLevel = 0.9999
)

// CheckLevel returns "" when v is a confidence level in [MinLevel,
// MaxLevel], and the range otherwise.
func CheckLevel(v float64) string {
	if !(v >= MinLevel && v <= MaxLevel) { // NaN fails too
		return "a confidence level from 0.5 to 0.9999, e.g. 0.95"
	}
	return ""
}

func (o Options) validate() error {
	if msg := CheckLevel(o.level()); msg != "" {
		return apperr.WithFields("invalid confidence level", map[string]string{"level": msg})
	}
	if int(o.CI) >= len(ciNames) {
		return apperr.New(apperr.Invalid, "unknown interval method %d", o.CI)
	}
	return nil
}

// Design is the first-stage structure of a sample that the aggregates do
// not carry: stratum labels, the finite population correction, the lonely
// PSU rule and the calibration of the weights.
type Design struct {
	// Strata labels the strata; Aggregate.Stratum indexes it. Labels appear
	// in error messages only.
	Strata []string
	// FPC is nil (sampling with replacement) or holds one value per
	// stratum, read as R svydesign(fpc=) reads it: if any value exceeds 1,
	// all are population counts of PSUs N_h; otherwise all are sampling
	// fractions n_h/N_h (0 meaning an infinite population).
	FPC []float64
	// PSUs, when not nil, makes the variance that of a two-stage sample
	// drawn without replacement (VarianceWOR), as R's
	//
	//	svydesign(ids = ~psu + unit, strata = ~stratum, fpc = ~p1 + p2,
	//	          pps = "brewer", weights = ~w, nest = TRUE)
	//
	// computes it: indexed by Aggregate.PSU id, each PSU's first-stage
	// inclusion probability and its units' conditional probability. Every
	// response is one second-stage unit. FPC must then be nil.
	PSUs []PSUProb
	// LonelyPSU applies to strata with a single PSU in the whole sample.
	LonelyPSU LonelyPSU
	// Calibration, if not nil, says the weights in the aggregates were
	// post-stratified or raked with it; variances then use calibration
	// residuals, as R's svyrecvar with the design's postStrata.
	Calibration *Calibration
}

// certaintyF is R onestrat's threshold below which a stratum counts as
// sampled completely (f < 1e-7) and contributes no variance.
const certaintyF = 1e-7

// strataF returns 1 − n_h/N_h for every stratum given the number of PSUs
// each has in the sample, following R's as.fpc and onestrat.
func (d *Design) strataF(nPSU []int32) ([]float64, error) {
	f := make([]float64, len(nPSU))
	for h := range f {
		f[h] = 1
	}
	if d.FPC == nil {
		return f, nil
	}
	if len(d.FPC) != len(nPSU) {
		return nil, d.fpcError(-1, "fpc has %d values for %d strata", len(d.FPC), len(nPSU))
	}
	counts := false
	for h, v := range d.FPC {
		if math.IsNaN(v) || v < 0 || math.IsInf(v, 0) {
			return nil, d.fpcError(h, "fpc of stratum %s is %v; want a PSU count or a sampling fraction", d.label(h), v)
		}
		if v > 1 {
			counts = true
		}
	}
	for h, v := range d.FPC {
		n := float64(nPSU[h])
		if nPSU[h] == 0 {
			continue
		}
		var pop float64
		if counts {
			if v < 1 {
				return nil, d.fpcError(h, "fpc mixes population counts and sampling fractions (stratum %s has %v); use one or the other", d.label(h), v)
			}
			pop = v
		} else {
			pop = n / v // R as.fpc: popsize <- sampsize/fpc (Inf for 0)
		}
		if pop < n {
			return nil, d.fpcError(h, "fpc of stratum %s implies more than 100%% sampling: %v PSUs in the sample, population %v", d.label(h), n, pop)
		}
		if math.IsInf(pop, 1) {
			f[h] = 1
		} else {
			f[h] = (pop - n) / pop
		}
	}
	return f, nil
}

func (d *Design) label(h int) string {
	if h >= 0 && h < len(d.Strata) {
		return d.Strata[h]
	}
	return strconv.Itoa(h)
}
