package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/weighting"
)

func populationCommand() *Command {
	c := &Command{
		Name:    "population",
		Usage:   "population import|list [flags]",
		Summary: "Import population counts (street × sex × age group, …) to calibrate weights to, or list them.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "population", populationHelp, args, action{"import", populationImport}, action{"list", populationList})
	}
	return c
}

const populationHelp = `usage:
  minyi population import FILE [--frame V] [--questionnaire SLUG] [--unit person|household]
  minyi population list

A population file (CSV UTF-8 or XLSX) has a street column (街道), one
column per demographic question of the questionnaire (headed by its code,
e.g. E1, or a word of its label, e.g. 性别, 年龄组) and a count column:
人数 for people (adults, the respondents' population), 户数 for
households; one row per street and combination of categories, each
category an option's code or label (男, 18—29岁). A count column headed
数量 or count says nothing: --unit does (default person). A street the
frame (default: the newest) does not have, or a category the
questionnaire does not, is refused with its line; the import is atomic.
`

func populationImport(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "population import", Usage: "population import FILE [--frame V] [--questionnaire SLUG] [--unit person|household]", Summary: "Import population counts."}
	var spec weighting.ImportSpec
	more := func(fs *flag.FlagSet) {
		fs.IntVar(&spec.FrameVersion, "frame", 0, "frame version whose streets the counts name (default: the newest)")
		fs.StringVar(&spec.Questionnaire, "questionnaire", "", "questionnaire whose questions name the categories (default: that of the newest round drawn from the frame, else wenming-household)")
		fs.StringVar(&spec.Unit, "unit", "", "what the counts count, person or household (default: what the count column's header says, 人数 or 户数; else person)")
	}
	return runWithDB(ctx, env, c, args, "file", more, func(db *store.DB, file string) error {
		if spec.FrameVersion < 0 {
			return apperr.WithFields("population import: invalid flags", map[string]string{"--frame": "a frame version (1, 2, …), or 0 for the newest"})
		}
		f, err := os.Open(file)
		if err != nil {
			return apperr.New(apperr.Invalid, "population import: cannot open %s", file)
		}
		defer f.Close()
		spec.Name = filepath.Base(file)
		p, err := weighting.ImportPopulation(ctx, db, f, spec, store.CLI)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %s as population %d: %d counts by %s, %g %s in all (frame version %d, questionnaire %s)\n",
			p.SourceName, p.ID, p.Cells, strings.Join(append([]string{"street"}, p.Variables...), " × "), p.Total, unitWord(p.Unit), p.FrameVersion, p.Questionnaire)
		return nil
	})
}

func populationList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "population list", Usage: "population list", Summary: "List population tables, newest first."}
	return runWithDB(ctx, env, c, args, "", nil, func(db *store.DB, _ string) error {
		ps, err := db.Populations(ctx)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "ID\tFRAME\tQUESTIONNAIRE\tVARIABLES\tUNIT\tCOUNTS\tTOTAL\tFILE\tIMPORTED")
		for _, p := range ps {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%g\t%s\t%s\n", p.ID, p.FrameVersion, p.Questionnaire, strings.Join(append([]string{"street"}, p.Variables...), " × "),
				p.Unit, p.Cells, p.Total, p.SourceName, env.clock(p.CreatedAt))
		}
		return tw.Flush()
	})
}

// unitWord is what a population unit counts, in a sentence.
func unitWord(unit string) string {
	if unit == store.UnitHousehold {
		return "households"
	}
	return "people"
}

