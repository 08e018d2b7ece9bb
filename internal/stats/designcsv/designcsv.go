// Package designcsv reads a survey's responses from CSV — a stratum, a
// cluster (PSU), a weight, an optional fpc, variables and an optional
// domain column — straight into PSU-level sums, and estimates from them
// with package stats, as R's svydesign(ids = ~cluster, strata = ~strata,
// weights = ~weight, fpc = ~fpc, nest = TRUE) and svymean/svyby would.
// 'minyi estimate' and the R bundle's checks share it. Errors name the line
// and column; a stratum with one PSU and an unusable fpc are recognised
// with errors.Is (stats.ErrLonelyPSU, stats.ErrFPC), not by their text.
package designcsv

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Spec names the columns of the design and the variables, and says how to
// estimate. Strata, Cluster, Weight and at least one of Vars are required.
type Spec struct {
	// Name is the input's name in messages (e.g. "--data responses.csv").
	Name                             string
	Strata, Cluster, Weight, FPC, By string
	Vars                             []string
	LonelyPSU                        stats.LonelyPSU
	Options                          stats.Options
}

// Result is the estimates with the labels of their domains.
type Result struct {
	Estimates []stats.Estimate
	Domains   []string // labels by domain id, in sorted order
}

// csvColumns finds the columns the options name in the header.
type csvColumns struct {
	strata, cluster, weight, fpc, by int
	vars                             []int
}

func findColumns(header []string, o *Spec) (*csvColumns, error) {
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a BOM from spreadsheet exports
	}
	find := func(flag, name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		at := -1
		for i, h := range header {
			if strings.TrimSpace(h) == name {
				if at >= 0 {
					return 0, apperr.New(apperr.Invalid, "line 1: column %q (--%s) appears twice in the header", name, flag)
				}
				at = i
			}
		}
		if at < 0 {
			return 0, apperr.New(apperr.Invalid, "line 1: unknown column %q (--%s); the header has %s", name, flag, quoteList(header))
		}
		return at, nil
	}
	c := &csvColumns{}
	var err error
	for _, x := range []struct {
		flag, name string
		to         *int
	}{{"strata", o.Strata, &c.strata}, {"cluster", o.Cluster, &c.cluster}, {"weight", o.Weight, &c.weight}, {"fpc", o.FPC, &c.fpc}, {"by", o.By, &c.by}} {
		if *x.to, err = find(x.flag, x.name); err != nil {
			return nil, err
		}
	}
	for _, v := range o.Vars {
		i, err := find("vars", v)
		if err != nil {
			return nil, err
		}
		c.vars = append(c.vars, i)
	}
	return c, nil
}

func quoteList(names []string) string {
	const max = 20
	q := make([]string, 0, min(len(names), max))
	for i, n := range names {
		if i == max {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(n))
	}
	return strings.Join(q, ", ")
}

// trim removes surrounding white space, cheaply when there is none.
func trim(s string) string {
	if len(s) == 0 || (s[0] > ' ' && s[len(s)-1] > ' ') {
		return s
	}
	return strings.TrimSpace(s)
}

// parseNumber reads a number with strconv; ok is false for anything else,
// including NaN and infinities.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(trim(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func isMissing(s string) bool {
	s = trim(s)
	return s == "" || s == "NA"
}

// stratumInfo is what the reader remembers of each stratum.
type stratumInfo struct {
	line    int              // first line of the stratum
	psus    map[string]int32 // PSU label → PSU id
	fpc     float64          // the stratum's fpc (NaN until seen)
	fpcLine int              // where it was first given
	last    string           // last PSU label seen, and its id (a cache)
	lastID  int32
}

