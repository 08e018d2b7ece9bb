package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/surveys"
)

func simulateCommand() *Command {
	c := &Command{
		Name:  "simulate",
		Usage: "simulate district|round|design [flags]",
		Summary: "Simulated polling: a synthetic district with known true rates, simulated fieldwork " +
			"on a round, and Monte Carlo checks of a sampling design.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "simulate", simulateHelp, args,
			action{"district", simulateDistrict}, action{"round", simulateRound}, action{"design", simulateDesign})
	}
	return c
}

const simulateHelp = `usage:
  minyi simulate district --frame FRAME.csv --truth TRUTH.json [--population POP.csv]
                          [--streets 8] [--communities 12] [--households 400] [--seed 1]
  minyi simulate round --round NAME [--truth TRUTH.json] [--seed 1] [--contact 0.55] [--evening-contact 0.8]
                       [--refusal 0.15] [--not-eligible 0.05] [--interviewers 3] [--straightliners 0.02]
                       [--refuse-age 0] [--days 10] [--until DATE] [--url URL --token T]
  minyi simulate design --truth TRUTH.json --frame FRAME.csv [--n 2000] [--per-community 20]
                        [--allocation proportional] [--response-rate 0.7] [--reps 1000] [--seed 1]
                        [--target-width 0.10] [--community-cells] [--format json|text]

district writes a synthetic district: a frame that 'minyi frame import' reads
unchanged, the true value of every indicator of the standard questionnaire by
street (TRUTH.json) and adult residents by street, sex and age group (POP.csv).
round runs simulated interviewers through a round in fieldwork, through the
same submission code as the tablets, and first marks the round's data as
simulated (round list shows it; over --url that needs an administrator's
token unless the round is marked already). design repeats sample → response →
estimate in memory and reports bias, RMSE, interval width, coverage and the
chance of flagging a street below target; with --community-cells also each
rate's community estimates, direct and model, against the communities' truth.
`

func simulateDistrict(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "simulate district", Usage: "simulate district --frame FILE --truth FILE [flags]", Summary: "Write a synthetic district: frame, truth and population counts."}
	fs := newFlagSet(env, c)
	var spec simulate.Spec
	var seed int64
	var framePath, truthPath, popPath, qPath string
	fs.IntVar(&spec.Streets, "streets", 8, "streets (街道), 1 to 200")
	fs.IntVar(&spec.Communities, "communities", 12, "communities (社区) per street, 1 to 200")
	fs.IntVar(&spec.Households, "households", 400, "mean households per community, 10 to 20000")
	fs.Int64Var(&seed, "seed", 1, "random seed: the same seed gives the same district")
	fs.StringVar(&framePath, "frame", "", "frame CSV to write (required)")
	fs.StringVar(&truthPath, "truth", "", "TRUTH.json to write (required)")
	fs.StringVar(&popPath, "population", "", "population counts CSV to write (adults by street, sex and age group)")
	fs.StringVar(&qPath, "questionnaire", "", "questionnaire YAML whose indicators the truth covers (default: the shipped wenming-household)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if framePath == "" || truthPath == "" {
		return apperr.New(apperr.Invalid, "simulate district: --frame and --truth are required (see 'minyi help simulate')")
	}
	if seed < 1 {
		return apperr.New(apperr.Invalid, "simulate district: --seed must be a positive number")
	}
	spec.Seed = uint64(seed)
	if err := spec.Validate(); err != nil {
		return err
	}
	def, err := loadQuestionnaire(qPath)
	if err != nil {
		return err
	}
	d, err := simulate.Generate(spec)
	if err != nil {
		return err
	}
	plan, err := simulate.Compile(def, d.Model)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "simulate district")
	}
	truth := simulate.ComputeTruth(plan, d.Frame())
	if err := writeFileAtomic(framePath, d.WriteFrame); err != nil {
		return err
	}
	if err := writeFileAtomic(truthPath, truth.WriteJSON); err != nil {
		return err
	}
	if popPath != "" {
		if err := writeFileAtomic(popPath, d.WritePopulation); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "district of %d streets, %d communities, %d households (seed %d)\n",
		len(d.Streets), len(d.Streets)*spec.Communities, d.Households(), seed)
	fmt.Fprintf(env.Stdout, "frame %s, truth %s", framePath, truthPath)
	if popPath != "" {
		fmt.Fprintf(env.Stdout, ", population %s", popPath)
	}
	fmt.Fprintln(env.Stdout)
	for _, it := range truth.Indicators {
		if len(it.ID) > 0 && (it.ID == "awareness" || it.ID == "support" || it.ID == "participation" || it.ID == "satisfaction") {
			fmt.Fprintf(env.Stdout, "  true %-14s %.3f in the district\n", it.ID, it.District)
		}
	}
	return nil
}