func roundWeight(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round weight", Usage: "round weight NAME [flags]", Summary: "Weight a round: non-response adjustment, calibration to population counts, trimming."}
	var cfg weighting.Config
	var vars, margins, bounds, missing string
	var again bool
	more := func(fs *flag.FlagSet) {
		fs.BoolVar(&again, "again", false, "run again with the settings of the weighting in force (other settings flags are ignored)")
		fs.StringVar(&cfg.Nonresponse, "nonresponse", "street", "weighting class of the non-response adjustment: street, community or none")
		fs.StringVar(&cfg.Calibration, "calibrate", "", "none, poststratify, rake or calibrate (default: rake to street × each population variable if counts exist; calibrate with --bounds)")
		fs.StringVar(&vars, "poststrata", "", "post-stratification variables, e.g. street*E1*E2")
		fs.StringVar(&margins, "margins", "", "raking or calibration margins, e.g. street*E1,street*E2")
		fs.StringVar(&cfg.CalFun, "calfun", "", "calibration function of --calibrate calibrate: raking (default), logit or linear (R's calfun)")
		fs.StringVar(&bounds, "bounds", "", "bounds LO,HI of calibrate on a final weight's ratio to its weight before calibration, e.g. 0.5,2 (R's bounds)")
		fs.StringVar(&cfg.Adults, "adults", "", "question counting the household's eligible adults, for population counts of people (default: the integer question about adults)")
		fs.Float64Var(&cfg.Epsilon, "epsilon", 0, "raking: stop when no cell's weighted count changed by this much in a pass; below 1, a proportion of the sum of the weights before raking, as R's rake (0: R's default 1). calibrate: the largest relative misfit (0: R's default 1e-7)")
		fs.IntVar(&cfg.MaxIter, "max-iter", 0, "raking passes at most (0: R's default 10); calibrate: Newton steps at most (0: R's default 50)")
		fs.Float64Var(&cfg.Trim, "trim", 0, "cap weights at this multiple of the median, 1 to 100 (0: no trimming); breaks the calibration's margins (the report says by how much): prefer --bounds")
		fs.StringVar(&missing, "missing", "", "remedy for a refused, don't-know or missing answer to a calibration variable: QUESTION=collapse:CODE (count it in category CODE) or QUESTION=hotdeck (a donor's answer, drawn within street and the other calibration categories), comma-separated, e.g. E2=collapse:6")
		fs.Uint64Var(&cfg.Seed, "seed", 0, "seed of the hot deck's donor draws (0: the round's id)")
		fs.Int64Var(&cfg.Population, "population", 0, "population table id (default: the newest of the round's frame)")
	}
	return runWithDB(ctx, env, c, args, "round", more, func(db *store.DB, name string) error {
		r, err := rounds.New(db).RoundByRef(ctx, name)
		if err != nil {
			return err
		}
		if again {
			if cfg, err = weighting.LastConfig(ctx, db, r.ID); err != nil {
				return err
			}
			vars, margins = "", ""
		}
		if vars != "" || margins != "" {
			cfg.Variables, cfg.Margins = weighting.ParseVariables(vars), weighting.ParseMargins(margins)
		}
		if missing != "" {
			if cfg.Missing, err = weighting.ParseMissing(missing); err != nil {
				return apperr.WithFields("round weight: invalid flags", map[string]string{"--missing": "QUESTION=hotdeck or QUESTION=collapse:CODE, e.g. E2=collapse:6"})
			}
		}
		if bounds != "" {
			if cfg.Bounds, err = weighting.ParseBounds(bounds); err != nil {
				return apperr.WithFields("round weight: invalid flags", map[string]string{"--bounds": "two numbers LO,HI, e.g. 0.5,2"})
			}
		}
		if cfg.Calibration == "" && (len(cfg.Variables) > 0 || len(cfg.Margins) > 0) {
			cfg.Calibration = "rake"
			if len(cfg.Variables) > 0 {
				cfg.Calibration = "poststratify"
			} else if len(cfg.Bounds) > 0 || cfg.CalFun != "" {
				cfg.Calibration = "calibrate"
			}
		}
		rep, err := weighting.Weigh(ctx, db, r.ID, cfg, store.CLI)
		if err != nil {
			return flagErrors(err, "round weight: invalid settings", map[string]string{"calibration": "--calibrate", "variables": "--poststrata", "max_iter": "--max-iter"})
		}
		return printWeighting(env.Stdout, rep)
	})
}