// Estimate streams the CSV once into PSU-level aggregates and estimates
// from them: a rate for a variable whose values are all 0 or 1, a mean
// otherwise; empty cells and NA are missing.
func Estimate(ctx context.Context, in io.Reader, o *Spec) (*Result, error) {
	if o.Strata == "" || o.Cluster == "" || o.Weight == "" || len(o.Vars) == 0 {
		return nil, apperr.New(apperr.Invalid, "a design needs strata, cluster, weight and variables")
	}
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, apperr.New(apperr.Invalid, "%s is empty; want a header line and responses", o.Name)
	}
	if err != nil {
		return nil, csvError(err)
	}
	header = slices.Clone(header) // the reader reuses the slice
	for i, h := range header {    // labels are printed: no control characters
		if msg := textcheck.Field(h); msg != "" {
			return nil, apperr.New(apperr.Invalid, "line 1: the header of column %d %s", i+1, msg)
		}
	}
	cols, err := findColumns(header, o)
	if err != nil {
		return nil, err
	}
	nv := len(cols.vars)
	agg := stats.NewAggregator(nv)
	strata := stats.NewIndex()
	var info []*stratumInfo
	domains := stats.NewIndex()
	binary := make([]bool, nv)
	for i := range binary {
		binary[i] = true
	}
	y := make([]float64, nv)
	nextPSU := int32(0)
	lastStratum, lastH := "", int32(-1)
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		rows++
		if rows&0xffff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		line, _ := r.FieldPos(0)
		bad := func(col int, format string, args ...any) error {
			return apperr.New(apperr.Invalid, "line %d: column %q: %s", line, header[col], fmt.Sprintf(format, args...))
		}

		// Stratum and PSU (nested: a PSU label is read within its stratum).
		label := rec[cols.strata]
		if isMissing(label) {
			return nil, bad(cols.strata, "the stratum is missing")
		}
		h := lastH
		if h < 0 || label != lastStratum {
			h = strata.ID(label)
			if int(h) == len(info) {
				if msg := textcheck.Field(label); msg != "" {
					return nil, bad(cols.strata, "the stratum %s", msg)
				}
				info = append(info, &stratumInfo{line: line, psus: map[string]int32{}, fpc: math.NaN(), lastID: -1})
			}
			lastStratum, lastH = strata.Labels()[h], h
		}
		st := info[h]
		pl := rec[cols.cluster]
		if isMissing(pl) {
			return nil, bad(cols.cluster, "the cluster (PSU) is missing")
		}
		psu := st.lastID
		if psu < 0 || pl != st.last {
			id, ok := st.psus[pl]
			if !ok {
				pl = strings.Clone(pl) // the map keeps it; the record's line goes
				id = nextPSU
				nextPSU++
				st.psus[pl] = id
			}
			psu, st.last, st.lastID = id, pl, id
		}

		w, ok := parseNumber(rec[cols.weight])
		if !ok {
			return nil, bad(cols.weight, "weight %q is not a number", rec[cols.weight])
		}
		if w <= 0 {
			return nil, bad(cols.weight, "weight %v must be positive", w)
		}
		if cols.fpc >= 0 {
			v, ok := parseNumber(rec[cols.fpc])
			switch {
			case !ok:
				return nil, bad(cols.fpc, "fpc %q is not a number", rec[cols.fpc])
			case v < 0:
				return nil, bad(cols.fpc, "fpc %v is negative", v)
			case math.IsNaN(st.fpc):
				st.fpc, st.fpcLine = v, line
			case v != st.fpc:
				return nil, bad(cols.fpc, "fpc %v differs from %v on line %d for the same stratum %q; the fpc is one value per stratum", v, st.fpc, st.fpcLine, strata.Labels()[h])
			}
		}
		for k, c := range cols.vars {
			switch s := trim(rec[c]); s {
			case "0": // the common cases first
				y[k] = 0
			case "1":
				y[k] = 1
			case "", "NA":
				y[k] = math.NaN()
			default:
				v, ok := parseNumber(s)
				if !ok {
					return nil, bad(c, "%q is not a number (write an empty cell or NA for a missing value)", s)
				}
				if v != 0 && v != 1 {
					binary[k] = false
				}
				y[k] = v
			}
		}
		dom := stats.NoDomain
		if cols.by >= 0 && !isMissing(rec[cols.by]) {
			known := domains.Len()
			dom = domains.ID(trim(rec[cols.by]))
			if domains.Len() > known {
				if msg := textcheck.Field(rec[cols.by]); msg != "" {
					return nil, bad(cols.by, "the domain %s", msg)
				}
			}
		}
		if err := agg.Add(h, psu, dom, 0, w, y); err != nil {
			return nil, apperr.New(apperr.Invalid, "line %d: %s", line, apperr.PublicMessage(err))
		}
	}
	if rows == 0 {
		return nil, apperr.New(apperr.Invalid, "%s has a header but no responses", o.Name)
	}

	aggs := agg.Aggregates()
	// Domains are reported in sorted order of their values.
	labels := slices.Clone(domains.Labels())
	slices.Sort(labels)
	remap := make([]int32, domains.Len())
	for old, l := range domains.Labels() {
		at, _ := slices.BinarySearch(labels, l)
		remap[old] = int32(at)
	}
	for i := range aggs {
		if aggs[i].Domain != stats.NoDomain {
			aggs[i].Domain = remap[aggs[i].Domain]
		}
	}

	d := &stats.Design{Strata: strata.Labels(), LonelyPSU: o.LonelyPSU}
	if cols.fpc >= 0 {
		d.FPC = make([]float64, len(info))
		for h, st := range info {
			d.FPC[h] = st.fpc
		}
	}
	vars := make([]stats.Variable, nv)
	for k, name := range o.Vars {
		vars[k] = stats.Variable{Name: name, Kind: stats.Mean}
		if binary[k] {
			vars[k].Kind = stats.Rate
		}
	}
	est, err := stats.EstimateAggregates(d, aggs, vars, o.Options)
	if err != nil {
		var lonely *stats.LonelyPSUError
		if errors.As(err, &lonely) && lonely.Stratum >= 0 && lonely.Stratum < len(info) {
			return nil, apperr.Wrap(apperr.Invalid, err, "line %d: column %q: stratum %q has only one PSU (cluster); choose --lonely-psu remove, certainty, adjust or average", info[lonely.Stratum].line, o.Strata, lonely.Label)
		}
		if cols.fpc >= 0 && errors.Is(err, stats.ErrFPC) {
			return nil, apperr.Wrap(apperr.Invalid, err, "column %q (--fpc): %s", o.FPC, apperr.PublicMessage(err))
		}
		return nil, err
	}
	return &Result{Estimates: est, Domains: labels}, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.New(apperr.Invalid, "line %d: %s", pe.Line, textcheck.CSVProblem(pe.Err))
	}
	return apperr.Wrap(apperr.Invalid, err, "cannot read the CSV")
}
