// Package sae owns minyi's small-area estimation: model-based estimates
// for areas (communities) whose own sample is too small for a direct
// estimate to say much, borrowing strength from the other areas through a
// linking model. It is pure: plain values in, plain values out.
//
// # The area-level Fay–Herriot model
//
// For areas i = 1…m with a direct estimate yᵢ of θᵢ and its sampling
// variance ψᵢ (taken as known), and covariates xᵢ (p of them):
//
//	yᵢ = θᵢ + eᵢ,  eᵢ ~ N(0, ψᵢ)          (sampling model)
//	θᵢ = xᵢ'β + vᵢ, vᵢ ~ N(0, σ²ᵥ)         (linking model)
//
// (Fay and Herriot 1979; Rao and Molina, Small Area Estimation, 2nd ed.,
// 2015, ch. 6.) With Vᵢ = σ²ᵥ + ψᵢ and γᵢ = σ²ᵥ/Vᵢ:
//
//	β̂ = (X'V⁻¹X)⁻¹ X'V⁻¹y                      (GLS)
//	θ̂ᵢ = γᵢyᵢ + (1 − γᵢ)xᵢ'β̂                   (EBLUP)
//
// σ²ᵥ is estimated by REML with Fisher scoring exactly as R's
// sae::eblupFH does it (sae 1.3): start at median(ψ), iterate
//
//	σ²₍ₖ₊₁₎ = σ²₍ₖ₎ + s/F,  s = −½ tr(P) + ½ y'PPy,  F = ½ tr(PP),
//	P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹,
//
// until |σ²₍ₖ₊₁₎ − σ²₍ₖ₎| / |σ²₍ₖ₎| ≤ 1e-4 or 100 iterations, and truncate
// the result at 0 (eblupFH's PRECISION, MAXITER and max(A, 0)).
//
// The MSE is the Prasad–Rao estimator as Datta and Lahiri (2000) adapted
// it to REML (Rao and Molina §6.2.1, eq. 6.2.27; sae::mseFH, method REML):
//
//	mse(θ̂ᵢ) = g₁ᵢ + g₂ᵢ + 2g₃ᵢ
//	g₁ᵢ = γᵢψᵢ
//	g₂ᵢ = (1 − γᵢ)² xᵢ'(X'V⁻¹X)⁻¹xᵢ
//	g₃ᵢ = (1 − γᵢ)² · V̄(σ̂²ᵥ) / Vᵢ,   V̄(σ̂²ᵥ) = 2 / Σⱼ Vⱼ⁻²
//
// testdata/fh.R writes the same computation in base R from these formulas
// (the sae package is not installed where minyi is built) and the tests
// hold the Go to its output within 1e-8.
package sae

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// The Fisher scoring settings of sae::eblupFH (its defaults).
const (
	MaxIter   = 100
	Precision = 1e-4
)

// Input is the data of a Fay–Herriot fit: for each area its direct
// estimate, the estimate's sampling variance and its covariates (one row
// of the design matrix, the same length for every area; include a column
// of ones for an intercept).
type Input struct {
	Y   []float64
	Psi []float64
	X   [][]float64
}

// Fit is a fitted Fay–Herriot model and its area estimates.
type Fit struct {
	// SigmaV2 is the REML estimate of the model variance σ²ᵥ, after
	// truncation at 0.
	SigmaV2 float64
	// Truncated is set when the REML iteration ended at or below 0 and
	// SigmaV2 was set to 0: the covariates explain all the variation
	// between areas that the sampling error leaves, and every EBLUP is
	// its synthetic estimate xᵢ'β̂.
	Truncated bool
	// Iterations is the number of Fisher scoring steps taken.
	Iterations int
	// Beta are the GLS coefficients, BetaCov their covariance (X'V⁻¹X)⁻¹.
	Beta    []float64
	BetaCov [][]float64
	// Per area: the shrinkage factor γᵢ, the synthetic estimate xᵢ'β̂,
	// the EBLUP and its MSE with its three parts.
	Gamma, Synthetic, EBLUP, MSE []float64
	G1, G2, G3                   []float64
}