// printWeighting writes the weighting report.
func printWeighting(w io.Writer, rep weighting.Report) error {
	fmt.Fprintf(w, "round %q weighted (run %d): %d respondents, %d eligible non-respondents, %d not eligible, %d of unknown eligibility, %d replaced\n\n",
		rep.Round, rep.WeightingID, rep.Units.Respondents, rep.Units.Nonrespondents, rep.Units.Ineligible, rep.Units.Unknown, rep.Units.Replaced)
	tw := newTable(w)
	fmt.Fprintln(tw, "STEP\tN\tSUM\tMIN\tMAX\tMAX/MIN\tCV\tDEFF (KISH)\tEFFECTIVE N")
	for _, s := range rep.Steps {
		x := s.Weights
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.4g\t%.4g\t%.2f\t%.3f\t%.3f\t%.1f\n", s.Name, x.N, x.Sum, x.Min, x.Max, x.Max/x.Min, x.CV, x.Deff, x.EffectiveN)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Classes) > 0 {
		fmt.Fprintln(w, "\nnon-response adjustment:")
		tw = newTable(w)
		fmt.Fprintln(tw, "CLASS\tRESPONDENTS\tELIGIBILITY RATE\tFACTOR")
		for _, c := range rep.Classes {
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\n", c.Name, c.N, c.EligibilityRate, c.Factor)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if rep.Passes > 0 {
		fmt.Fprintf(w, "\n%s to population %d", rep.Config.Calibration, rep.Config.Population)
		switch rep.Config.Calibration {
		case "rake":
			fmt.Fprintf(w, " in %d passes", rep.Passes)
		case "calibrate":
			fmt.Fprintf(w, " (%s", rep.Config.CalFun)
			if len(rep.Config.Bounds) == 2 {
				fmt.Fprintf(w, ", bounds [%g, %g]", rep.Config.Bounds[0], rep.Config.Bounds[1])
			}
			fmt.Fprintf(w, ") in %d steps", rep.Passes)
		}
		fmt.Fprintln(w)
	}
	for _, im := range rep.Imputed {
		how := "collapsed into category " + strings.TrimPrefix(rep.Config.Missing[im.Question], weighting.MissingCollapse+":")
		if im.Method == weighting.MissingHotDeck {
			how = "given a donor's answer (hot deck)"
		}
		fmt.Fprintf(w, "%s: %d refused, don't-know or missing answers %s; the responses export lists each (imputed)\n", im.Question, im.N, how)
	}
	fmt.Fprintf(w, "the final weights count %s", unitWord(rep.Unit))
	if rep.Unit == store.UnitPerson {
		fmt.Fprintf(w, ": each household's weight × its adults (%s)", rep.Config.Adults)
	}
	fmt.Fprintln(w)
	if rep.Trimmed > 0 || rep.Config.Trim > 0 {
		fmt.Fprintf(w, "trimmed %d weights to the cap %.4g (%g × median)\n", rep.Trimmed, rep.TrimCap, rep.Config.Trim)
	}
	for _, b := range rep.TrimBreaks {
		fmt.Fprintf(w, "trimming breaks margin %s: %s is %.1f against a population of %.1f (%.2f %% off); bounded calibration (--bounds) keeps weights within bounds and meets the margins\n",
			b.Margin, b.Level, b.Weighted, b.Population, 100*b.MaxRelDiff)
	}
	if len(rep.Check) > 0 {
		fmt.Fprintln(w, "\ncalibration check (final weighted count against the population):")
		tw = newTable(w)
		fmt.Fprintln(tw, "MARGIN\tLEVEL\tPOPULATION\tWEIGHTED\tDIFFERENCE")
		for _, m := range rep.Check {
			for _, l := range m.Levels {
				fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.3g\n", m.Margin, l.Level, l.Population, l.Weighted, l.Weighted-l.Population)
			}
		}
		return tw.Flush()
	}
	return nil
}
