package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

func sampleCommand() *Command {
	c := &Command{
		Name:    "sample",
		Usage:   "sample draw|list|show|export|size [flags]",
		Summary: "Draw a household sample by street from a frame version; list, show and export samples; compute sample sizes.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "sample", sampleHelp, args,
			action{"draw", sampleDraw}, action{"list", sampleList},
			action{"show", func(ctx context.Context, env *Env, args []string) error { return sampleShow(ctx, env, args, false) }},
			action{"export", func(ctx context.Context, env *Env, args []string) error { return sampleShow(ctx, env, args, true) }},
			action{"size", sampleSize})
	}
	return c
}

const sampleHelp = `usage:
  minyi sample draw --name NAME --n N [--design two-stage|stratified-srs] [--allocation proportional|equal|neyman|minimum]
                    [--min-per-street N] [--priors 街道=0.8,…] [--per-community M] [--exact] [--reserves R]
                    [--order random|sorted] [--seed S] [--frame VERSION]
  minyi sample list
  minyi sample show NAME          per-street summary
  minyi sample export NAME        every drawn household as CSV (street, community, building, household, reserve rank, π, weight)
  minyi sample size --margin 0.05 [--confidence 0.95] [--p 0.5] [--deff 1] [--response-rate 1] [--population N] [--frame VERSION]

A draw is reproducible: the frame version and the seed (printed, and stored
with the sample) determine it exactly. A two-stage sample takes whole
communities of M households, ⌈n_h/M⌉ in each street, so each street's share
is rounded up to a multiple of M (--n 400 --per-community 20 may draw 420);
--exact takes fewer households in the last community of each street instead,
with π2 of that community its reduced count over its size.
`

func sampleDraw(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "sample draw", Usage: "sample draw --name NAME --n N [flags]", Summary: "Draw and store a sample."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "sample", env.Getenv)
	// The flags' defaults are the domain's (draw.Default…), shown in help;
	// only the flags given on the command line go into the request, so the
	// CLI and the API resolve the same request the same way.
	var (
		req                                 draw.Request
		n, minPerStreet, perCommunity, resv int
		frameVersion                        int
		design, allocation, order, seed, pr string
		exact                               bool
	)
	fs.StringVar(&req.Name, "name", "", "name of the sample, e.g. \"2026Q4 模拟入户\" ("+textcheck.PathNameRule+")")
	fs.IntVar(&n, "n", 0, "main-sample households, all streets together (1 to 10000000)")
	fs.StringVar(&design, "design", draw.DefaultDesign, "two-stage (communities by PPS, then households) or stratified-srs")
	fs.StringVar(&allocation, "allocation", draw.DefaultAllocation, "equal, proportional, neyman or minimum")
	fs.IntVar(&minPerStreet, "min-per-street", 0, "at least this many households in every street (0 to 10000000)")
	fs.StringVar(&pr, "priors", "", "anticipated rates by street for Neyman allocation: 城关街道=0.8,南湖街道=0.7")
	fs.IntVar(&perCommunity, "per-community", draw.DefaultPerCommunity, "two-stage: households drawn in each selected community (1 to 10000)")
	fs.BoolVar(&exact, "exact", false, "two-stage: take exactly each street's share, fewer households in the last community of a street")
	fs.IntVar(&resv, "reserves", 0, "reserve households per selected community (two-stage) or per street (srs) (0 to 10000)")
	fs.StringVar(&order, "order", draw.DefaultOrder, "two-stage: order of communities in the systematic PPS pass: random or sorted")
	fs.StringVar(&seed, "seed", "", "seed (a whole number from 1 to 2⁶⁴−1); default: random, printed")
	fs.IntVar(&frameVersion, "frame", 0, "frame version (default: the newest)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	problems := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "n":
			req.N = &n
		case "design":
			req.Design = &design
		case "allocation":
			req.Allocation = &allocation
		case "min-per-street":
			req.MinPerStreet = &minPerStreet
		case "per-community":
			req.PerCommunity = &perCommunity
		case "exact":
			req.Exact = &exact
		case "reserves":
			req.Reserves = &resv
		case "order":
			req.Order = &order
		case "frame":
			req.FrameVersion = &frameVersion
		case "seed":
			v, err := strconv.ParseUint(seed, 10, 64)
			if err != nil || v == 0 {
				problems["--seed"] = "a whole number from 1 to 2⁶⁴−1"
			}
			req.Seed = &v
		case "priors":
			req.Priors = map[string]float64{}
			for _, kv := range strings.Split(pr, ",") {
				k, v, ok := strings.Cut(kv, "=")
				p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if !ok || err != nil {
					problems["--priors"] = fmt.Sprintf("%q is not street=rate", kv)
				}
				req.Priors[strings.TrimSpace(k)] = p
			}
		}
	})
	if len(problems) > 0 {
		return apperr.WithFields("sample draw: invalid flags", problems)
	}
	spec, err := req.Spec()
	if err != nil {
		return flagErrors(err, "sample draw: invalid flags", sampleFlags)
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := draw.Draw(ctx, db, spec, store.CLI)
	if err != nil {
		return flagErrors(err, "sample draw: invalid flags", sampleFlags)
	}
	fmt.Fprintf(env.Stdout, "drew sample %q (%s) from frame version %d with seed %s: %d households, %d reserves\n",
		res.Sample.Name, res.Sample.Kind, res.Sample.FrameVersion, res.Sample.Seed, res.Sample.Households, res.Sample.Reserves)
	for _, note := range res.Notes {
		fmt.Fprintln(env.Stdout, "note:", note)
	}
	return printStreetResults(env, res.Streets)
}