// FayHerriot fits the model by REML and returns the EBLUPs and their
// MSEs. It fails with a *Check error when the data cannot carry the model:
// fewer areas than MinAreas(p), a variance that is not positive and
// finite, collinear covariates, or a REML iteration that does not
// converge. A σ²ᵥ truncated at 0 is not a failure (Fit.Truncated).
func FayHerriot(in Input) (*Fit, error) {
	m := len(in.Y)
	if len(in.Psi) != m || len(in.X) != m {
		return nil, checkf(ReasonShape, "%d estimates, %d variances and %d covariate rows", m, len(in.Psi), len(in.X))
	}
	if m == 0 {
		return nil, checkf(ReasonTooFewAreas, "no areas")
	}
	p := len(in.X[0])
	if m < MinAreas(p) {
		return nil, checkf(ReasonTooFewAreas, "%d areas for %d covariates; the model needs at least %d", m, p, MinAreas(p))
	}
	for i := range m {
		if len(in.X[i]) != p {
			return nil, checkf(ReasonShape, "area %d has %d covariates, area 1 has %d", i+1, len(in.X[i]), p)
		}
		if !finite(in.Y[i]) {
			return nil, checkf(ReasonBadEstimate, "area %d has no direct estimate", i+1)
		}
		if !(in.Psi[i] > 0) || math.IsInf(in.Psi[i], 0) {
			return nil, checkf(ReasonBadVariance, "area %d has sampling variance %v", i+1, in.Psi[i])
		}
		for _, x := range in.X[i] {
			if !finite(x) {
				return nil, checkf(ReasonShape, "area %d has a covariate %v", i+1, x)
			}
		}
	}
	w := &work{in: in, m: m, p: p}
	// eblupFH: Aest.REML[1] <- median(vardir).
	a := median(in.Psi)
	k := 0
	diff := Precision + 1
	for diff > Precision && k < MaxIter {
		k++
		if err := w.at(a); err != nil {
			return nil, err
		}
		s, f := w.score()
		next := a + s/f
		diff = math.Abs((next - a) / a)
		a = next
		if !finite(a) {
			return nil, checkf(ReasonNoConvergence, "the REML iteration diverged after %d steps", k)
		}
	}
	if k >= MaxIter && diff >= Precision {
		return nil, checkf(ReasonNoConvergence, "the REML iteration did not converge in %d steps", MaxIter)
	}
	fit := &Fit{Iterations: k, SigmaV2: max(a, 0), Truncated: a <= 0}
	if err := w.at(fit.SigmaV2); err != nil {
		return nil, err
	}
	fit.Beta = slices.Clone(w.beta)
	fit.BetaCov = make([][]float64, p)
	for r := range p {
		fit.BetaCov[r] = make([]float64, p)
		for c := range p {
			fit.BetaCov[r][c] = w.q.At(r, c)
		}
	}
	fit.Gamma, fit.Synthetic, fit.EBLUP = make([]float64, m), make([]float64, m), make([]float64, m)
	fit.MSE, fit.G1, fit.G2, fit.G3 = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	// mseFH (REML): VarA <- 2/sum(Vi^2).
	var sumV2 float64
	for i := range m {
		vi := 1 / (fit.SigmaV2 + in.Psi[i])
		sumV2 += vi * vi
	}
	varA := 2 / sumV2
	for i := range m {
		ps := in.Psi[i]
		V := fit.SigmaV2 + ps
		g := fit.SigmaV2 / V
		b := ps / V // Bd
		syn := dot(in.X[i], w.beta)
		fit.Gamma[i], fit.Synthetic[i] = g, syn
		fit.EBLUP[i] = syn + g*(in.Y[i]-syn)
		fit.G1[i] = ps * (1 - b)
		fit.G2[i] = b * b * w.quad(in.X[i])
		fit.G3[i] = b * b * varA / V
		fit.MSE[i] = fit.G1[i] + fit.G2[i] + 2*fit.G3[i]
	}
	return fit, nil
}

