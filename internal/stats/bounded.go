package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// CalFun is a calibration function (Deville and Särndal, "Calibration
// estimators in survey sampling", JASA 87, 1992): the distance that
// calibration minimises, as R's calibrate(calfun=).
type CalFun uint8

// The calibration functions of R's calibrate.
const (
	// CalRaking: g = exp(x'λ), truncated to the bounds (R cal.raking);
	// without bounds it reaches the weights raking converges to.
	CalRaking CalFun = iota
	// CalLogit: a logistic g between the bounds, which must be finite and
	// hold 1 (R cal.logit).
	CalLogit
	// CalLinear: g = 1 + x'λ, truncated to the bounds (R cal.linear; GREG
	// without bounds).
	CalLinear
)

var calFunNames = [...]string{CalRaking: "raking", CalLogit: "logit", CalLinear: "linear"}

func (f CalFun) String() string {
	if int(f) < len(calFunNames) {
		return calFunNames[f]
	}
	return "unknown"
}

// ParseCalFun reads "raking", "logit" or "linear".
func ParseCalFun(s string) (CalFun, error) {
	for i, n := range calFunNames {
		if s == n {
			return CalFun(i), nil
		}
	}
	return 0, apperr.WithFields("unknown calibration function", map[string]string{"calfun": "raking, logit or linear"})
}

// fm1 is R's calfun$Fm1: g − 1 as a function of u = x'η.
func (f CalFun) fm1(u, lo, hi float64) float64 {
	switch f {
	case CalLogit:
		a := (hi - lo) / ((hi - 1) * (1 - lo))
		e := math.Exp(a * u)
		return (lo*(hi-1)+hi*(1-lo)*e)/(hi-1+(1-lo)*e) - 1
	case CalLinear:
		return min(max(u+1, lo), hi) - 1
	}
	return min(max(math.Exp(u), lo), hi) - 1
}

// df is R's calfun$dF, the derivative of fm1, kept exactly as R writes it:
// for raking and linear it is 0 where u is outside (lower − 1, upper − 1),
// a test on u itself, not on g.
func (f CalFun) df(u, lo, hi float64) float64 {
	switch f {
	case CalLogit:
		a := (hi - lo) / ((hi - 1) * (1 - lo))
		e := math.Exp(a * u)
		den := hi - 1 + (1-lo)*e
		return hi*(1-lo)*e*a/den - (lo*(hi-1)+hi*(1-lo)*e)*((1-lo)*e*a)/(den*den)
	case CalLinear:
		if u < hi-1 && u > lo-1 {
			return 1
		}
		return 0
	}
	if u < hi-1 && u > lo-1 {
		return math.Exp(u)
	}
	return 0
}

// CalibrateOptions mirror R's calibrate(calfun=, bounds=, epsilon=, maxit=).
type CalibrateOptions struct {
	CalFun CalFun
	// Lower and Upper bound g, the ratio of the calibrated weight to the
	// input weight (R's bounds = c(lower, upper)); ±Inf for none.
	Lower, Upper float64
	// Epsilon: calibration stops when every margin level's misfit
	// |population − Σ w| / (1 + population) is below it; 0 means R's
	// default 1e-7.
	Epsilon float64
	// MaxIter caps the Newton steps; 0 means R's default 50.
	MaxIter int
}

// samewhereThreshold is grake's SOMETHRESHOLD: when every population total
// is over 20 times the sample's, the weights are first scaled by the mean
// ratio (and the bounds then apply to the scaled weights, as R warns).
const samewhereThreshold = 20

