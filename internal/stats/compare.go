package stats

import (
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Composite is a composite index: Σ_k Weights[k]·p̂_k over the variables of
// the aggregates (a zero weight leaves a variable out), each p̂_k a ratio
// estimated on its own responses with a value.
type Composite struct {
	Name    string
	Weights []float64 // one per variable of the aggregates
}

// EstimateComposite estimates a composite index in the whole population
// and in every domain (population first, then domains by ascending id).
//
// The index is a linear combination of ratio estimators sharing the
// design, so its linearised values are Σ_k a_k·z_k with z_k those of each
// ratio (Lumley §2.3 / Binder 1983); with the same responses in every
// variable this is R svycontrast(svymean(~y1+…+yK, des), a). The interval
// is estimate ± t·se; N is the smallest count among the components, SumW
// the weight of the domain's responses, and Deff is not defined (NaN).
// Under a without-replacement design (Design.PSUs) the composite's
// variance stays the with-replacement one (PSU totals, no fpc): its
// second stage would need the cross-products of the variables within
// PSUs, which the aggregates do not carry; it errs on the wide side.
func EstimateComposite(d *Design, aggs []Aggregate, c Composite, opts Options) ([]Estimate, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if len(aggs) > 0 && len(aggs[0].Vars) != len(c.Weights) {
		return nil, apperr.New(apperr.Invalid, "composite %s has %d weights for %d variables", c.Name, len(c.Weights), len(aggs[0].Vars))
	}
	p, err := prepare(d, aggs, len(c.Weights))
	if err != nil {
		return nil, err
	}
	sc := p.newScratch()
	out := []Estimate{}
	e, err := p.composite(p.all, NoDomain, c, opts, sc)
	if err != nil {
		return nil, err
	}
	out = append(out, e)
	for i, idx := range p.byDomain {
		e, err := p.composite(idx, p.domains[i], c, opts, sc)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (p *prep) composite(idx []int32, dom int32, c Composite, opts Options, sc *scratch) (Estimate, error) {
	nan := math.NaN()
	// The with-replacement variance, so its degrees of freedom too.
	e := Estimate{Variable: c.Name, Kind: Mean, Domain: dom, DF: p.dfPSUs(idx), Deff: nan, EffectiveN: nan, N: math.MaxInt64}
	w := make([]float64, len(c.Weights))
	wy := make([]float64, len(c.Weights))
	n := make([]int64, len(c.Weights))
	for _, i := range idx {
		a := &p.aggs[i]
		e.Rows += a.Rows
		e.SumW += a.SumW
		for k := range c.Weights {
			s := &a.Vars[k]
			w[k] += s.SumW
			wy[k] += s.SumWY
			n[k] += s.N
		}
	}
	terms := make([]term, 0, len(c.Weights))
	for k, a := range c.Weights {
		if a == 0 {
			continue
		}
		e.N = min(e.N, n[k])
		if n[k] == 0 {
			continue
		}
		pk := wy[k] / w[k]
		e.Value += a * pk
		terms = append(terms, term{v: k, m: a / w[k], k: pk})
	}
	if e.N == math.MaxInt64 {
		e.N = 0
	}
	e.Small = e.N < opts.MinN
	if e.N == 0 {
		e.Value, e.SE, e.CILow, e.CIHigh = nan, nan, nan, nan
		return e, nil
	}
	v, err := p.variance(idx, terms, sc, false)
	if err != nil {
		return e, err
	}
	e.SE = math.Sqrt(v)
	e.CILow, e.CIHigh = waldCI(e.Value, e.SE, float64(e.DF), opts.level(), sc.t)
	return e, nil
}

// Difference is the difference a − b of two estimates from independent
// samples (two rounds, or two samples drawn separately).
type Difference struct {
	Value         float64 // a.Value − b.Value
	SE            float64 // √(se_a² + se_b²)
	DF            float64 // Welch–Satterthwaite: (v_a + v_b)² / (v_a²/df_a + v_b²/df_b)
	CILow, CIHigh float64 // Value ± t_{DF}·SE
}

// Compare returns the difference a − b of two independent estimates with
// its interval at the given level (0 means 0.95). The degrees of freedom
// combine the two designs' by Welch–Satterthwaite (Satterthwaite 1946;
// Korn and Graubard, Analysis of Health Surveys, 1999, §5.2).
func Compare(a, b Estimate, level float64) Difference {
	if level == 0 {
		level = 0.95
	}
	va, vb := a.SE*a.SE, b.SE*b.SE
	d := Difference{Value: a.Value - b.Value, SE: math.Sqrt(va + vb)}
	dfa, dfb := float64(a.DF), float64(b.DF)
	switch den := va*va/dfa + vb*vb/dfb; {
	case a.DF < 1 || b.DF < 1:
		d.DF = math.NaN()
	case den > 0:
		d.DF = (va + vb) * (va + vb) / den
	default: // both variances 0
		d.DF = min(dfa, dfb)
	}
	d.CILow, d.CIHigh = waldCI(d.Value, d.SE, d.DF, level, tQuantile)
	return d
}
