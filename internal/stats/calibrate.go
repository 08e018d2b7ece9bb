package stats

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Calibration is the outcome of post-stratifying, raking or calibrating
// weights. It works on cells: the responses sharing one combination of the
// calibration variables (for post-stratification, one post-stratum; for
// raking and calibration, one joint combination of the levels of all
// margins). All responses of a cell get the same factor, so calibration
// can run on cell totals (a GROUP BY in SQL) and be applied to aggregates.
type Calibration struct {
	kind   calKind
	factor []float64   // per cell: calibrated weight = input weight × factor
	level  [][]int32   // per margin, the level of each cell
	nlev   []int       // per margin, the number of levels
	ratio  [][]float64 // raking: per margin and cell, weight right after that margin's step in the last pass / final weight
	input  []float64   // calibration: per cell, Σ input weights (the GREG residuals' weights)
	iter   int

	ginv *mat.Dense // calibration: (Σ_g input_g x_g x_gᵀ)⁺, made when first needed
}

// calKind is what a Calibration did.
type calKind uint8

const (
	calPost calKind = iota // R postStratify
	calRake                // R rake
	calGreg                // R calibrate (greg_calibration)
)

// Margin is one raking or calibration margin: the level of each cell and
// the population count of each level.
type Margin struct {
	Name       string    // for messages
	Level      []int32   // per cell, 0 ≤ level < len(Population)
	Population []float64 // per level, the known population count
	Levels     []string  // per level, its name for messages (optional)
}

// levelName names level l of the margin in a message.
func (m Margin) levelName(l int) string {
	if l < len(m.Levels) && m.Levels[l] != "" {
		return "margin " + m.Name + ", " + m.Levels[l]
	}
	return fmt.Sprintf("margin %s, level %d", m.Name, l)
}

// RakeOptions mirror rake(control=list(epsilon=, maxit=)).
type RakeOptions struct {
	// Epsilon is the convergence threshold on the largest change of a
	// joint-cell weighted count between two passes. As in R, a value
	// below 1 is relative to the total weight; 0 means R's default 1.
	Epsilon float64
	// MaxIter caps the passes over all margins; 0 means R's default 10.
	MaxIter int
}

// PostStratify calibrates to known post-stratum counts, as R's
// postStratify: the weights of post-stratum g are multiplied by
// population[g] / Σ_{i∈g} wᵢ. cellWeight[g] is the sum of the input weights
// in post-stratum g.
func PostStratify(cellWeight, population []float64) (*Calibration, error) {
	if len(cellWeight) != len(population) {
		return nil, apperr.New(apperr.Invalid, "%d post-strata in the sample but %d population counts", len(cellWeight), len(population))
	}
	c := &Calibration{factor: make([]float64, len(cellWeight)), level: [][]int32{make([]int32, len(cellWeight))},
		nlev: []int{len(cellWeight)}, ratio: [][]float64{make([]float64, len(cellWeight))}}
	for g, w := range cellWeight {
		c.level[0][g] = int32(g)
		c.ratio[0][g] = 1
		pop := population[g]
		switch {
		case w < 0 || math.IsNaN(w) || math.IsNaN(pop) || pop < 0:
			return nil, apperr.New(apperr.Invalid, "post-stratum %d: sample weight %v, population %v", g, w, pop)
		case w == 0 && pop > 0:
			return nil, apperr.New(apperr.Invalid, "post-stratum %d has a population of %v but no responses", g, pop)
		case w > 0 && pop == 0:
			return nil, apperr.New(apperr.Invalid, "post-stratum %d has responses but no population", g)
		case w == 0:
			c.factor[g] = 1
		default:
			c.factor[g] = pop / w
		}
	}
	return c, nil
}

