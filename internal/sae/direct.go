package sae

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Direct is an area's direct estimate of a rate from its own respondents.
type Direct struct {
	N int
	// P = Σwy/Σw; SE its standard error within the area and Low, High its
	// logit interval; NaN where they do not exist.
	P, SE, Low, High float64
	// SumW and SumW2 are Σw and Σw² (Kish's effective size).
	SumW, SumW2 float64
}

// DirectRate computes an area's direct estimate of a rate from its
// respondents' weights w and values y (0 or 1), with the variance within
// the area, the area taken as given and its households as drawn with
// replacement (R: svymean(~y, svydesign(ids = ~1, weights = ~w))):
//
//	v(p̂) = n/(n − 1) · Σ zᵢ²,  zᵢ = wᵢ(yᵢ − p̂)/Σw,
//
// and R's svyciprop logit interval at level with n − 1 degrees of freedom.
// With n < 2 there is no variance; at p̂ = 0 or 1, or a variance of 0, no
// interval.
func DirectRate(w, y []float64, level float64) Direct {
	d := Direct{N: len(w), P: math.NaN(), SE: math.NaN(), Low: math.NaN(), High: math.NaN()}
	if d.N == 0 {
		return d
	}
	var swy float64
	for i, wi := range w {
		d.SumW += wi
		d.SumW2 += wi * wi
		swy += wi * y[i]
	}
	d.P = swy / d.SumW
	if d.N < 2 {
		return d
	}
	var ss float64
	for i, wi := range w {
		z := wi * (y[i] - d.P) / d.SumW
		ss += z * z
	}
	n := float64(d.N)
	d.SE = math.Sqrt(n / (n - 1) * ss)
	if d.P > 0 && d.P < 1 && d.SE > 0 {
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(1 - (1-level)/2)
		l := math.Log(d.P / (1 - d.P))
		h := t * d.SE / (d.P * (1 - d.P))
		d.Low, d.High = expit(l-h), expit(l+h)
	}
	return d
}

func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
