package stats

import (
	"encoding/json"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// RegressionSample is a sample held row by row for a regression: the
// design columns as in Sample, the outcome y (a 0/1 indicator or a share
// in [0, 1]) and the predictors by column; NaN is missing, and a row
// missing any of them is left out (R's na.omit).
type RegressionSample struct {
	Stratum []int32
	PSU     []int32
	Weight  []float64
	Cell    []int32 // calibration cells (Design.Calibration), nil without
	Y       []float64
	X       [][]float64 // X[k][i]: predictor k of row i
	Names   []string    // of the predictors
}

// Coefficient is one coefficient of a design-based regression.
type Coefficient struct {
	Name     string  `json:"name"`
	Estimate float64 `json:"estimate"`
	SE       float64 `json:"se"`
	T        float64 `json:"t"`
	P        float64 `json:"p"`
}

// Regression is a fitted design-based regression.
type Regression struct {
	Coefficients []Coefficient `json:"coefficients"` // intercept first
	// DF is the residual degrees of freedom of the design: #PSUs − #strata
	// among the rows used, + 1 − #coefficients (R's svyglm df.residual).
	DF         int `json:"df"`
	N          int `json:"n"` // rows used
	Iterations int `json:"iterations"`
}

// glmMaxIter bounds the IRLS iterations (R's glm.control maxit is 25;
// minyi allows more before giving up); glmEpsilon is R's convergence
// threshold on the relative change of the deviance.
const (
	glmMaxIter = 100
	glmEpsilon = 1e-8
)

// LogisticRegression fits a design-based logistic regression of y on the
// predictors (with an intercept), as R's
//
//	svyglm(y ~ x1 + … + xk, design, family = quasibinomial())
//
// Coefficients maximise the weighted quasi-likelihood (IRLS, Lumley §5.2);
// their covariance is the sandwich of svy.varcoef: the estimating
// functions xᵢwᵢ(yᵢ − μᵢ)·(XᵀWVX)⁻¹, replaced by their calibration
// residuals for a calibrated design (svyrecvar with postStrata), summed
// per PSU and combined within strata as for a mean. t statistics are
// referred to a t distribution with the design's residual df, as
// summary.svyglm does.
func LogisticRegression(d *Design, s *RegressionSample) (*Regression, error) {
	n := len(s.Weight)
	p := len(s.X) + 1
	if len(s.Stratum) != n || len(s.PSU) != n || len(s.Y) != n || (s.Cell != nil && len(s.Cell) != n) {
		return nil, apperr.New(apperr.Invalid, "regression sample columns differ in length")
	}
	if (s.Cell == nil) != (d.Calibration == nil) {
		return nil, apperr.New(apperr.Invalid, "calibration cells and the design's calibration go together")
	}
	used := make([]bool, n)
	nUsed := 0
rows:
	for i := range n {
		if !(s.Weight[i] > 0) || math.IsNaN(s.Y[i]) {
			continue
		}
		if s.Y[i] < 0 || s.Y[i] > 1 {
			return nil, apperr.New(apperr.Invalid, "row %d: outcome %v is not in [0, 1]", i+1, s.Y[i])
		}
		for k := range s.X {
			if len(s.X[k]) != n {
				return nil, apperr.New(apperr.Invalid, "predictor %d has %d values for %d rows", k, len(s.X[k]), n)
			}
			if math.IsNaN(s.X[k][i]) {
				continue rows
			}
		}
		used[i] = true
		nUsed++
	}
	if nUsed <= p {
		return nil, apperr.New(apperr.Invalid, "%d complete rows for %d coefficients: too few to fit", nUsed, p)
	}
	x := func(i, k int) float64 {
		if k == 0 {
			return 1
		}
		return s.X[k-1][i]
	}

	// IRLS exactly as R's glm.fit, so that the fit stops where R's does:
	// prior weights rescaled to mean 1 (svyglm's rescale = TRUE), binomial
	// starting values mustart = (w·y + 0.5)/(w + 1), and convergence when
	// |dev − dev_old| / (|dev| + 0.1) < 1e-8. R's covariance then uses the
	// working weights of the last iteration's start (glm's $weights and
	// the QR behind summary.glm's cov.unscaled) with the final residuals.
	var wsum float64
	for i := range n {
		wsum += s.Weight[i]
	}
	prior := make([]float64, n)
	for i := range n {
		prior[i] = s.Weight[i] * float64(n) / wsum
	}
	beta := make([]float64, p)
	eta := make([]float64, n)
	mu := make([]float64, n)
	for i := range n {
		if used[i] {
			m := (prior[i]*s.Y[i] + 0.5) / (prior[i] + 1)
			eta[i] = math.Log(m / (1 - m))
			mu[i] = 1 / (1 + math.Exp(-eta[i]))
		}
	}
	deviance := func() float64 {
		dev := 0.0
		for i := range n {
			if !used[i] {
				continue
			}
			y, m := s.Y[i], mu[i]
			if y > 0 {
				dev += 2 * prior[i] * y * math.Log(y/m)
			}
			if y < 1 {
				dev += 2 * prior[i] * (1 - y) * math.Log((1-y)/(1-m))
			}
		}
		return dev
	}
	devOld := deviance()
	xtwx := mat.NewSymDense(p, nil)
	xtwz := mat.NewVecDense(p, nil)
	var chol mat.Cholesky
	w2 := make([]float64, n) // working weights at the start of the last iteration
	iter, converged := 0, false
	for iter < glmMaxIter {
		iter++
		xtwx.Zero()
		xtwz.Zero()
		for i := range n {
			if !used[i] {
				continue
			}
			v := mu[i] * (1 - mu[i])
			if v < 1e-300 {
				return nil, apperr.New(apperr.Invalid, "the outcome is perfectly predicted (fitted probability 0 or 1); drop a predictor")
			}
			z := eta[i] + (s.Y[i]-mu[i])/v
			w2[i] = prior[i] * v
			for a := 0; a < p; a++ {
				xa := x(i, a)
				xtwz.SetVec(a, xtwz.AtVec(a)+w2[i]*xa*z)
				for b := a; b < p; b++ {
					xtwx.SetSym(a, b, xtwx.At(a, b)+w2[i]*xa*x(i, b))
				}
			}
		}
		if !chol.Factorize(xtwx) {
			return nil, apperr.New(apperr.Invalid, "the predictors are collinear (or constant); drop one")
		}
		var nb mat.VecDense
		if err := chol.SolveVecTo(&nb, xtwz); err != nil {
			return nil, apperr.New(apperr.Invalid, "the predictors are collinear; drop one")
		}
		for k := range p {
			beta[k] = nb.AtVec(k)
		}
		for i := range n {
			if used[i] {
				e := 0.0
				for k := range p {
					e += x(i, k) * beta[k]
				}
				eta[i] = e
				mu[i] = 1 / (1 + math.Exp(-e))
			}
		}
		dev := deviance()
		if math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < glmEpsilon {
			converged = true
			break
		}
		devOld = dev
	}
	if !converged {
		return nil, apperr.New(apperr.Invalid, "the regression did not converge in %d iterations", glmMaxIter)
	}
	// Ainv = (XᵀW₂X)⁻¹, W₂ the working weights the last fit used.
	var ainv mat.SymDense
	if err := chol.InverseTo(&ainv); err != nil {
		return nil, apperr.New(apperr.Invalid, "the predictors are collinear; drop one")
	}
	// Influence values: rows of estfun %*% Ainv (zero for unused rows).
	inf := make([][]float64, p) // by column
	for k := range inf {
		inf[k] = make([]float64, n)
	}
	u := make([]float64, p)
	for i := range n {
		if !used[i] {
			continue
		}
		r := w2[i] * (s.Y[i] - mu[i]) / (mu[i] * (1 - mu[i])) // glm weights × working residual
		for a := range p {
			u[a] = x(i, a) * r
		}
		for k := range p {
			t := 0.0
			for a := range p {
				t += u[a] * ainv.At(a, k)
			}
			inf[k][i] = t
		}
	}
	if d.Calibration != nil {
		for k := range inf {
			if err := d.Calibration.residuals(inf[k], s.Weight, s.Cell); err != nil {
				return nil, err
			}
		}
	}
	cov, err := d.covariance(s.Stratum, s.PSU, inf)
	if err != nil {
		return nil, err
	}
	// Degrees of freedom among the rows used.
	psus, strata := map[int32]bool{}, map[int32]bool{}
	for i := range n {
		if used[i] {
			psus[s.PSU[i]], strata[s.Stratum[i]] = true, true
		}
	}
	reg := &Regression{DF: len(psus) - len(strata) + 1 - p, N: nUsed, Iterations: iter}
	for k := range p {
		name := "(Intercept)"
		if k > 0 {
			name = s.Names[k-1]
		}
		c := Coefficient{Name: name, Estimate: beta[k], SE: math.Sqrt(cov[k][k])}
		c.T = c.Estimate / c.SE
		c.P = math.NaN()
		if reg.DF > 0 {
			c.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(reg.DF)}.CDF(-math.Abs(c.T))
		}
		reg.Coefficients = append(reg.Coefficients, c)
	}
	return reg, nil
}

