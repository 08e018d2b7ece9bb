package stats

import (
	"math"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Estimate is one estimate of a variable in the whole population or in a
// domain, with what is needed to judge it.
type Estimate struct {
	Variable string
	Kind     Kind
	Domain   int32   // domain id, or NoDomain for the whole population
	Value    float64 // rate, mean or total; NaN when N is 0
	SE       float64 // Taylor-linearised standard error
	// CILow and CIHigh bound the interval at Options.Level; both are NaN
	// when it does not exist (a rate's interval at a rate of 0 or 1, df < 1).
	CILow, CIHigh float64
	DF            int     // #PSUs − #strata among the domain's responses (R degf)
	Deff          float64 // design effect as R deff=TRUE; NaN when undefined
	EffectiveN    float64 // N / Deff
	N             int64   // responses in the domain with a value (unweighted)
	Rows          int64   // responses in the domain, with or without a value
	SumW          float64 // Σ w over the N responses
	Small         bool    // N < Options.MinN
}

// term is one piece of a linearised statistic. Over the responses of an
// aggregate with a value of variable v it contributes
//
//	z = m·(Σwy − k·Σw)   to the PSU total, and
//	u = m·(Σy − k·n)     to Σ z/w (needed after raking).
//
// A ratio (mean, rate) is {v, 1/Σw, p̂}; a total {v, 1, 0}; a linear
// combination of ratios one term per ratio.
type term struct {
	v    int
	m, k float64
}

func (t term) z(s *VarSums) float64 { return t.m * (s.SumWY - t.k*s.SumW) }
func (t term) u(s *VarSums) float64 { return t.m * (s.SumY - t.k*float64(s.N)) }

// prep is the structure of a sample derived once from its aggregates.
type prep struct {
	d        *Design
	aggs     []Aggregate
	nPSU     []int32   // per stratum, PSUs in the whole sample (n_h)
	f        []float64 // per stratum, 1 − n_h/N_h
	rows     int64     // responses in the sample
	psu      []int32   // per aggregate, dense PSU index
	psuStrat []int32   // per dense PSU, its stratum
	strataPS [][]int32 // per stratum, its dense PSUs
	all      []int32   // aggregate indices sorted by stratum, PSU
	domains  []int32   // domain ids present, ascending
	byDomain [][]int32 // per domain, aggregate indices sorted by stratum, PSU
	cal      *calPrep
	wor      *worPrep // without-replacement variance (Design.PSUs)
}

// scratch holds buffers reused across estimates.
type scratch struct {
	ts    []float64 // PSU totals of one stratum
	js    []int32   // their dense PSU ids
	psuT  []float64 // per dense PSU (calibrated designs)
	psuSS []float64 // per dense PSU: Σ squared residuals (calibrated WOR designs)
	cell  []float64 // per calibration cell
	c     []float64
	num   []float64
	den   []float64
	b     []float64 // calibration: per column
	beta  []float64
	tq    map[[2]float64]float64 // quantiles of t by (p, df)
}

// t returns qt(prob, df), remembering it: many estimates share their df.
func (sc *scratch) t(prob, df float64) float64 {
	k := [2]float64{prob, df}
	if q, ok := sc.tq[k]; ok {
		return q
	}
	q := tQuantile(prob, df)
	if sc.tq == nil {
		sc.tq = map[[2]float64]float64{}
	}
	sc.tq[k] = q
	return q
}

func prepare(d *Design, aggs []Aggregate, nvars int) (*prep, error) {
	if d == nil {
		d = &Design{}
	}
	if len(aggs) == 0 {
		return nil, apperr.New(apperr.Invalid, "no responses to estimate from")
	}
	p := &prep{d: d, aggs: aggs, psu: make([]int32, len(aggs))}
	nStrata := len(d.Strata)
	dense := make(map[int32]int32)
	var psuIDs []int32 // per dense PSU, its id
	for i := range aggs {
		a := &aggs[i]
		if a.Stratum < 0 || (d.Strata != nil && int(a.Stratum) >= nStrata) {
			return nil, apperr.New(apperr.Invalid, "aggregate %d: stratum %d is not in the design (%d strata)", i, a.Stratum, nStrata)
		}
		if int(a.Stratum) >= nStrata {
			nStrata = int(a.Stratum) + 1
		}
		if len(a.Vars) != nvars {
			return nil, apperr.New(apperr.Invalid, "aggregate %d has %d variables, want %d", i, len(a.Vars), nvars)
		}
		if a.Domain < NoDomain || a.PSU < 0 || a.Cell < 0 || a.Rows <= 0 || !(a.SumW > 0) {
			return nil, apperr.New(apperr.Invalid, "aggregate %d is malformed (PSU %d, domain %d, cell %d, rows %d, Σw %v)", i, a.PSU, a.Domain, a.Cell, a.Rows, a.SumW)
		}
		j, ok := dense[a.PSU]
		if !ok {
			j = int32(len(p.psuStrat))
			dense[a.PSU] = j
			p.psuStrat = append(p.psuStrat, a.Stratum)
			psuIDs = append(psuIDs, a.PSU)
		} else if p.psuStrat[j] != a.Stratum {
			return nil, apperr.New(apperr.Invalid, "PSU %d appears in strata %s and %s; PSUs must be nested in strata", a.PSU, d.label(int(p.psuStrat[j])), d.label(int(a.Stratum)))
		}
		p.psu[i] = j
		p.rows += a.Rows
	}
	// Renumber PSUs in (stratum, id) order, so that dense order is sort
	// order and the result does not depend on the order of the input rows.
	nP := len(p.psuStrat)
	perm := make([]int32, nP)
	for j := range perm {
		perm[j] = int32(j)
	}
	slices.SortFunc(perm, func(x, y int32) int {
		if hx, hy := p.psuStrat[x], p.psuStrat[y]; hx != hy {
			return int(hx) - int(hy)
		}
		return int(psuIDs[x]) - int(psuIDs[y])
	})
	rank := make([]int32, nP)
	strat := make([]int32, nP)
	for r, j := range perm {
		rank[j] = int32(r)
		strat[r] = p.psuStrat[j]
	}
	p.psuStrat = strat
	for i, j := range p.psu {
		p.psu[i] = rank[j]
	}
	denseIDs := make([]int32, nP)
	for r, j := range perm {
		denseIDs[r] = psuIDs[j]
	}
	p.nPSU = make([]int32, nStrata)
	p.strataPS = make([][]int32, nStrata)
	for j, h := range p.psuStrat {
		p.nPSU[h]++
		p.strataPS[h] = append(p.strataPS[h], int32(j))
	}
	var err error
	if p.f, err = d.strataF(p.nPSU); err != nil {
		return nil, err
	}
	if d.PSUs != nil {
		if err := p.prepareWOR(denseIDs); err != nil {
			return nil, err
		}
	}
	if d.LonelyPSU > LonelyAverage {
		return nil, apperr.New(apperr.Invalid, "unknown lonely PSU policy %d", d.LonelyPSU)
	}
	if d.LonelyPSU == LonelyFail {
		for h, n := range p.nPSU {
			if n == 1 && p.wor != nil && p.wor.f1[p.strataPS[h][0]] < certaintyF {
				continue // a certainty PSU alone in its stratum
			}
			if n == 1 && p.f[h] >= certaintyF {
				return nil, d.lonelyError(h, "; choose a lonely PSU policy (remove, certainty, adjust or average)")
			}
		}
	}

	p.order()
	if d.Calibration != nil {
		if p.cal, err = newCalPrep(d.Calibration, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// order fills p.all (aggregates by stratum, PSU, domain, cell) and
// p.byDomain (the same order within each domain) with counting sorts.
func (p *prep) order() {
	aggs := p.aggs
	nP := len(p.psuStrat)
	pos := make([]int32, nP+1)
	for _, j := range p.psu {
		pos[j+1]++
	}
	for j := 1; j <= nP; j++ {
		pos[j] += pos[j-1]
	}
	p.all = make([]int32, len(aggs))
	next := slices.Clone(pos[:nP])
	for i, j := range p.psu {
		p.all[next[j]] = int32(i)
		next[j]++
	}
	// Within a PSU, by (domain, cell): groups are small.
	for j := range nP {
		g := p.all[pos[j]:pos[j+1]]
		if len(g) > 1 {
			slices.SortFunc(g, func(x, y int32) int {
				if dx, dy := aggs[x].Domain, aggs[y].Domain; dx != dy {
					return int(dx) - int(dy)
				}
				return int(aggs[x].Cell) - int(aggs[y].Cell)
			})
		}
	}
	// Domains: a stable counting sort of p.all by dense domain.
	ids := map[int32]int32{}
	for i := range aggs {
		if d := aggs[i].Domain; d != NoDomain {
			if _, ok := ids[d]; !ok {
				ids[d] = 0
				p.domains = append(p.domains, d)
			}
		}
	}
	slices.Sort(p.domains)
	for k, d := range p.domains {
		ids[d] = int32(k)
	}
	dpos := make([]int32, len(p.domains)+1)
	for i := range aggs {
		if d := aggs[i].Domain; d != NoDomain {
			dpos[ids[d]+1]++
		}
	}
	for k := 1; k < len(dpos); k++ {
		dpos[k] += dpos[k-1]
	}
	byDom := make([]int32, dpos[len(dpos)-1])
	dnext := slices.Clone(dpos[:len(p.domains)])
	for _, i := range p.all {
		if d := aggs[i].Domain; d != NoDomain {
			k := ids[d]
			byDom[dnext[k]] = i
			dnext[k]++
		}
	}
	p.byDomain = make([][]int32, len(p.domains))
	for k := range p.domains {
		p.byDomain[k] = byDom[dpos[k]:dpos[k+1]:dpos[k+1]]
	}
}

func (p *prep) newScratch() *scratch {
	sc := &scratch{}
	if p.cal != nil || p.wor != nil {
		sc.psuT = make([]float64, len(p.psuStrat))
		sc.psuSS = make([]float64, len(p.psuStrat))
	}
	if p.cal != nil {
		n := p.cal.c.Cells()
		sc.cell = make([]float64, n)
		sc.c = make([]float64, n)
		sc.num = make([]float64, p.cal.c.maxLevels())
		sc.den = make([]float64, p.cal.c.maxLevels())
		sc.b = make([]float64, p.cal.c.columnsLen())
		sc.beta = make([]float64, p.cal.c.columnsLen())
	}
	return sc
}

// df returns #PSUs − #strata over the responses in idx (R degf of the
// domain design: responses without a value still count).
//
// In a without-replacement design a certainty PSU (π = 1, a community
// taken for sure) is self-representing: it is a stratum of its own whose
// units (households) are the PSUs, and that is how it is counted. Its
// variance is the same either way (the first stage adds nothing, the
// second stage's SRS of households is that stratum's variance), but its
// degrees of freedom are its households − 1, not a share of the street's
// communities − 1: where most communities are certain, the variance comes
// mostly from households within them, and a t quantile with the
// communities' few degrees of freedom widens every interval for nothing.
// R gives the same with svydesign(ids = ~c + household, strata = ~s,
// fpc = ~q1 + q2, pps = "brewer") where, for a certainty community's
// rows, s is street:community, c the household, q1 = p2 and q2 = 1
// (testdata/golden.R; the R bundle's verify.R). The variance is not that
// design's: it stays R's svydesign(ids = ~community + household, strata =
// ~street, fpc = ~p1 + p2, pps = "brewer"), whose Brewer stage centres a
// street's community totals over all its communities, certainty ones
// included; R reproduces minyi with that design and df = the degf above
// (svyciprop(..., df =), confint(..., df =)).
func (p *prep) df(idx []int32) int {
	if p.wor != nil {
		return p.dfWOR(idx)
	}
	return p.dfPSUs(idx)
}

// dfPSUs is #PSUs − #strata with every PSU counted as one, whatever its
// probability (the with-replacement design's degf).
func (p *prep) dfPSUs(idx []int32) int {
	psus, strata := 0, 0
	lastS, lastP := int32(-1), int32(-1)
	for _, i := range idx {
		a := &p.aggs[i]
		if a.Stratum != lastS {
			strata++
			lastS = a.Stratum
		}
		if p.psu[i] != lastP {
			psus++
			lastP = p.psu[i]
		}
	}
	return psus - strata
}

// dfWOR is df for a without-replacement design: each certainty PSU
// present counts as a stratum whose responses are its PSUs.
func (p *prep) dfWOR(idx []int32) int {
	psus, strata := 0, 0
	lastS, lastP, lastC := int32(-1), int32(-1), int32(-1)
	for _, i := range idx {
		a := &p.aggs[i]
		j := p.psu[i]
		if p.wor.f1[j] < certaintyF {
			psus += int(a.Rows)
			if j != lastC {
				strata++
				lastC = j
			}
			continue
		}
		if a.Stratum != lastS {
			strata++
			lastS = a.Stratum
		}
		if j != lastP {
			psus++
			lastP = j
		}
	}
	return psus - strata
}

// strat returns the variance contribution of one stratum from the totals
// ts of its PSUs that have responses in the domain (R onestrat). ok is
// false for a lonely stratum under LonelyAverage.
func (p *prep) strat(h int, ts []float64) (v float64, ok bool, err error) {
	f := p.f[h]
	if f < certaintyF { // self-representing stratum
		return 0, true, nil
	}
	n := int(p.nPSU[h])
	if n > 1 {
		// Centre at the mean over all n_h PSUs; absent PSUs are zeros.
		sum := 0.0
		for _, t := range ts {
			sum += t
		}
		mean := sum / float64(n)
		ss := float64(n-len(ts)) * mean * mean
		for _, t := range ts {
			d := t - mean
			ss += d * d
		}
		return ss * (f * float64(n) / float64(n-1)), true, nil
	}
	switch p.d.LonelyPSU {
	case LonelyCertainty, LonelyRemove:
		return 0, true, nil
	case LonelyAdjust:
		t := 0.0
		for _, x := range ts {
			t += x
		}
		return t * t * f, true, nil
	case LonelyAverage:
		return 0, false, nil
	}
	return 0, false, p.d.lonelyError(h, "")
}

// variance returns Var of the linearised statistic terms over the
// aggregates idx (sorted by stratum, PSU), as R svyrecvar + onestage:
// without replacement when the design says so and wor is set (a single
// term: the second stage needs Σz² within PSUs), else with replacement.
func (p *prep) variance(idx []int32, terms []term, sc *scratch, wor bool) (float64, error) {
	wor = wor && p.wor != nil && len(terms) == 1
	if p.cal != nil {
		return p.calVariance(idx, terms, sc, wor)
	}
	if wor {
		return p.worVariance(idx, terms[0], sc)
	}
	var total float64
	nstrat, nok := 0, 0
	for i := 0; i < len(idx); {
		h := p.aggs[idx[i]].Stratum
		sc.ts = sc.ts[:0]
		present := false
		for i < len(idx) && p.aggs[idx[i]].Stratum == h {
			j := p.psu[idx[i]]
			t := 0.0
			for i < len(idx) && p.psu[idx[i]] == j {
				a := &p.aggs[idx[i]]
				for _, tm := range terms {
					s := &a.Vars[tm.v]
					if s.N > 0 {
						t += tm.z(s)
						present = true
					}
				}
				i++
			}
			sc.ts = append(sc.ts, t)
		}
		// R drops the rows of the domain without a value before onestage,
		// so a stratum with none of them is not counted in #strata.
		if !present {
			continue
		}
		nstrat++
		v, ok, err := p.strat(int(h), sc.ts)
		if err != nil {
			return 0, err
		}
		if ok {
			nok++
			total += v
		}
	}
	if nstrat == 0 {
		return 0, nil
	}
	if nok != nstrat {
		// R onestage: sum over strata with a variance × nstrat/nokstrat.
		return total * float64(nstrat) / float64(nok), nil
	}
	return total, nil
}

// EstimateAggregates estimates each variable in the whole population and in
// every domain present in aggs. The result holds, for each variable in
// order, the population estimate followed by the domains by ascending id.
func EstimateAggregates(d *Design, aggs []Aggregate, vars []Variable, opts Options) ([]Estimate, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p, err := prepare(d, aggs, len(vars))
	if err != nil {
		return nil, err
	}
	sc := p.newScratch()
	out := make([]Estimate, 0, len(vars)*(1+len(p.domains)))
	dfs := make([]int, len(p.domains))
	for i, idx := range p.byDomain {
		dfs[i] = p.df(idx)
	}
	dfAll := p.df(p.all)
	for v, vr := range vars {
		if vr.Kind > Total {
			return nil, apperr.New(apperr.Invalid, "variable %s: unknown kind %d", vr.Name, vr.Kind)
		}
		e, err := p.estimate(p.all, NoDomain, dfAll, v, vr, opts, sc)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		for i, idx := range p.byDomain {
			e, err := p.estimate(idx, p.domains[i], dfs[i], v, vr, opts, sc)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// nrow is R's nrow(design) for the domain: its responses, or the whole
// sample for a calibrated design (whose subsets keep every row).
func (p *prep) nrow(domainRows int64) int64 {
	if p.cal != nil || p.wor != nil {
		return p.rows
	}
	return domainRows
}

func (p *prep) estimate(idx []int32, dom int32, df, v int, vr Variable, opts Options, sc *scratch) (Estimate, error) {
	var n, rows int64
	var w, wy, wy2 float64
	for _, i := range idx {
		a := &p.aggs[i]
		s := &a.Vars[v]
		rows += a.Rows
		n += s.N
		w += s.SumW
		wy += s.SumWY
		wy2 += s.SumWY2
	}
	e := Estimate{Variable: vr.Name, Kind: vr.Kind, Domain: dom, DF: df, N: n, Rows: rows, SumW: w, Small: n < opts.MinN}
	nan := math.NaN()
	if n == 0 {
		e.Value, e.SE, e.CILow, e.CIHigh, e.Deff, e.EffectiveN = nan, nan, nan, nan, nan, nan
		return e, nil
	}
	mean := wy / w
	t := term{v: v, m: 1 / w, k: mean}
	e.Value = mean
	if vr.Kind == Total {
		t = term{v: v, m: 1}
		e.Value = wy
	}
	variance, err := p.variance(idx, []term{t}, sc, true)
	if err != nil {
		return e, err
	}
	e.SE = math.Sqrt(variance)

	// Design effect (R svymean/svytotal deff=TRUE): Var over the variance
	// of the same estimator under simple random sampling without
	// replacement of n from N̂ = Σw, s²_w = Σw(y−ȳ)²/Σw · n/(n−1).
	e.Deff = nan
	if nf := float64(n); n > 1 && w >= nf {
		s2 := (wy2 - mean*wy) / w * nf / (nf - 1)
		vsrs := s2 * (w - nf) / (w * nf)
		if vr.Kind == Total {
			vsrs *= w * w
		}
		e.Deff = variance / vsrs
	}
	e.EffectiveN = float64(n) / e.Deff

	level := opts.level()
	switch {
	case vr.Kind == Rate && opts.CI == CIAsin:
		e.CILow, e.CIHigh = asinCI(e.Value, e.SE, df, level, sc.t)
	case vr.Kind == Rate && opts.CI == CILogit:
		e.CILow, e.CIHigh = logitCI(e.Value, e.SE, df, level, sc.t)
	case vr.Kind == Rate && opts.CI == CIBeta:
		e.CILow, e.CIHigh = betaCI(e.Value, variance, df, p.nrow(rows), level, sc.t)
	default:
		e.CILow, e.CIHigh = waldCI(e.Value, e.SE, float64(df), level, sc.t)
	}
	return e, nil
}