// sampleFlags are the flags of the sampling fields not named after them.
var sampleFlags = map[string]string{"frame_version": "--frame"}

func printStreetResults(env *Env, streets []draw.StreetResult) error {
	tw := newTable(env.Stdout)
	fmt.Fprintln(tw, "STREET\tHOUSEHOLDS\tALLOCATED\tDRAWN\tRESERVES\tCOMMUNITIES\tNOTE")
	for _, s := range streets {
		var note []string
		if s.Result.TakeAll {
			note = append(note, "taken whole")
		}
		if s.Result.Certainty > 0 {
			note = append(note, fmt.Sprintf("%d certainty communities", s.Result.Certainty))
		}
		if s.Result.Drawn < s.Result.Requested {
			note = append(note, fmt.Sprintf("%d short: too few households", s.Result.Requested-s.Result.Drawn))
		}
		comm := "-"
		if s.Result.PSUsDrawn > 0 {
			comm = fmt.Sprintf("%d of %d", s.Result.PSUsDrawn, s.Result.Communities)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", s.Street, s.Result.Households, s.Allocation.Size, s.Result.Drawn, s.Result.Reserves, comm, strings.Join(note, "; "))
	}
	return tw.Flush()
}

func sampleList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "sample list", Usage: "sample list", Summary: "List samples, newest first."}
	return runWithDB(ctx, env, c, args, "", nil, func(db *store.DB, _ string) error {
		ss, err := db.Samples(ctx)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "NAME\tDESIGN\tFRAME\tHOUSEHOLDS\tRESERVES\tSEED\tDRAWN")
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Kind, s.FrameVersion, s.Households, s.Reserves, s.Seed, env.clock(s.CreatedAt))
		}
		return tw.Flush()
	})
}

// sampleShow prints a sample's per-street summary, or with export every
// drawn household as CSV.
func sampleShow(ctx context.Context, env *Env, args []string, export bool) error {
	name := "sample show"
	if export {
		name = "sample export"
	}
	c := &Command{Name: name, Usage: name + " NAME", Summary: "Show a sample."}
	return runWithDB(ctx, env, c, args, "sample", nil, func(db *store.DB, sample string) error {
		s, err := db.SampleByName(ctx, sample)
		if err != nil {
			return err
		}
		if export {
			rows, err := db.SampleListing(ctx, s.ID, store.Scope{})
			if err != nil {
				return err
			}
			return draw.WriteListingCSV(env.Stdout, rows)
		}
		streets, spec, err := draw.Streets(s)
		if err != nil {
			return err
		}
		specJSON, _ := json.Marshal(spec)
		fmt.Fprintf(env.Stdout, "sample %q: %s from frame version %d, seed %s, %d households, %d reserves\nspecification: %s\n\n",
			s.Name, s.Kind, s.FrameVersion, s.Seed, s.Households, s.Reserves, specJSON)
		return printStreetResults(env, streets)
	})
}