// Rake calibrates to several margins by iterative proportional fitting, as
// R's rake: each pass post-stratifies to every margin in turn; it stops
// when no joint-cell weighted count moved by Epsilon or more during a pass,
// and fails after MaxIter passes. cellWeight[g] is the sum of the input
// weights in cell g; cells should be the joint combinations of the margin
// levels (finer cells are grouped by their combination for the test).
func Rake(cellWeight []float64, margins []Margin, opt RakeOptions) (*Calibration, error) {
	if len(margins) == 0 {
		return nil, apperr.New(apperr.Invalid, "raking needs at least one margin")
	}
	nc := len(cellWeight)
	c := &Calibration{kind: calRake, factor: make([]float64, nc)}
	total := 0.0
	for g, w := range cellWeight {
		if !(w > 0) || math.IsInf(w, 1) {
			return nil, apperr.New(apperr.Invalid, "raking cell %d has weight %v; every cell needs responses", g, w)
		}
		total += w
	}
	for _, m := range margins {
		if len(m.Level) != nc {
			return nil, apperr.New(apperr.Invalid, "margin %s gives levels for %d cells, want %d", m.Name, len(m.Level), nc)
		}
		seen := make([]bool, len(m.Population))
		for g, l := range m.Level {
			if l < 0 || int(l) >= len(m.Population) {
				return nil, apperr.New(apperr.Invalid, "margin %s: cell %d has level %d of %d", m.Name, g, l, len(m.Population))
			}
			seen[l] = true
		}
		for l, pop := range m.Population {
			switch {
			case math.IsNaN(pop) || pop < 0 || math.IsInf(pop, 1):
				return nil, apperr.New(apperr.Invalid, "margin %s: level %d has population %v", m.Name, l, pop)
			case !seen[l] && pop > 0:
				return nil, apperr.New(apperr.Invalid, "margin %s: level %d has a population of %v but no responses", m.Name, l, pop)
			case seen[l] && pop == 0:
				return nil, apperr.New(apperr.Invalid, "margin %s: level %d has responses but no population", m.Name, l)
			}
		}
		c.level = append(c.level, m.Level)
		c.nlev = append(c.nlev, len(m.Population))
	}
	eps := opt.Epsilon
	if eps == 0 {
		eps = 1
	}
	if eps < 1 {
		eps *= total
	}
	maxit := opt.MaxIter
	if maxit == 0 {
		maxit = 10
	}

	// Joint combinations of levels, for the convergence test (R compares
	// svytable over all margin variables).
	joint := make([]int32, nc)
	{
		ids := make(map[string]int32)
		key := make([]byte, 0, 4*len(margins))
		for g := range cellWeight {
			key = key[:0]
			for _, m := range margins {
				l := m.Level[g]
				key = append(key, byte(l), byte(l>>8), byte(l>>16), byte(l>>24))
			}
			id, ok := ids[string(key)]
			if !ok {
				id = int32(len(ids))
				ids[string(key)] = id
			}
			joint[g] = id
		}
	}
	njoint := 0
	for _, j := range joint {
		njoint = max(njoint, int(j)+1)
	}
	table := func(w []float64) []float64 {
		t := make([]float64, njoint)
		for g, x := range w {
			t[joint[g]] += x
		}
		return t
	}

	w := append([]float64(nil), cellWeight...)
	after := make([][]float64, len(margins))
	for k := range after {
		after[k] = make([]float64, nc)
	}
	old := table(w)
	converged := false
	delta := math.Inf(1)
	iter := 0
	for iter < maxit {
		for k, m := range margins {
			sample := make([]float64, len(m.Population))
			for g, x := range w {
				sample[m.Level[g]] += x
			}
			for g := range w {
				l := m.Level[g]
				w[g] *= m.Population[l] / sample[l]
			}
			copy(after[k], w)
		}
		nt := table(w)
		delta = 0
		for j := range nt {
			delta = max(delta, math.Abs(nt[j]-old[j]))
		}
		if delta < eps {
			converged = true
			break
		}
		old = nt
		iter++
	}
	if !converged {
		// Name the margin the weights fit worst: the last margin of a pass
		// always fits, so the others show what does not settle.
		worst, gap := "", -1.0
		for _, m := range margins {
			sample := make([]float64, len(m.Population))
			for g, x := range w {
				sample[m.Level[g]] += x
			}
			for l, pop := range m.Population {
				if d := math.Abs(sample[l] - pop); d > gap {
					worst, gap = m.Name, d
				}
			}
		}
		return nil, apperr.New(apperr.Invalid, "raking did not converge after %d passes: margin %s is still off by %.6g (largest change %.6g, tolerance %.6g); merge sparse categories or raise the iteration cap", iter, worst, gap, delta, eps)
	}
	c.iter = iter + 1
	c.ratio = make([][]float64, len(margins))
	for k := range margins {
		c.ratio[k] = make([]float64, nc)
		for g := range w {
			c.ratio[k][g] = after[k][g] / w[g]
		}
	}
	for g := range w {
		c.factor[g] = w[g] / cellWeight[g]
	}
	return c, nil
}