func simulateRound(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "simulate round", Usage: "simulate round --round NAME [flags]", Summary: "Run simulated fieldwork on a round in the field."}
	fs := newFlagSet(env, c)
	flags := config.Register(fs, c.Name, env.Getenv)
	o := simround.DefaultOptions()
	var name, truthPath, until, base, token string
	var seed int64
	fs.StringVar(&name, "round", "", "the round, by name (required); it must be in fieldwork")
	fs.StringVar(&truthPath, "truth", "", "TRUTH.json of the district (default: a model drawn from the seed for this frame's streets and communities)")
	fs.Int64Var(&seed, "seed", 1, "random seed: the same seed gives the same fieldwork")
	fs.Float64Var(&o.Contact, "contact", o.Contact, "probability that someone opens the door on a daytime visit")
	fs.Float64Var(&o.EveningContact, "evening-contact", o.EveningContact, "probability that someone opens the door in the evening (from 18:30)")
	fs.Float64Var(&o.Refusal, "refusal", o.Refusal, "probability that a contacted eligible household refuses")
	fs.Float64Var(&o.NotEligible, "not-eligible", o.NotEligible, "probability that a household is not eligible")
	fs.IntVar(&o.Interviewers, "interviewers", o.Interviewers, "interviewers per street: unassigned households are given to them (accounts sim-s<street id>-<k> are created when the street has too few)")
	fs.Float64Var(&o.Straightliners, "straightliners", o.Straightliners, "share of respondents who give every satisfaction item the same answer")
	fs.Float64Var(&o.RefuseAge, "refuse-age", o.RefuseAge, "share of respondents who refuse their age group (拒答), a calibration variable (see round weight --missing)")
	fs.IntVar(&o.Days, "days", o.Days, "simulated days of fieldwork, ending on --until")
	fs.StringVar(&until, "until", "", "last simulated day, YYYY-MM-DD, not after today (default: yesterday)")
	fs.StringVar(&base, "url", "", "simulate against a running server's API at this URL instead of the database")
	fs.StringVar(&token, "token", "", "API token for --url (minyi token create): an administrator's, or a supervisor's for their street")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if name == "" {
		return apperr.New(apperr.Invalid, "simulate round: --round is required (see 'minyi help simulate')")
	}
	if seed < 1 {
		return apperr.New(apperr.Invalid, "simulate round: --seed must be a positive number")
	}
	o.Seed = uint64(seed)
	if until != "" {
		t, err := time.ParseInLocation(time.DateOnly, until, time.Local)
		if err != nil || t.After(time.Now()) || t.Year() < 2020 {
			return apperr.New(apperr.Invalid, "simulate round: --until %q: a date from 2020 to today, as YYYY-MM-DD", until)
		}
		o.Until = t
	}
	if err := o.Validate(); err != nil {
		return err
	}
	model := simulate.NewModel(o.Seed)
	if truthPath != "" {
		f, err := os.Open(truthPath)
		if err != nil {
			return apperr.New(apperr.Invalid, "cannot read %s: %v", truthPath, pathErr(err))
		}
		truth, err := simulate.ReadTruth(f)
		f.Close()
		if err != nil {
			return err
		}
		model = truth.Model
	}
	o.Progress = env.Stdout
	o.Workers = 2
	report := func(sum simround.Summary) {
		fmt.Fprintf(env.Stdout, "%d days: %d visits, %d interviews (%d flagged), %d refusals, %d not eligible, %d replacements; %d of %d households final\n",
			sum.Days, sum.Visits, sum.Interviews, sum.Flagged, sum.Refusals, sum.NotEligible, sum.Replacements, sum.Final, sum.Assignments)
	}
	if base != "" {
		b, err := simround.NewHTTPBackend(base, token)
		if err != nil {
			return err
		}
		sum, err := simround.Run(ctx, b, name, model, o)
		if err != nil {
			return err
		}
		report(sum)
		return nil
	}
	if token != "" {
		return apperr.New(apperr.Invalid, "simulate round: --token goes with --url")
	}
	db, err := openDB(ctx, env, flags)
	if err != nil {
		return err
	}
	defer db.Close()
	b := simround.NewServiceBackend(db)
	r, err := b.Round(ctx, name)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(auth.GeneratePassword())
	if err != nil {
		return err
	}
	created, err := b.Staff(ctx, r.ID, o.Interviewers, hash)
	if err != nil {
		return err
	}
	if created > 0 {
		fmt.Fprintf(env.Stdout, "created %d simulated staff accounts (sim-s…; no known password: set one with minyi user passwd)\n", created)
	}
	sum, err := simround.Run(ctx, b, name, model, o)
	if err != nil {
		return err
	}
	report(sum)
	return nil
}

