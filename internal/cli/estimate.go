package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

const estimateUsage = `estimate --data FILE.csv --strata COL --cluster COL --weight COL [--fpc COL] --vars A,B,C [--by COL] [--ci logit|beta|wald] [--level 0.95] [--lonely-psu fail|remove|certainty|adjust|average] [--format json|csv]`

func estimateCommand() *Command {
	c := &Command{
		Name:  "estimate",
		Usage: estimateUsage,
		Summary: "Estimate rates (0/1 columns) and means from a CSV of responses with design-based " +
			"standard errors, intervals and design effects, as R's survey package does " +
			"(svydesign(ids=~cluster, strata=~strata, weights=~weight, fpc=~fpc, nest=TRUE)). " +
			"Empty cells and NA are missing.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		var o estimateOptions
		var vars, ci, lonely string
		fs.StringVar(&o.data, "data", "", "CSV file of responses, with a header line (required)")
		fs.StringVar(&o.strata, "strata", "", "column of the stratum, e.g. the street (required)")
		fs.StringVar(&o.cluster, "cluster", "", "column of the PSU, e.g. the community; nested in strata (required)")
		fs.StringVar(&o.weight, "weight", "", "column of the survey weight, > 0 (required)")
		fs.StringVar(&o.fpc, "fpc", "", "column of the first-stage fpc: PSUs in the stratum's population, or the sampling fraction (≤ 1)")
		fs.StringVar(&vars, "vars", "", "comma-separated columns to estimate: 0/1 gives a rate, other numbers a mean (required)")
		fs.StringVar(&o.by, "by", "", "column whose values are domains to estimate for as well")
		fs.StringVar(&ci, "ci", "logit", "interval of a rate: logit, beta (Korn-Graubard) or wald")
		fs.Float64Var(&o.level, "level", 0.95, "confidence level")
		fs.StringVar(&lonely, "lonely-psu", "fail", "stratum with one PSU: fail, remove, certainty, adjust or average")
		fs.StringVar(&o.format, "format", "json", "output format: json or csv")
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		for _, req := range []struct{ flag, v string }{{"data", o.data}, {"strata", o.strata}, {"cluster", o.cluster}, {"weight", o.weight}, {"vars", vars}} {
			if req.v == "" {
				return apperr.New(apperr.Invalid, "estimate: --%s is required (see 'minyi help estimate')", req.flag)
			}
		}
		for _, v := range strings.Split(vars, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return apperr.New(apperr.Invalid, "estimate: --vars %q has an empty name", vars)
			}
			if slices.Contains(o.vars, v) {
				return apperr.New(apperr.Invalid, "estimate: --vars lists %q twice", v)
			}
			o.vars = append(o.vars, v)
		}
		var err error
		if o.ci, err = stats.ParseCIMethod(ci); err != nil {
			return apperr.New(apperr.Invalid, "estimate: --ci: %s", apperr.PublicMessage(err))
		}
		if o.lonely, err = stats.ParseLonelyPSU(lonely); err != nil {
			return apperr.New(apperr.Invalid, "estimate: --lonely-psu: %s", apperr.PublicMessage(err))
		}
		if msg := stats.CheckLevel(o.level); msg != "" {
			return apperr.WithFields("estimate: invalid flags", map[string]string{"--level": msg})
		}
		if o.format != "json" && o.format != "csv" {
			return apperr.New(apperr.Invalid, "estimate: --format %q: want json or csv", o.format)
		}
		f, err := os.Open(o.data)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "estimate: cannot open --data %s", o.data)
		}
		defer f.Close()
		res, err := estimateCSV(ctx, f, &o)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(env.Stdout)
		if o.format == "csv" {
			err = writeEstimatesCSV(w, res)
		} else {
			err = writeEstimatesJSON(w, res)
		}
		if err == nil {
			err = w.Flush()
		}
		return err
	}
	return c
}

type estimateOptions struct {
	data, strata, cluster, weight, fpc, by string
	vars                                   []string
	ci                                     stats.CIMethod
	lonely                                 stats.LonelyPSU
	level                                  float64
	format                                 string
}

// estimateResult is what the command prints.
type estimateResult struct {
	estimates []stats.Estimate
	domains   []string // labels by domain id
}

// csvColumns finds the columns the options name in the header.
type csvColumns struct {
	strata, cluster, weight, fpc, by int
	vars                             []int
}