func (c *Calibration) maxLevels() int {
	m := 0
	for _, n := range c.nlev {
		m = max(m, n)
	}
	return m
}

// Cells returns the number of calibration cells.
func (c *Calibration) Cells() int { return len(c.factor) }

// Factor returns the factor by which calibration multiplies the weights of
// cell g.
func (c *Calibration) Factor(g int32) float64 { return c.factor[g] }

// Passes returns how many passes raking took, or how many Newton steps
// calibration took (1 for post-stratification).
func (c *Calibration) Passes() int {
	if c.kind == calPost {
		return 1
	}
	return c.iter
}

// Reweight multiplies each weight by the factor of its cell, in place.
func (c *Calibration) Reweight(w []float64, cell []int32) error {
	if len(w) != len(cell) {
		return apperr.New(apperr.Invalid, "%d weights for %d cells", len(w), len(cell))
	}
	for i, g := range cell {
		if g < 0 || int(g) >= len(c.factor) {
			return apperr.New(apperr.Invalid, "response %d: calibration cell %d of %d", i+1, g, len(c.factor))
		}
		w[i] *= c.factor[g]
	}
	return nil
}

// Apply turns aggregates of input weights into aggregates of calibrated
// weights, in place: the weighted sums of each row are multiplied by the
// factor of its cell.
func (c *Calibration) Apply(aggs []Aggregate) error {
	for i := range aggs {
		a := &aggs[i]
		if a.Cell < 0 || int(a.Cell) >= len(c.factor) {
			return apperr.New(apperr.Invalid, "aggregate %d: calibration cell %d of %d", i, a.Cell, len(c.factor))
		}
		g := c.factor[a.Cell]
		a.SumW *= g
		a.SumW2 *= g * g
		for v := range a.Vars {
			s := &a.Vars[v]
			s.SumW *= g
			s.SumWY *= g
			s.SumWY2 *= g
			s.SumW2 *= g * g
			s.SumW2Y *= g * g
			s.SumW2Y2 *= g * g
		}
	}
	return nil
}

// calPrep holds what the residuals need from the whole sample.
type calPrep struct {
	c        *Calibration
	cellW    []float64   // Σ w over all responses of each cell
	cellN    []float64   // responses in each cell
	psuCells [][]cellSum // per dense PSU: Σ w per cell over all its responses
}

type cellSum struct {
	cell  int32
	w, w2 float64 // Σ w, Σ w²
}

func newCalPrep(c *Calibration, p *prep) (*calPrep, error) {
	cp := &calPrep{c: c, cellW: make([]float64, c.Cells()), cellN: make([]float64, c.Cells()),
		psuCells: make([][]cellSum, len(p.psuStrat))}
	for _, i := range p.all { // a fixed order: sums do not depend on the input order
		a := &p.aggs[i]
		if int(a.Cell) >= c.Cells() {
			return nil, apperr.New(apperr.Invalid, "aggregate %d: calibration cell %d of %d", i, a.Cell, c.Cells())
		}
		cp.cellW[a.Cell] += a.SumW
		cp.cellN[a.Cell] += float64(a.Rows)
		j := p.psu[i]
		cs := cp.psuCells[j]
		found := false
		for k := range cs {
			if cs[k].cell == a.Cell {
				cs[k].w += a.SumW
				cs[k].w2 += a.SumW2
				found = true
				break
			}
		}
		if !found {
			cp.psuCells[j] = append(cs, cellSum{a.Cell, a.SumW, a.SumW2})
		}
	}
	if c.kind == calGreg {
		if _, err := c.gregInverse(); err != nil {
			return nil, err
		}
	}
	return cp, nil
}

// gregInverse returns (Σ_g input_g x_g x_gᵀ)⁺, x_g the 0/1 columns of the
// margins' levels of cell g: the cross-product of the weighted least
// squares that R's svyrecvar projects the influence values with
// (qr.resid of the design's greg_calibration).
func (c *Calibration) gregInverse() (*mat.Dense, error) {
	if c.ginv != nil {
		return c.ginv, nil
	}
	p := 0
	for _, n := range c.nlev {
		p += n
	}
	a := mat.NewSymDense(p, nil)
	for g, d := range c.input {
		c.columns(g, func(i int) {
			c.columns(g, func(j int) {
				if i <= j {
					a.SetSym(i, j, a.At(i, j)+d)
				}
			})
		})
	}
	// A tolerance well above rounding (the margins' levels share totals,
	// so the matrix is singular by construction) and well below any real
	// level's share of the weight.
	ginv, err := pseudoInverse(a, 1e-10)
	if err != nil {
		return nil, err
	}
	c.ginv = ginv
	return ginv, nil
}