func sampleSize(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "sample size", Usage: "sample size --margin E [flags]", Summary: "Sample size for a rate's margin of error, overall and per street of a frame."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "sample", env.Getenv)
	var spec sampling.SizeSpec
	var population float64
	fs.Float64Var(&spec.Margin, "margin", 0, "half-width of the confidence interval of a rate, e.g. 0.05 for ±5 points (0.001 to 0.5)")
	fs.Float64Var(&spec.Confidence, "confidence", sampling.DefaultConfidence, "confidence level (0.5 to 0.9999)")
	fs.Float64Var(&spec.P, "p", 0.5, "anticipated rate, between 0 and 1 (0.5 is the most cautious)")
	fs.Float64Var(&spec.Deff, "deff", 1, "design effect (about 1 + (m−1)·ICC for m households per community drawn with replacement; the without-replacement variance the estimates use gives (1 − f1)·m·ICC + (1 − f2)·(1 − ICC), f1 and f2 the shares of communities and of their households drawn; 0.1 to 100)")
	fs.Float64Var(&spec.ResponseRate, "response-rate", 1, "share of issued households expected to complete (0.01 to 1)")
	fs.Float64Var(&population, "population", 0, "households in the population, 1 to 10⁹ (default: the frame's)")
	frameVersion := fs.Int("frame", 0, "frame version for per-street sizes (default: the newest, if any)")
	noDB := fs.Bool("no-frame", false, "do not read a frame: overall figure only")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	// Every flag given is checked as given: a typed 0 is out of range, not
	// "the default".
	problems := map[string]string{}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range []struct {
		flag, field string
		v           float64
	}{{"margin", "margin", spec.Margin}, {"confidence", "confidence", spec.Confidence}, {"p", "p", spec.P},
		{"deff", "deff", spec.Deff}, {"response-rate", "response_rate", spec.ResponseRate}, {"population", "population", population}} {
		if given[f.flag] {
			if msg := sampling.CheckSizeField(f.field, f.v); msg != "" {
				problems["--"+f.flag] = msg
			}
		}
	}
	if !given["margin"] {
		problems["--margin"] = "required, e.g. 0.05"
	}
	if given["frame"] && (*frameVersion < 1 || *frameVersion > math.MaxInt32) {
		problems["--frame"] = "a frame version, 1 or more; leave it out for the newest"
	}
	if len(problems) > 0 {
		return apperr.WithFields("sample size: invalid flags", problems)
	}
	spec.Population = int(population)
	var db *store.DB
	if !*noDB {
		var err error
		if db, err = openDB(ctx, env, flags); err != nil {
			return err
		}
		defer db.Close()
	}
	plan, err := draw.Sizes(ctx, db, spec, *frameVersion)
	if err != nil {
		return flagErrors(err, "sample size: invalid flags", sampleFlags)
	}
	o := plan.Overall
	fmt.Fprintf(env.Stdout, "margin ±%g at %g%% confidence, p = %g, deff = %g, response rate = %g\n", spec.Margin, spec.Confidence*100, spec.P, spec.Deff, spec.ResponseRate)
	fmt.Fprintf(env.Stdout, "whole district: n0 = %.2f, n = %.2f → %d interviews, issue %d households\n", o.N0, o.N, o.Completes, o.Issue)
	if len(plan.Streets) == 0 {
		return nil
	}
	fmt.Fprintf(env.Stdout, "\nfor an estimate of the same precision in every street (frame version %d):\n", plan.FrameVersion)
	tw := newTable(env.Stdout)
	fmt.Fprintln(tw, "STREET\tHOUSEHOLDS\tINTERVIEWS\tISSUE")
	for _, s := range plan.Streets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", s.Street, s.Households, s.Completes, s.Issue)
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\n", plan.Totals.Completes, plan.Totals.Issue)
	return tw.Flush()
}