// Predict is the model-only estimate of an area without a usable direct
// estimate, from its covariates x: the synthetic estimate x'β̂ and its MSE
// σ̂²ᵥ + x'(X'V⁻¹X)⁻¹x (Rao and Molina §6.2: the EBLUP of an area with
// γ = 0; the MSE ignores the estimation of σ²ᵥ, which is second order).
func (f *Fit) Predict(x []float64) (est, mse float64) {
	if len(x) != len(f.Beta) {
		return math.NaN(), math.NaN()
	}
	var q float64
	for r := range x {
		for c := range x {
			q += x[r] * f.BetaCov[r][c] * x[c]
		}
	}
	return dot(x, f.Beta), f.SigmaV2 + q
}

// MinAreas is the fewest areas a fit with p covariates accepts: p + 3, so
// that at least three degrees of freedom are left to estimate σ²ᵥ after
// β, and never fewer than 5 areas.
func MinAreas(p int) int { return max(p+3, 5) }

// work holds what one value of σ²ᵥ implies.
type work struct {
	in   Input
	m, p int
	a    float64
	vi   []float64  // 1/(a + ψᵢ)
	q    *mat.Dense // (X'V⁻¹X)⁻¹
	beta []float64  // Q X'V⁻¹y
}

// at computes V⁻¹, Q and β̂ for σ²ᵥ = a.
func (w *work) at(a float64) error {
	w.a = a
	if w.vi == nil {
		w.vi = make([]float64, w.m)
	}
	xtvx := mat.NewDense(w.p, w.p, nil)
	xtvy := make([]float64, w.p)
	for i := range w.m {
		v := 1 / (a + w.in.Psi[i])
		w.vi[i] = v
		x := w.in.X[i]
		for r := range w.p {
			xtvy[r] += x[r] * v * w.in.Y[i]
			for c := range w.p {
				xtvx.Set(r, c, xtvx.At(r, c)+x[r]*v*x[c])
			}
		}
	}
	var q mat.Dense
	if err := q.Inverse(xtvx); err != nil || !allFinite(q.RawMatrix().Data) {
		return checkf(ReasonCollinear, "the covariates are collinear (X'V⁻¹X is singular)")
	}
	w.q = &q
	w.beta = make([]float64, w.p)
	for r := range w.p {
		for c := range w.p {
			w.beta[r] += q.At(r, c) * xtvy[c]
		}
	}
	return nil
}

// quad returns x'Qx.
func (w *work) quad(x []float64) float64 {
	var s float64
	for r := range w.p {
		for c := range w.p {
			s += x[r] * w.q.At(r, c) * x[c]
		}
	}
	return s
}

// score returns the REML score s and Fisher information F at w.a, from
// P = V⁻¹ − V⁻¹XQX'V⁻¹ without forming the m×m matrix:
//
//	tr(P)  = Σ vᵢ − tr(Q·X'V⁻²X)
//	tr(PP) = Σ vᵢ² − 2 tr(Q·X'V⁻³X) + tr(Q·X'V⁻²X·Q·X'V⁻²X)
//	Py     = V⁻¹(y − Xβ̂)
func (w *work) score() (s, f float64) {
	p := w.p
	b2 := mat.NewDense(p, p, nil) // X'V⁻²X
	b3 := mat.NewDense(p, p, nil) // X'V⁻³X
	var trV, trV2, pyy float64
	for i := range w.m {
		v := w.vi[i]
		trV += v
		trV2 += v * v
		x := w.in.X[i]
		r := v * (w.in.Y[i] - dot(x, w.beta))
		pyy += r * r
		for a := range p {
			for c := range p {
				b2.Set(a, c, b2.At(a, c)+x[a]*v*v*x[c])
				b3.Set(a, c, b3.At(a, c)+x[a]*v*v*v*x[c])
			}
		}
	}
	var qb2, qb3, qq mat.Dense
	qb2.Mul(w.q, b2)
	qb3.Mul(w.q, b3)
	qq.Mul(&qb2, &qb2)
	trP := trV - mat.Trace(&qb2)
	trPP := trV2 - 2*mat.Trace(&qb3) + mat.Trace(&qq)
	return -0.5*trP + 0.5*pyy, 0.5 * trPP
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func allFinite(xs []float64) bool {
	for _, x := range xs {
		if !finite(x) {
			return false
		}
	}
	return true
}

// median is R's median: the mean of the two middle values for an even
// count.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
