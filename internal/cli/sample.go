package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
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
                    [--min-per-street N] [--priors 街道=0.8,…] [--per-community M] [--reserves R]
                    [--order random|sorted] [--seed S] [--frame VERSION]
  minyi sample list
  minyi sample show NAME          per-street summary
  minyi sample export NAME        every drawn household as CSV (street, community, building, household, reserve rank, π, weight)
  minyi sample size --margin 0.05 [--confidence 0.95] [--p 0.5] [--deff 1] [--response-rate 1] [--population N] [--frame VERSION]

A draw is reproducible: the frame version and the seed (printed, and stored
with the sample) determine it exactly.
`

func sampleDraw(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "sample draw", Usage: "sample draw --name NAME --n N [flags]", Summary: "Draw and store a sample."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, "sample", env.Getenv)
	var spec draw.Spec
	fs.StringVar(&spec.Name, "name", "", "name of the sample, e.g. \"2026Q4 模拟入户\"")
	fs.IntVar(&spec.N, "n", 0, "main-sample households, all streets together")
	fs.StringVar(&spec.Design, "design", "two-stage", "two-stage (communities by PPS, then households) or stratified-srs")
	fs.StringVar(&spec.Allocation, "allocation", "proportional", "equal, proportional, neyman or minimum")
	fs.IntVar(&spec.MinPerStreet, "min-per-street", 0, "at least this many households in every street")
	priors := fs.String("priors", "", "anticipated rates by street for Neyman allocation: 城关街道=0.8,南湖街道=0.7")
	fs.IntVar(&spec.PerCommunity, "per-community", 20, "two-stage: households drawn in each selected community")
	fs.IntVar(&spec.Reserves, "reserves", 0, "reserve households per selected community (two-stage) or per street (srs)")
	fs.StringVar(&spec.Order, "order", "random", "two-stage: order of communities in the systematic PPS pass: random or sorted")
	seed := fs.String("seed", "", "seed (a whole number); default: random, printed")
	fs.IntVar(&spec.FrameVersion, "frame", 0, "frame version (default: the newest)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *seed != "" {
		v, err := strconv.ParseUint(*seed, 10, 64)
		if err != nil || v == 0 {
			return apperr.WithFields("sample draw: invalid flags", map[string]string{"--seed": "a positive whole number below 2⁶⁴"})
		}
		spec.Seed = v
	}
	if *priors != "" {
		spec.Priors = map[string]float64{}
		for _, kv := range strings.Split(*priors, ",") {
			k, v, ok := strings.Cut(kv, "=")
			p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if !ok || err != nil {
				return apperr.WithFields("sample draw: invalid flags", map[string]string{"--priors": fmt.Sprintf("%q is not street=rate", kv)})
			}
			spec.Priors[strings.TrimSpace(k)] = p
		}
	}
	db, err := openDB(ctx, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := draw.Draw(ctx, db, spec, store.CLI)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "drew sample %q (%s) from frame version %d with seed %s: %d households, %d reserves\n",
		res.Sample.Name, res.Sample.Kind, res.Sample.FrameVersion, res.Sample.Seed, res.Sample.Households, res.Sample.Reserves)
	return printStreetResults(env, res.Streets)
}

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
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Kind, s.FrameVersion, s.Households, s.Reserves, s.Seed, s.CreatedAt.Local().Format("2006-01-02 15:04"))
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
			rows, err := db.SampleListing(ctx, s.ID)
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
	fs.Float64Var(&spec.Margin, "margin", 0, "half-width of the confidence interval of a rate, e.g. 0.05 for ±5 points")
	fs.Float64Var(&spec.Confidence, "confidence", 0.95, "confidence level")
	fs.Float64Var(&spec.P, "p", 0.5, "anticipated rate (0.5 is the most cautious)")
	fs.Float64Var(&spec.Deff, "deff", 1, "design effect (about 1 + (m−1)·ICC for m households per community)")
	fs.Float64Var(&spec.ResponseRate, "response-rate", 1, "share of issued households expected to complete")
	fs.IntVar(&spec.Population, "population", 0, "households in the population (default: the frame's)")
	frameVersion := fs.Int("frame", 0, "frame version for per-street sizes (default: the newest, if any)")
	noDB := fs.Bool("no-frame", false, "do not read a frame: overall figure only")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	var db *store.DB
	if !*noDB {
		var err error
		if db, err = openDB(ctx, flags); err != nil {
			return err
		}
		defer db.Close()
	}
	plan, err := draw.Sizes(ctx, db, spec, *frameVersion)
	if err != nil {
		return err
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