func findColumns(header []string, o *estimateOptions) (*csvColumns, error) {
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
	}{{"strata", o.strata, &c.strata}, {"cluster", o.cluster, &c.cluster}, {"weight", o.weight, &c.weight}, {"fpc", o.fpc, &c.fpc}, {"by", o.by, &c.by}} {
		if *x.to, err = find(x.flag, x.name); err != nil {
			return nil, err
		}
	}
	for _, v := range o.vars {
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

// estimateCSV streams the CSV once into PSU-level aggregates and
// estimates from them.
func estimateCSV(ctx context.Context, in io.Reader, o *estimateOptions) (*estimateResult, error) {
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, apperr.New(apperr.Invalid, "--data %s is empty; want a header line and responses", o.data)
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
		return nil, apperr.New(apperr.Invalid, "--data %s has a header but no responses", o.data)
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

	d := &stats.Design{Strata: strata.Labels(), LonelyPSU: o.lonely}
	if cols.fpc >= 0 {
		d.FPC = make([]float64, len(info))
		for h, st := range info {
			d.FPC[h] = st.fpc
		}
	}
	vars := make([]stats.Variable, nv)
	for k, name := range o.vars {
		vars[k] = stats.Variable{Name: name, Kind: stats.Mean}
		if binary[k] {
			vars[k].Kind = stats.Rate
		}
	}
	est, err := stats.EstimateAggregates(d, aggs, vars, stats.Options{Level: o.level, CI: o.ci})
	if err != nil {
		if s, ok := apperr.FieldsOf(err)["stratum"]; ok {
			if h, ok := strata.Lookup(s); ok {
				return nil, apperr.New(apperr.Invalid, "line %d: column %q: stratum %q has only one PSU (cluster); choose --lonely-psu remove, certainty, adjust or average", info[h].line, o.strata, s)
			}
		}
		if cols.fpc >= 0 && strings.Contains(apperr.PublicMessage(err), "fpc") {
			return nil, apperr.New(apperr.Invalid, "column %q (--fpc): %s", o.fpc, apperr.PublicMessage(err))
		}
		return nil, err
	}
	return &estimateResult{estimates: est, domains: labels}, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.New(apperr.Invalid, "line %d: %v", pe.Line, pe.Err)
	}
	return apperr.Wrap(apperr.Invalid, err, "cannot read the CSV")
}

// appendNum appends x with full precision (strconv 'g', -1), or null when
// it is not a finite number.
func appendNum(b []byte, x float64, null string) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, null...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

func writeEstimatesJSON(w io.Writer, res *estimateResult) error {
	b := []byte(`{"estimates":[`)
	for i, e := range res.estimates {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"variable\":"...)
		name, _ := json.Marshal(e.Variable)
		b = append(b, name...)
		b = append(b, `,"domain":`...)
		if e.Domain == stats.NoDomain {
			b = append(b, "null"...)
		} else {
			dl, _ := json.Marshal(res.domains[e.Domain])
			b = append(b, dl...)
		}
		for _, f := range []struct {
			key string
			v   float64
		}{{"estimate", e.Value}, {"se", e.SE}, {"ci_low", e.CILow}, {"ci_high", e.CIHigh}, {"deff", e.Deff}} {
			b = append(b, ",\""...)
			b = append(b, f.key...)
			b = append(b, "\":"...)
			b = appendNum(b, f.v, "null")
		}
		b = append(b, `,"n":`...)
		b = strconv.AppendInt(b, e.N, 10)
		b = append(b, `,"df":`...)
		b = strconv.AppendInt(b, int64(e.DF), 10)
		b = append(b, '}')
	}
	b = append(b, "\n]}\n"...)
	_, err := w.Write(b)
	return err
}

func writeEstimatesCSV(w io.Writer, res *estimateResult) error {
	cw := export.NewCSV(w)
	cw.Write([]string{"variable", "domain", "estimate", "se", "ci_low", "ci_high", "deff", "n", "df"})
	rec := make([]string, 9)
	var buf []byte
	for _, e := range res.estimates {
		rec[0] = export.Cell(e.Variable)
		rec[1] = ""
		if e.Domain != stats.NoDomain {
			rec[1] = export.Cell(res.domains[e.Domain])
		}
		for k, v := range []float64{e.Value, e.SE, e.CILow, e.CIHigh, e.Deff} {
			buf = appendNum(buf[:0], v, "")
			rec[2+k] = string(buf)
		}
		rec[7] = strconv.FormatInt(e.N, 10)
		rec[8] = strconv.Itoa(e.DF)
		cw.WriteRaw(rec) // numbers keep their sign
	}
	return cw.Flush()
}