// gregAdjust sets adj[g] = x_gᵀβ, β = (Σ input x xᵀ)⁺ Σ_g x_g·z_g/factor_g
// for the cell totals z of influence values: the fitted value per unit of
// calibrated weight, so that the residual of a response is z − w·adj[g]
// (R: qr.resid(qr(mm·√d), z/(g√d))·g√d).
func (c *Calibration) gregAdjust(z, adj, b, beta []float64) error {
	ginv, err := c.gregInverse()
	if err != nil {
		return err
	}
	clear(b)
	for g, x := range z {
		if x == 0 {
			continue
		}
		v := x / c.factor[g]
		c.columns(g, func(j int) { b[j] += v })
	}
	p := len(b)
	for i := range p {
		s := 0.0
		for j := range p {
			s += ginv.At(i, j) * b[j]
		}
		beta[i] = s
	}
	for g := range adj {
		s := 0.0
		c.columns(g, func(j int) { s += beta[j] })
		adj[g] = s
	}
	return nil
}

// columnsLen is the number of columns of a calibration's margins.
func (c *Calibration) columnsLen() int {
	p := 0
	for _, n := range c.nlev {
		p += n
	}
	return p
}

// rakePasses is the fixed number of sweeps R's svyrecvar makes over the
// raking margins when forming residuals.
const rakePasses = 10

// calVariance is variance for a calibrated design. The linearised values
// are replaced by calibration residuals over the whole sample (R
// svyrecvar with postStrata), then PSU totals enter onestage with every
// stratum present (subsets of calibrated designs keep all rows in R).
//
// Post-stratification: eᵢ = zᵢ − wᵢ·Σ_{g} z / Σ_{g} w for the post-stratum g
// of response i. Raking: rakePasses sweeps over the margins of
// x ← x − psw_k · ave(x/psw_k, margin_k), psw_k being the weights right
// after margin k was fitted in the last pass. All responses of a cell share
// the adjustment, so eᵢ = zᵢ − wᵢ·c_g and the PSU total is Σz − Σ_g c_g·W_{PSU,g}.
func (p *prep) calVariance(idx []int32, terms []term, sc *scratch, wor bool) (float64, error) {
	cp := p.cal
	c := cp.c
	clear(sc.psuT)
	clear(sc.cell)
	clear(sc.c)
	for _, i := range idx {
		a := &p.aggs[i]
		z, u := 0.0, 0.0
		for _, tm := range terms {
			s := &a.Vars[tm.v]
			if s.N > 0 {
				z += tm.z(s)
				u += tm.u(s)
			}
		}
		sc.psuT[p.psu[i]] += z
		if c.kind == calRake {
			sc.cell[a.Cell] += u
		} else {
			sc.cell[a.Cell] += z
		}
	}
	switch c.kind {
	case calPost:
		for g, w := range cp.cellW {
			if w > 0 {
				sc.c[g] = sc.cell[g] / w
			}
		}
	case calGreg:
		if err := c.gregAdjust(sc.cell, sc.c, sc.b, sc.beta); err != nil {
			return 0, err
		}
	default:
		for range rakePasses {
			for k, lev := range c.level {
				num, den := sc.num[:c.nlev[k]], sc.den[:c.nlev[k]]
				clear(num)
				clear(den)
				for g, n := range cp.cellN {
					if n == 0 {
						continue
					}
					num[lev[g]] += (sc.cell[g] - n*sc.c[g]) / c.ratio[k][g]
					den[lev[g]] += n
				}
				for g, n := range cp.cellN {
					if n == 0 {
						continue
					}
					sc.c[g] += c.ratio[k][g] * num[lev[g]] / den[lev[g]]
				}
			}
		}
	}
	if wor {
		// Within-PSU sums of squared residuals eᵢ = zᵢ − wᵢ·c_g:
		// Σe² = Σz² − 2Σ_g c_g·Σ_{i∈g} wᵢzᵢ + Σ_g c_g²·Σ_{i∈g} wᵢ².
		clear(sc.psuSS)
		for _, i := range idx {
			a := &p.aggs[i]
			s := &a.Vars[terms[0].v]
			if s.N == 0 {
				continue
			}
			zz, wz := terms[0].zz(s)
			sc.psuSS[p.psu[i]] += zz - 2*sc.c[a.Cell]*wz
		}
	}
	return p.allStrata(sc, wor, true)
}