func simulateDesign(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "simulate design", Usage: "simulate design --truth FILE --frame FILE [flags]", Summary: "Evaluate a sampling design by Monte Carlo."}
	fs := newFlagSet(env, c)
	spec := simulate.DesignSpec{}
	var truthPath, framePath, alloc, format, inds, qPath string
	var seed int64
	fs.StringVar(&truthPath, "truth", "", "TRUTH.json of the district (required)")
	fs.StringVar(&framePath, "frame", "", "frame CSV or XLSX of the district (required)")
	fs.IntVar(&spec.N, "n", 2000, "households in the main sample, all streets together")
	fs.IntVar(&spec.PerCommunity, "per-community", 20, "households drawn in each selected community")
	fs.StringVar(&alloc, "allocation", "proportional", "split between streets: proportional, equal, neyman or minimum")
	fs.Float64Var(&spec.ResponseRate, "response-rate", 0.7, "share of drawn households that respond")
	fs.IntVar(&spec.Reps, "reps", 1000, "repetitions, 1 to 100000")
	fs.Int64Var(&seed, "seed", 1, "random seed: the same seed gives the same report")
	fs.StringVar(&inds, "indicators", "", "indicators to report, comma-separated (default: the four rates)")
	fs.Float64Var(&spec.TargetWidth, "target-width", 0.10, "95 % interval width a street should reach, for the recommendation")
	fs.Float64Var(&spec.Power, "power", 0.8, "chance a street below target should have of being flagged, for the recommendation")
	fs.StringVar(&format, "format", "json", "json or text")
	fs.StringVar(&qPath, "questionnaire", "", "questionnaire YAML (default: the shipped wenming-household)")
	var mdPath, svgPath, variance, ci string
	fs.StringVar(&ci, "ci", results.RoundCI.String(), "interval of a rate: asin (arcsine, as a round's estimates), logit, beta (Korn-Graubard) or wald")
	fs.StringVar(&variance, "variance", "wor", "variance estimator: wor (communities by PPS without replacement, Brewer, plus households within them) or wr (with replacement)")
	fs.StringVar(&mdPath, "markdown", "", "also write the report as Markdown to this file (with the command that made it)")
	fs.StringVar(&svgPath, "svg", "", "also write the power chart as SVG to this file")
	fs.BoolVar(&spec.CommunityCells, "community-cells", false, "also report each rate's community estimates, direct and model (Fay-Herriot), averaged over communities: RMSE, mean SE, coverage")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if truthPath == "" || framePath == "" {
		return apperr.New(apperr.Invalid, "simulate design: --truth and --frame are required (see 'minyi help simulate')")
	}
	if seed < 1 {
		return apperr.New(apperr.Invalid, "simulate design: --seed must be a positive number")
	}
	if format != "json" && format != "text" {
		return apperr.New(apperr.Invalid, "simulate design: --format %q: want json or text", format)
	}
	spec.Seed = uint64(seed)
	v, err := stats.ParseVariance(variance)
	if err != nil {
		return apperr.WithFields("invalid design", map[string]string{"variance": "wor or wr"})
	}
	spec.Variance = v
	if spec.CI, err = stats.ParseCIMethod(ci); err != nil {
		return apperr.WithFields("invalid design", map[string]string{"ci": "asin, logit, beta or wald"})
	}
	m, err := sampling.ParseMethod(alloc)
	if err != nil {
		return apperr.WithFields("invalid design", map[string]string{"allocation": "proportional, equal, neyman or minimum"})
	}
	spec.Allocation = m
	if inds != "" {
		for _, id := range strings.Split(inds, ",") {
			spec.Indicators = append(spec.Indicators, strings.TrimSpace(id))
		}
	}
	if err := spec.Validate(); err != nil {
		return err
	}
	tf, err := os.Open(truthPath)
	if err != nil {
		return apperr.New(apperr.Invalid, "cannot read %s: %v", truthPath, pathErr(err))
	}
	truth, err := simulate.ReadTruth(tf)
	tf.Close()
	if err != nil {
		return err
	}
	ff, err := os.Open(framePath)
	if err != nil {
		return apperr.New(apperr.Invalid, "cannot read %s: %v", framePath, pathErr(err))
	}
	fr, err := simulate.ReadFrame(ff, truth.Model.Seed)
	ff.Close()
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "%s", framePath)
	}
	def, err := loadQuestionnaire(qPath)
	if err != nil {
		return err
	}
	plan, err := simulate.Compile(def, truth.Model)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "simulate design")
	}
	// The truth of this frame (the same as TRUTH.json's when the frame is
	// the district's own).
	rep, err := simulate.EvaluateDesign(ctx, plan, fr, simulate.ComputeTruth(plan, fr), spec)
	if err != nil {
		return err
	}
	if svgPath != "" {
		if err := writeFileAtomic(svgPath, rep.WriteSVG); err != nil {
			return err
		}
	}
	if mdPath != "" {
		svgLink := ""
		if svgPath != "" {
			if rel, err := filepath.Rel(filepath.Dir(mdPath), svgPath); err == nil {
				svgLink = filepath.ToSlash(rel)
			}
		}
		command := "minyi simulate design " + strings.Join(args, " ")
		if err := writeFileAtomic(mdPath, func(w io.Writer) error { return rep.WriteMarkdown(w, command, svgLink) }); err != nil {
			return err
		}
	}
	if format == "text" {
		return rep.WriteText(env.Stdout)
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// loadQuestionnaire reads a questionnaire file, or the shipped standard
// one when path is empty.
func loadQuestionnaire(path string) (*questionnaire.Definition, error) {
	if path == "" {
		return questionnaire.Load(surveys.FS, "wenming-household.yaml")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "cannot read %s: %v", path, pathErr(err))
	}
	def, err := questionnaire.Parse(filepath.Base(path), data)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "%s", path)
	}
	return def, nil
}

// pathErr strips the path from an *os.PathError (the caller names it).
func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, so that a failure leaves any earlier file as it was.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, pathErr(err))
	}
	defer os.Remove(f.Name())
	_ = f.Chmod(0o644) // a data file like any other, not a secret
	if err := write(f); err != nil {
		f.Close()
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return err // already says what is wrong, with its kind
		}
		return apperr.Wrap(apperr.Internal, err, "write %s", path)
	}
	if err := f.Close(); err != nil {
		return apperr.Wrap(apperr.Internal, err, "write %s", path)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return apperr.New(apperr.Invalid, "cannot write %s: %v", path, pathErr(err))
	}
	return nil
}
