package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/stats/designcsv"
)

const estimateUsage = `estimate --data FILE.csv --strata COL --cluster COL --weight COL [--fpc COL] --vars A,B,C [--by COL] [--ci logit|beta|wald|asin] [--level 0.95] [--lonely-psu fail|remove|certainty|adjust|average] [--format json|csv|xlsx] [--no-bom]`

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
		var o designcsv.Spec
		var data, vars, ci, lonely, format string
		var noBOM bool
		fs.StringVar(&data, "data", "", "CSV file of responses, with a header line (required)")
		fs.StringVar(&o.Strata, "strata", "", "column of the stratum, e.g. the street (required)")
		fs.StringVar(&o.Cluster, "cluster", "", "column of the PSU, e.g. the community; nested in strata (required)")
		fs.StringVar(&o.Weight, "weight", "", "column of the survey weight, > 0 (required)")
		fs.StringVar(&o.FPC, "fpc", "", "column of the first-stage fpc: PSUs in the stratum's population, or the sampling fraction (≤ 1)")
		fs.StringVar(&vars, "vars", "", "comma-separated columns to estimate: 0/1 gives a rate, other numbers a mean (required)")
		fs.StringVar(&o.By, "by", "", "column whose values are domains to estimate for as well")
		fs.StringVar(&ci, "ci", "logit", "interval of a rate: logit, beta (Korn-Graubard), wald or asin (arcsine, as a round's estimates)")
		fs.Float64Var(&o.Options.Level, "level", 0.95, "confidence level")
		fs.StringVar(&lonely, "lonely-psu", "fail", "stratum with one PSU: fail, remove, certainty, adjust or average")
		fs.StringVar(&format, "format", "json", "output format: json, csv or xlsx")
		fs.BoolVar(&noBOM, "no-bom", false, "CSV without the UTF-8 byte-order mark")
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		for _, req := range []struct{ flag, v string }{{"data", data}, {"strata", o.Strata}, {"cluster", o.Cluster}, {"weight", o.Weight}, {"vars", vars}} {
			if req.v == "" {
				return apperr.New(apperr.Invalid, "estimate: --%s is required (see 'minyi help estimate')", req.flag)
			}
		}
		for _, v := range strings.Split(vars, ",") {
			v = strings.TrimSpace(v)
			if v == "" {
				return apperr.New(apperr.Invalid, "estimate: --vars %q has an empty name", vars)
			}
			if slices.Contains(o.Vars, v) {
				return apperr.New(apperr.Invalid, "estimate: --vars lists %q twice", v)
			}
			o.Vars = append(o.Vars, v)
		}
		var err error
		if o.Options.CI, err = stats.ParseCIMethod(ci); err != nil {
			return apperr.New(apperr.Invalid, "estimate: --ci: %s", apperr.PublicMessage(err))
		}
		if o.LonelyPSU, err = stats.ParseLonelyPSU(lonely); err != nil {
			return apperr.New(apperr.Invalid, "estimate: --lonely-psu: %s", apperr.PublicMessage(err))
		}
		if msg := stats.CheckLevel(o.Options.Level); msg != "" {
			return apperr.WithFields("estimate: invalid flags", map[string]string{"--level": msg})
		}
		if format != "json" && format != "csv" && format != "xlsx" {
			return apperr.New(apperr.Invalid, "estimate: --format %q: want json, csv or xlsx", format)
		}
		f, err := os.Open(data)
		if err != nil {
			return apperr.Wrap(apperr.Invalid, err, "estimate: cannot open --data %s", data)
		}
		defer f.Close()
		o.Name = "--data " + data
		res, err := designcsv.Estimate(ctx, f, &o)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(env.Stdout)
		if format == "json" {
			err = writeEstimatesJSON(w, res)
		} else {
			err = writeEstimatesTable(w, res, export.Format(format), export.Options{NoBOM: noBOM})
		}
		if err == nil {
			err = w.Flush()
		}
		return err
	}
	return c
}

// appendNum appends x with full precision (strconv 'g', -1), or null when
// it is not a finite number.
func appendNum(b []byte, x float64, null string) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, null...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, 64)
}

func writeEstimatesJSON(w io.Writer, res *designcsv.Result) error {
	b := []byte(`{"estimates":[`)
	for i, e := range res.Estimates {
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
			dl, _ := json.Marshal(res.Domains[e.Domain])
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

// writeEstimatesTable writes the estimates as a CSV or XLSX table.
func writeEstimatesTable(w io.Writer, res *designcsv.Result, f export.Format, o export.Options) error {
	book, err := export.NewBook(w, f, o)
	if err != nil {
		return err
	}
	tab, err := book.Table("estimates", []export.Column{
		{Name: "variable", Kind: export.Text}, {Name: "domain", Kind: export.Text}, {Name: "estimate", Kind: export.Number},
		{Name: "se", Kind: export.Number}, {Name: "ci_low", Kind: export.Number}, {Name: "ci_high", Kind: export.Number},
		{Name: "deff", Kind: export.Number}, {Name: "n", Kind: export.Integer}, {Name: "df", Kind: export.Integer},
	})
	if err != nil {
		return err
	}
	for _, e := range res.Estimates {
		var dom any
		if e.Domain != stats.NoDomain {
			dom = res.Domains[e.Domain]
		}
		if err := tab.Row([]any{e.Variable, dom, e.Value, e.SE, e.CILow, e.CIHigh, e.Deff, e.N, e.DF}); err != nil {
			return err
		}
	}
	return book.Close()
}
