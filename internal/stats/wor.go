package stats

import (
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// PSUProb is how one PSU of a two-stage sample drawn without replacement
// came into the sample (Design.PSUs).
type PSUProb struct {
	// First is the PSU's inclusion probability π_j at the first stage
	// (community drawn by PPS), in (0, 1]; 1 is a certainty PSU.
	First float64
	// Second is the conditional probability of each of its units at the
	// second stage (households by simple random sampling: drawn / in the
	// community), in (0, 1].
	Second float64
}

// Variance names the variance estimator of a design.
type Variance uint8

const (
	// VarianceWOR is the two-stage without-replacement estimator:
	// Brewer's approximation at the PPS first stage plus the second
	// stage's simple random sampling within PSUs (Design.PSUs set). It is
	// the zero value: what a round's estimates use unless told otherwise.
	VarianceWOR Variance = iota
	// VarianceWR treats PSUs as drawn with replacement within strata
	// (ultimate clusters), with an optional first-stage fpc.
	VarianceWR
)

var varianceNames = [...]string{"wor", "wr"}

func (v Variance) String() string {
	if int(v) < len(varianceNames) {
		return varianceNames[v]
	}
	return "unknown"
}

// MarshalText writes the estimator's name.
func (v Variance) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "wor" or "wr".
func (v *Variance) UnmarshalText(b []byte) error {
	x, err := ParseVariance(string(b))
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// ParseVariance reads "wr" or "wor".
func ParseVariance(s string) (Variance, error) {
	for i, n := range varianceNames {
		if s == n {
			return Variance(i), nil
		}
	}
	return 0, apperr.New(apperr.Invalid, "unknown variance estimator %q (want wor or wr)", s)
}

// Variance returns the estimator the design uses.
func (d *Design) Variance() Variance {
	if d != nil && d.PSUs != nil {
		return VarianceWOR
	}
	return VarianceWR
}

// worPrep is what the without-replacement variance needs per dense PSU.
type worPrep struct {
	f1    []float64 // 1 − π_j (R onestrat's f with popsize n_h/π_j)
	pi    []float64 // π_j: the second stage's multiplier n_h/popsize
	f2    []float64 // 1 − p2_j
	units []int64   // m_j: responses of the PSU in the whole sample
}

// prepareWOR checks the PSU probabilities and lays them out by dense PSU.
// psuIDs[j] is the id of dense PSU j.
func (p *prep) prepareWOR(psuIDs []int32) error {
	d := p.d
	if d.FPC != nil {
		return apperr.New(apperr.Invalid, "a design with PSU probabilities takes no stratum fpc: the probabilities are the fpc")
	}
	nP := len(p.psuStrat)
	w := &worPrep{f1: make([]float64, nP), pi: make([]float64, nP), f2: make([]float64, nP), units: make([]int64, nP)}
	for j, id := range psuIDs {
		if int(id) >= len(d.PSUs) {
			return apperr.New(apperr.Invalid, "PSU %d has no probabilities (%d given)", id, len(d.PSUs))
		}
		pr := d.PSUs[id]
		if !(pr.First > 0 && pr.First <= 1) || !(pr.Second > 0 && pr.Second <= 1) {
			h := int(p.psuStrat[j])
			return d.fpcError(h, "PSU %d of stratum %s has probabilities %v and %v; want each in (0, 1]", id, d.label(h), pr.First, pr.Second)
		}
		w.f1[j] = 1 - pr.First
		w.pi[j] = pr.First
		w.f2[j] = 1 - pr.Second
	}
	for i := range p.aggs {
		w.units[p.psu[i]] += p.aggs[i].Rows
	}
	p.wor = w
	return nil
}

// stratWOR is R's onestrat at the first stage of a pps="brewer" design:
// each PSU j present (with totals ts, dense ids js) gets the scale
// (1 − π_j)·n_h/(n_h − 1) and the totals are centred at their mean over
// all n_h PSUs of the stratum. When the domain misses some PSUs of the
// stratum, they count as zeros and R gives every PSU, present or not, the
// scale of the first one present ("can't be PPS, so scale must be a
// constant"; survey 4.1 onestrat): kept, to equal R. A stratum whose
// present PSUs are all certainties contributes nothing.
func (p *prep) stratWOR(h int, js []int32, ts []float64) (v float64, ok bool, err error) {
	w := p.wor
	allCert := true
	for _, j := range js {
		if w.f1[j] >= certaintyF {
			allCert = false
			break
		}
	}
	if allCert {
		return 0, true, nil
	}
	n := int(p.nPSU[h])
	if n > 1 {
		sum := 0.0
		for _, t := range ts {
			sum += t
		}
		mean := sum / float64(n)
		r := float64(n) / float64(n-1)
		if len(ts) < n {
			ss := float64(n-len(ts)) * mean * mean
			for _, t := range ts {
				d := t - mean
				ss += d * d
			}
			return ss * w.f1[js[0]] * r, true, nil
		}
		ss := 0.0
		for k, t := range ts {
			d := t - mean
			ss += d * d * w.f1[js[k]]
		}
		return ss * r, true, nil
	}
	switch p.d.LonelyPSU {
	case LonelyCertainty, LonelyRemove:
		return 0, true, nil
	case LonelyAdjust:
		t := 0.0
		for _, x := range ts {
			t += x
		}
		return t * t * w.f1[js[0]], true, nil
	case LonelyAverage:
		return 0, false, nil
	}
	return 0, false, p.d.lonelyError(h, "")
}

// stage2 is the second stage's contribution of dense PSU j (R multistage:
// onestage within the PSU, times n_h/popsize_j = π_j): its units are drawn
// by simple random sampling, so with m_j units in the sample, of which the
// domain's have linearised values summing to t with squares summing to ss
// (the others are zeros),
//
//	π_j · (1 − p2_j) · m_j/(m_j − 1) · (ss − t²/m_j).
func (p *prep) stage2(j int32, t, ss float64) (float64, error) {
	w := p.wor
	f := w.f2[j]
	if f < certaintyF {
		return 0, nil
	}
	m := float64(w.units[j])
	if w.units[j] > 1 {
		v := ss - t*t/m
		if v < 0 { // rounding: all values equal
			v = 0
		}
		return w.pi[j] * f * m / (m - 1) * v, nil
	}
	switch p.d.LonelyPSU {
	case LonelyAdjust:
		return w.pi[j] * f * t * t, nil
	case LonelyFail:
		h := int(p.psuStrat[j])
		return 0, apperr.Wrap(apperr.Invalid, &LonelyPSUError{Stratum: h, Label: p.d.label(h)}, "a PSU of stratum %s has a single unit in the sample; choose a lonely PSU policy (remove, certainty, adjust or average)", p.d.label(h))
	case LonelyAverage:
		return math.NaN(), nil // R: NA within the PSU, summed as nstrat/0
	}
	return 0, nil
}

// zz returns Σ z² and Σ w·z over the responses of s with a value, for the
// linearised values z = m·(w·y − k·w) of one term.
func (t term) zz(s *VarSums) (zz, wz float64) {
	zz = t.m * t.m * (s.SumW2Y2 - 2*t.k*s.SumW2Y + t.k*t.k*s.SumW2)
	wz = t.m * (s.SumW2Y - t.k*s.SumW2)
	return zz, wz
}

// worVariance is the variance of a without-replacement design that is not
// calibrated: R keeps every row in a subset of a pps design, so every PSU
// of the sample enters with its total (0 outside the domain) and its own
// scale, and every community's units enter the second stage.
func (p *prep) worVariance(idx []int32, t term, sc *scratch) (float64, error) {
	clear(sc.psuT)
	clear(sc.psuSS)
	for _, i := range idx {
		a := &p.aggs[i]
		s := &a.Vars[t.v]
		if s.N == 0 {
			continue
		}
		zz, _ := t.zz(s)
		j := p.psu[i]
		sc.psuT[j] += t.z(s)
		sc.psuSS[j] += zz
	}
	return p.allStrata(sc, true, false)
}
