package stats

import (
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// NoDomain is the Domain of responses that belong to no domain (say, the
// by-variable is missing). They count for the whole population only, as
// R's svyby leaves NA groups out.
const NoDomain int32 = -1

// VarSums are the sums of one variable over the responses of an Aggregate
// that have a value (NaN is missing).
type VarSums struct {
	N      int64   // responses with a value
	SumW   float64 // Σ w
	SumWY  float64 // Σ w·y
	SumWY2 float64 // Σ w·y²  (design effect)
	SumY   float64 // Σ y, unweighted (variance after raking)
	// Σ w², Σ w²y, Σ w²y²: the within-PSU sums of squares of the
	// linearised values, which the second stage of a without-replacement
	// design needs (Design.PSUs). Zero when only with-replacement
	// variances are wanted.
	SumW2, SumW2Y, SumW2Y2 float64
}

// Aggregate is one row of PSU-level sums: every response of one PSU that
// falls in one domain and one calibration cell. In SQL it is
//
//	SELECT stratum, psu, domain, cell, count(*), sum(w),
//	       count(y), sum(w) FILTER (WHERE y IS NOT NULL), sum(w*y), sum(w*y*y), sum(y), …
//	FROM responses GROUP BY stratum, psu, domain, cell
//
// with weights already calibrated (or made so by Calibration.Apply).
// Responses outside every domain use Domain NoDomain; without calibration
// Cell is 0. The rows of a sample must cover all of its responses, since
// the number of PSUs per stratum and the population estimates come from
// them.
type Aggregate struct {
	Stratum int32     // index into Design.Strata
	PSU     int32     // PSU id, ≥ 0, unique across the sample (PSUs are nested in strata)
	Domain  int32     // domain id ≥ 0, or NoDomain
	Cell    int32     // calibration cell, index into the Calibration; 0 without
	Rows    int64     // responses, with or without values
	SumW    float64   // Σ w over those responses
	SumW2   float64   // Σ w² over those responses (second stage with calibration)
	Vars    []VarSums // one per variable, in the order of the []Variable given to EstimateAggregates
}

type aggHead struct {
	stratum, psu, domain, cell int32
	rows                       int64
	sumW, sumW2                float64
}

// Aggregator builds Aggregates from responses in one pass, without
// allocating per response: rows are found through slices indexed by PSU,
// domain and cell id (so ids should be small integers, as Index gives).
// It is what the row-level API and the estimate command use; a database
// computes the same rows with GROUP BY.
type Aggregator struct {
	nvars      int
	index      [][][]int32 // [psu][domain+1][cell]: 1 + row index, 0 if none yet
	heads      []aggHead
	sums       [][]VarSums // chunks of aggChunk rows × nvars, so growing never copies
	psuStratum []int32     // stratum of each PSU id seen, -1 if none yet
}

// aggChunk is the number of rows per chunk of sums.
const aggChunk = 1024

// NewAggregator returns an Aggregator for responses with nvars variables.
func NewAggregator(nvars int) *Aggregator {
	return &Aggregator{nvars: nvars}
}

// Add adds one response: its stratum, PSU, domain (or NoDomain), calibration
// cell (0 without), weight (> 0) and values (len = nvars, NaN missing).
func (a *Aggregator) Add(stratum, psu, domain, cell int32, w float64, y []float64) error {
	if !(w > 0) || math.IsInf(w, 1) {
		return apperr.New(apperr.Invalid, "weight %v is not a positive number", w)
	}
	if stratum < 0 || psu < 0 || cell < 0 || domain < NoDomain {
		return apperr.New(apperr.Invalid, "negative id (stratum %d, PSU %d, domain %d, cell %d)", stratum, psu, domain, cell)
	}
	if len(y) != a.nvars {
		return apperr.New(apperr.Invalid, "%d values for %d variables", len(y), a.nvars)
	}
	idx, err := a.row(stratum, psu, domain, cell)
	if err != nil {
		return err
	}
	h := &a.heads[idx]
	h.rows++
	h.sumW += w
	h.sumW2 += w * w
	off := (idx % aggChunk) * a.nvars
	s := a.sums[idx/aggChunk][off : off+a.nvars]
	for v, yv := range y {
		if yv != yv { // NaN: missing
			continue
		}
		p := &s[v]
		wy := w * yv
		p.N++
		p.SumW += w
		p.SumWY += wy
		p.SumWY2 += wy * yv
		p.SumY += yv
		p.SumW2 += w * w
		p.SumW2Y += w * wy
		p.SumW2Y2 += wy * wy
	}
	return nil
}

// row returns the index of the row of (psu, domain, cell), adding it if new.
func (a *Aggregator) row(stratum, psu, domain, cell int32) (int, error) {
	if int(psu) >= len(a.index) {
		a.index = append(a.index, make([][][]int32, int(psu)+1-len(a.index))...)
	}
	doms := a.index[psu]
	d := int(domain) + 1
	if d >= len(doms) {
		doms = append(doms, make([][]int32, d+1-len(doms))...)
		a.index[psu] = doms
	}
	cells := doms[d]
	if int(cell) >= len(cells) {
		cells = append(cells, make([]int32, int(cell)+1-len(cells))...)
		doms[d] = cells
	}
	if i := cells[cell]; i > 0 {
		if a.heads[i-1].stratum != stratum {
			return 0, apperr.New(apperr.Invalid, "PSU %d appears in strata %d and %d; PSUs must be nested in strata", psu, a.heads[i-1].stratum, stratum)
		}
		return int(i - 1), nil
	}
	if err := a.nest(stratum, psu); err != nil {
		return 0, err
	}
	if len(a.heads)%aggChunk == 0 {
		a.sums = append(a.sums, make([]VarSums, aggChunk*a.nvars))
	}
	a.heads = append(a.heads, aggHead{stratum: stratum, psu: psu, domain: domain, cell: cell})
	cells[cell] = int32(len(a.heads))
	return len(a.heads) - 1, nil
}

func (a *Aggregator) nest(stratum, psu int32) error {
	for int(psu) >= len(a.psuStratum) {
		a.psuStratum = append(a.psuStratum, -1)
	}
	switch s := a.psuStratum[psu]; {
	case s < 0:
		a.psuStratum[psu] = stratum
	case s != stratum:
		return apperr.New(apperr.Invalid, "PSU %d appears in strata %d and %d; PSUs must be nested in strata", psu, s, stratum)
	}
	return nil
}

// Aggregates returns the rows built so far. Their Vars share one backing
// array owned by the caller from now on.
func (a *Aggregator) Aggregates() []Aggregate {
	out := make([]Aggregate, len(a.heads))
	sums := make([]VarSums, len(a.heads)*a.nvars)
	for c, chunk := range a.sums {
		copy(sums[c*aggChunk*a.nvars:], chunk)
	}
	for i, h := range a.heads {
		out[i] = Aggregate{
			Stratum: h.stratum, PSU: h.psu, Domain: h.domain, Cell: h.cell,
			Rows: h.rows, SumW: h.sumW, SumW2: h.sumW2,
			Vars: sums[i*a.nvars : (i+1)*a.nvars : (i+1)*a.nvars],
		}
	}
	return out
}

// Sample is a sample held row by row, in columns. Ids are small
// non-negative integers (see Index); PSU ids are unique across the sample.
type Sample struct {
	Stratum []int32
	PSU     []int32
	Weight  []float64   // final weights (after any calibration), > 0
	Domain  []int32     // nil: no domains; else a domain id or NoDomain per row
	Cell    []int32     // nil: no calibration; else the calibration cell per row
	Vars    [][]float64 // Vars[v][i]: variable v of row i, NaN missing
}

// Len returns the number of responses.
func (s *Sample) Len() int { return len(s.Weight) }

// Aggregates builds the PSU-level rows of the sample.
func (s *Sample) Aggregates() ([]Aggregate, error) {
	n := s.Len()
	if len(s.Stratum) != n || len(s.PSU) != n || (s.Domain != nil && len(s.Domain) != n) || (s.Cell != nil && len(s.Cell) != n) {
		return nil, apperr.New(apperr.Invalid, "sample columns differ in length")
	}
	for v := range s.Vars {
		if len(s.Vars[v]) != n {
			return nil, apperr.New(apperr.Invalid, "variable %d has %d values for %d responses", v, len(s.Vars[v]), n)
		}
	}
	a := NewAggregator(len(s.Vars))
	y := make([]float64, len(s.Vars))
	for i := 0; i < n; i++ {
		dom, cell := NoDomain, int32(0)
		if s.Domain != nil {
			dom = s.Domain[i]
		}
		if s.Cell != nil {
			cell = s.Cell[i]
		}
		for v := range y {
			y[v] = s.Vars[v][i]
		}
		if err := a.Add(s.Stratum[i], s.PSU[i], dom, cell, s.Weight[i], y); err != nil {
			return nil, apperr.New(apperr.Invalid, "response %d: %s", i+1, apperr.PublicMessage(err))
		}
	}
	return a.Aggregates(), nil
}

// EstimateSample estimates from a row-level sample: it builds the
// aggregates and calls EstimateAggregates, so both paths agree exactly.
func EstimateSample(d *Design, s *Sample, vars []Variable, opts Options) ([]Estimate, error) {
	aggs, err := s.Aggregates()
	if err != nil {
		return nil, err
	}
	return EstimateAggregates(d, aggs, vars, opts)
}

// Index gives dense integer ids to labels in order of first appearance.
type Index struct {
	ids    map[string]int32
	labels []string
}

// NewIndex returns an empty Index.
func NewIndex() *Index { return &Index{ids: make(map[string]int32)} }

// ID returns the id of label, adding it if new. Looking up a known label
// does not allocate.
func (x *Index) ID(label string) int32 {
	if id, ok := x.ids[label]; ok {
		return id
	}
	label = string([]byte(label)) // do not retain a larger buffer the label may point into
	id := int32(len(x.labels))
	x.ids[label] = id
	x.labels = append(x.labels, label)
	return id
}

// Lookup returns the id of label and whether it is known.
func (x *Index) Lookup(label string) (int32, bool) {
	id, ok := x.ids[label]
	return id, ok
}

// Labels returns the labels by id.
func (x *Index) Labels() []string { return x.labels }

// Len returns the number of labels.
func (x *Index) Len() int { return len(x.labels) }