// residuals replaces x (one value per row, rows in cells) by its
// calibration residuals, row by row, as R's svyrecvar: for
// post-stratification x − w·Σ_g x / Σ_g w; for raking ten sweeps of
// x ← x − psw_k · ave(x/psw_k, margin k), psw_k being the weights right
// after margin k was fitted (ratio × final weight).
func (c *Calibration) residuals(x, w []float64, cell []int32) error {
	for _, g := range cell {
		if g < 0 || int(g) >= len(c.factor) {
			return apperr.New(apperr.Invalid, "calibration cell %d of %d", g, len(c.factor))
		}
	}
	if c.kind == calGreg {
		z := make([]float64, len(c.factor))
		for i, g := range cell {
			z[g] += x[i]
		}
		adj := make([]float64, len(c.factor))
		p := c.columnsLen()
		if err := c.gregAdjust(z, adj, make([]float64, p), make([]float64, p)); err != nil {
			return err
		}
		for i, g := range cell {
			x[i] -= w[i] * adj[g]
		}
		return nil
	}
	if c.kind == calPost {
		sx, sw := make([]float64, len(c.factor)), make([]float64, len(c.factor))
		for i, g := range cell {
			sx[g] += x[i]
			sw[g] += w[i]
		}
		for i, g := range cell {
			x[i] -= w[i] * sx[g] / sw[g]
		}
		return nil
	}
	for range rakePasses {
		for k, lev := range c.level {
			sum, cnt := make([]float64, c.nlev[k]), make([]float64, c.nlev[k])
			for i, g := range cell {
				psw := c.ratio[k][g] * w[i]
				sum[lev[g]] += x[i] / psw
				cnt[lev[g]]++
			}
			for i, g := range cell {
				x[i] -= c.ratio[k][g] * w[i] * sum[lev[g]] / cnt[lev[g]]
			}
		}
	}
	return nil
}