// Calibrate calibrates cell weights to the population counts of every
// margin level at once, within bounds, as R's
//
//	calibrate(design, ~0 + l1 + l2 + …, population, bounds = c(lower, upper),
//	          calfun = "raking" | "logit" | "linear")
//
// with one 0/1 column per level of every margin: grake's Newton iteration
// on the Lagrange multipliers η, g = 1 + Fm1(x'η), each step solved with
// the Moore–Penrose inverse (MASS::ginv) since the levels of two margins
// share their total. cellWeight[g] is the sum of the input weights in cell
// g; cells are joint combinations of the margins' levels, so every
// response of a cell gets the same factor. Margins that cannot be met
// within the bounds are an error naming the margin and level: before the
// iteration when a level's population lies outside [lower, upper] × its
// sample total, after it when it does not converge.
func Calibrate(cellWeight []float64, margins []Margin, opt CalibrateOptions) (*Calibration, error) {
	if len(margins) == 0 {
		return nil, apperr.New(apperr.Invalid, "calibration needs at least one margin")
	}
	lo, hi := opt.Lower, opt.Upper
	if math.IsNaN(lo) || math.IsNaN(hi) || !(lo < hi) {
		return nil, apperr.WithFields("invalid calibration bounds", map[string]string{"bounds": fmt.Sprintf("[%v, %v] is not an interval", lo, hi)})
	}
	if opt.CalFun == CalLogit && (math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < 1 && hi > 1)) {
		return nil, apperr.WithFields("logit calibration needs finite bounds around 1", map[string]string{"bounds": "lower < 1 < upper, both finite (e.g. 0.5,2)"})
	}
	eps := opt.Epsilon
	if eps == 0 {
		eps = 1e-7
	}
	maxit := opt.MaxIter
	if maxit == 0 {
		maxit = 50
	}
	nc := len(cellWeight)
	c := &Calibration{kind: calGreg, factor: make([]float64, nc), input: append([]float64(nil), cellWeight...)}
	var pop []float64
	var names []string // margin and level of each column, for messages
	for _, m := range margins {
		if len(m.Level) != nc {
			return nil, apperr.New(apperr.Invalid, "margin %s gives levels for %d cells, want %d", m.Name, len(m.Level), nc)
		}
		for g, l := range m.Level {
			if l < 0 || int(l) >= len(m.Population) {
				return nil, apperr.New(apperr.Invalid, "margin %s: cell %d has level %d of %d", m.Name, g, l, len(m.Population))
			}
		}
		c.level = append(c.level, m.Level)
		c.nlev = append(c.nlev, len(m.Population))
		pop = append(pop, m.Population...)
		for l := range m.Population {
			names = append(names, m.levelName(l))
		}
	}
	for g, w := range cellWeight {
		if !(w > 0) || math.IsInf(w, 1) {
			return nil, apperr.New(apperr.Invalid, "calibration cell %d has weight %v; every cell needs responses", g, w)
		}
	}
	p := len(pop)
	d := append([]float64(nil), cellWeight...)
	total := make([]float64, p) // the sample's total of each column
	for g := range d {
		c.columns(g, func(j int) { total[j] += d[g] })
	}
	for j := range p {
		switch {
		case math.IsNaN(pop[j]) || pop[j] < 0 || math.IsInf(pop[j], 1):
			return nil, apperr.New(apperr.Invalid, "%s: population %v", names[j], pop[j])
		case total[j] == 0 && pop[j] > 0:
			return nil, apperr.New(apperr.Invalid, "%s: a population of %v but no responses", names[j], pop[j])
		case total[j] > 0 && pop[j] == 0:
			return nil, apperr.New(apperr.Invalid, "%s: responses but no population", names[j])
		}
	}
	// grake: rescale when every population total is far above the
	// sample's (weights of a sample, not of the population).
	scale := 0.0
	minRatio, sum := math.Inf(1), 0.0
	for j := range p {
		r := pop[j] / total[j]
		minRatio = min(minRatio, r)
		sum += r
	}
	if minRatio > samewhereThreshold {
		scale = sum / float64(p)
		for g := range d {
			d[g] *= scale
		}
		for j := range total {
			total[j] *= scale
		}
	}
	// Within bounds, a level's calibrated total lies between lower and
	// upper times its sample total: outside that it cannot be met.
	for j := range p {
		if pop[j] < lo*total[j]*(1-1e-12) || pop[j] > hi*total[j]*(1+1e-12) {
			return nil, apperr.New(apperr.Invalid, "calibration cannot meet %s within the bounds [%g, %g]: its population %.6g is %.4g times its weighted sample total %.6g; widen the bounds or merge categories",
				names[j], lo, hi, pop[j], pop[j]/total[j], total[j])
		}
	}

	eta := make([]float64, p)
	xeta := make([]float64, nc)
	g := make([]float64, nc)
	deriv := make([]float64, nc)
	update := func() {
		for k := range nc {
			u := 0.0
			c.columns(k, func(j int) { u += eta[j] })
			xeta[k] = u
			g[k] = 1 + opt.CalFun.fm1(u, lo, hi)
			deriv[k] = opt.CalFun.df(u, lo, hi)
		}
	}
	misfit := make([]float64, p)
	fit := func() {
		copy(misfit, pop)
		for j := range p {
			misfit[j] -= total[j]
		}
		for k := range nc {
			f := d[k] * (g[k] - 1)
			c.columns(k, func(j int) { misfit[j] -= f })
		}
	}
	finite := func() bool {
		for k := range nc {
			if math.IsNaN(g[k]) || math.IsInf(g[k], 0) || math.IsNaN(deriv[k]) || math.IsInf(deriv[k], 0) {
				return false
			}
		}
		return true
	}
	update()
	tm := mat.NewSymDense(p, nil)
	deta := make([]float64, p)
	iter := 1
	for {
		tm.Zero()
		for k := range nc {
			w := d[k] * deriv[k]
			if w == 0 {
				continue
			}
			c.columns(k, func(a int) {
				c.columns(k, func(b int) {
					if a <= b {
						tm.SetSym(a, b, tm.At(a, b)+w)
					}
				})
			})
		}
		fit()
		ginv, err := pseudoInverse(tm, 256*epsilon64)
		if err != nil {
			return nil, err
		}
		for a := range p {
			s := 0.0
			for b := range p {
				s += ginv.At(a, b) * misfit[b]
			}
			deta[a] = s
			eta[a] += s
		}
		update()
		for iter < maxit && !finite() {
			iter++
			for a := range p {
				deta[a] /= 2
				eta[a] -= deta[a]
			}
			update()
		}
		fit()
		worst, at := 0.0, 0
		for j := range p {
			if r := math.Abs(misfit[j]) / (1 + math.Abs(pop[j])); r > worst || math.IsNaN(r) {
				worst, at = r, j
			}
		}
		if worst < eps {
			break
		}
		iter++
		if iter > maxit {
			return nil, apperr.New(apperr.Invalid, "calibration (%s, bounds [%g, %g]) did not converge in %d steps: %s is still off by %.6g (population %.6g); widen the bounds, merge categories or calibrate on fewer margins",
				opt.CalFun, lo, hi, maxit, names[at], -misfit[at], pop[at])
		}
	}
	for k := range nc {
		if scale != 0 {
			g[k] *= scale
		}
		if !(g[k] > 0) {
			return nil, apperr.New(apperr.Invalid, "calibration (%s) gave cell %d a weight factor of %.6g: weights must stay positive; set a lower bound above 0", opt.CalFun, k, g[k])
		}
		c.factor[k] = g[k]
	}
	c.iter = iter
	return c, nil
}

// epsilon64 is R's .Machine$double.eps.
const epsilon64 = 2.220446049250313e-16

// columns calls fn with the column of each margin's level of cell g: the
// columns are every level of every margin, margin by margin.
func (c *Calibration) columns(g int, fn func(j int)) {
	off := 0
	for k, lev := range c.level {
		fn(off + int(lev[g]))
		off += c.nlev[k]
	}
}

// pseudoInverse is MASS::ginv of a symmetric matrix: from its singular
// value decomposition, the singular values above tol × the largest
// inverted, the others taken as 0.
func pseudoInverse(a *mat.SymDense, tol float64) (*mat.Dense, error) {
	n, _ := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return nil, apperr.New(apperr.Invalid, "calibration: the system of the margins cannot be solved")
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	out := mat.NewDense(n, n, nil)
	if len(s) == 0 || s[0] == 0 {
		return out, nil
	}
	for k, sv := range s {
		if !(sv > max(tol*s[0], 0)) {
			continue
		}
		for i := range n {
			vi := v.At(i, k) / sv
			if vi == 0 {
				continue
			}
			for j := range n {
				out.Set(i, j, out.At(i, j)+vi*u.At(j, k))
			}
		}
	}
	return out, nil
}