// allStrata is the variance from the PSU totals in sc.psuT (and, for the
// second stage, the within-PSU sums of squares in sc.psuSS) of a design
// whose subsets keep every row, so that every stratum and PSU of the
// sample takes part: R's calibrated and pps designs (`[.survey.design2`
// sets the weights outside a domain to 0). With cal the totals are turned
// into calibration residuals with the adjustments in sc.c first.
func (p *prep) allStrata(sc *scratch, wor, cal bool) (float64, error) {
	var total, second float64
	nstrat, nok := 0, 0
	for h, psus := range p.strataPS {
		if len(psus) == 0 {
			continue
		}
		sc.ts = sc.ts[:0]
		for _, j := range psus {
			t := sc.psuT[j]
			ss := sc.psuSS[j]
			if cal {
				for _, cs := range p.cal.psuCells[j] {
					cg := sc.c[cs.cell]
					t -= cg * cs.w
					ss += cg * cg * cs.w2
				}
			}
			sc.ts = append(sc.ts, t)
			if wor {
				v, err := p.stage2(j, t, ss)
				if err != nil {
					return 0, err
				}
				second += v
			}
		}
		nstrat++
		var v float64
		var ok bool
		var err error
		if wor {
			v, ok, err = p.stratWOR(h, psus, sc.ts)
		} else {
			v, ok, err = p.strat(h, sc.ts)
		}
		if err != nil {
			return 0, err
		}
		if ok {
			nok++
			total += v
		}
	}
	if nok != nstrat {
		total *= float64(nstrat) / float64(nok)
	}
	return total + second, nil
}

// calibrationJSON is the stored form of a Calibration: what the variance
// of a calibrated design needs, so that estimates made later from the
// database use the same residuals.
type calibrationJSON struct {
	Raked  bool        `json:"raked"`
	Greg   bool        `json:"greg,omitempty"`
	Factor []float64   `json:"factor"`
	Level  [][]int32   `json:"level"`
	NLev   []int       `json:"nlev"`
	Ratio  [][]float64 `json:"ratio"`
	Input  []float64   `json:"input,omitempty"`
	Iter   int         `json:"iter"`
}

// MarshalJSON stores the calibration (floats round-trip exactly).
func (c *Calibration) MarshalJSON() ([]byte, error) {
	return json.Marshal(calibrationJSON{Raked: c.kind == calRake, Greg: c.kind == calGreg, Factor: c.factor, Level: c.level,
		NLev: c.nlev, Ratio: c.ratio, Input: c.input, Iter: c.iter})
}

// UnmarshalJSON reads a stored calibration and checks that its parts fit
// together, since the variance indexes them by cell and level.
func (c *Calibration) UnmarshalJSON(b []byte) error {
	var j calibrationJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	n := len(j.Factor)
	kind := calPost
	switch {
	case j.Greg:
		kind = calGreg
	case j.Raked:
		kind = calRake
	}
	if len(j.Level) != len(j.NLev) || (kind != calGreg && len(j.Ratio) != len(j.Level)) || len(j.Level) == 0 {
		return apperr.New(apperr.Internal, "stored calibration: %d margins, %d level counts, %d ratios", len(j.Level), len(j.NLev), len(j.Ratio))
	}
	if kind == calGreg && len(j.Input) != n {
		return apperr.New(apperr.Internal, "stored calibration: %d input totals for %d cells", len(j.Input), n)
	}
	for k := range j.Level {
		if len(j.Level[k]) != n || (kind != calGreg && len(j.Ratio[k]) != n) {
			return apperr.New(apperr.Internal, "stored calibration: margin %d covers %d cells, want %d", k, len(j.Level[k]), n)
		}
		for _, l := range j.Level[k] {
			if l < 0 || int(l) >= j.NLev[k] {
				return apperr.New(apperr.Internal, "stored calibration: margin %d has level %d of %d", k, l, j.NLev[k])
			}
		}
	}
	*c = Calibration{kind: kind, factor: j.Factor, level: j.Level, nlev: j.NLev, ratio: j.Ratio, input: j.Input, iter: j.Iter}
	return nil
}