// covariance is the design covariance of the totals of the columns of x
// (R onestage for a matrix): per stratum (1 − f_h)·n_h/(n_h − 1)·Σ_j
// (t_hj − t̄_h)(t_hj − t̄_h)ᵀ over its PSUs. A stratum with one PSU follows
// LonelyPSU: fail, or remove/certainty (no contribution); adjust and
// average are not offered for regressions.
func (d *Design) covariance(stratum, psu []int32, x [][]float64) ([][]float64, error) {
	p := len(x)
	nh := 0
	for _, h := range stratum {
		nh = max(nh, int(h)+1)
	}
	// PSU totals, PSUs numbered per stratum.
	type key struct{ h, j int32 }
	idx := map[key]int{}
	var tot [][]float64
	var stratOf []int32
	for i := range stratum {
		k := key{stratum[i], psu[i]}
		j, ok := idx[k]
		if !ok {
			j = len(tot)
			idx[k] = j
			tot = append(tot, make([]float64, p))
			stratOf = append(stratOf, stratum[i])
		}
		for c := range p {
			tot[j][c] += x[c][i]
		}
	}
	nPSU := make([]int32, nh)
	for _, h := range stratOf {
		nPSU[h]++
	}
	f, err := d.strataF(nPSU)
	if err != nil {
		return nil, err
	}
	cov := make([][]float64, p)
	for a := range cov {
		cov[a] = make([]float64, p)
	}
	mean := make([][]float64, nh)
	for h := range mean {
		mean[h] = make([]float64, p)
	}
	for j, h := range stratOf {
		for c := range p {
			mean[h][c] += tot[j][c] / float64(nPSU[h])
		}
	}
	for h := range nh {
		if nPSU[h] == 1 && f[h] >= certaintyF {
			switch d.LonelyPSU {
			case LonelyRemove, LonelyCertainty:
			case LonelyFail:
				return nil, apperr.New(apperr.Invalid, "stratum %s has only one PSU", d.label(h))
			default:
				return nil, apperr.New(apperr.Invalid, "stratum %s has only one PSU; regressions take the lonely PSU policies fail, remove or certainty", d.label(h))
			}
		}
	}
	for j, h := range stratOf {
		n := float64(nPSU[h])
		if n < 2 || f[h] < certaintyF {
			continue
		}
		s := f[h] * n / (n - 1)
		for a := range p {
			da := tot[j][a] - mean[h][a]
			for b := range p {
				cov[a][b] += s * da * (tot[j][b] - mean[h][b])
			}
		}
	}
	return cov, nil
}

// MarshalJSON writes numbers that do not exist (a p value without degrees
// of freedom) as null.
func (c Coefficient) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name     string   `json:"name"`
		Estimate *float64 `json:"estimate"`
		SE       *float64 `json:"se"`
		T        *float64 `json:"t"`
		P        *float64 `json:"p"`
	}{c.Name, finite(c.Estimate), finite(c.SE), finite(c.T), finite(c.P)})
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
