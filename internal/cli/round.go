package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

func roundCommand() *Command {
	c := &Command{
		Name:    "round",
		Usage:   "round create|start|close|reopen|list|show|export|weight|resum [flags]",
		Summary: "Run survey rounds: create one on a questionnaire version and a sample, start, close and reopen it, see its progress.",
	}
	state := func(action string) func(ctx context.Context, env *Env, args []string) error {
		return func(ctx context.Context, env *Env, args []string) error { return roundState(ctx, env, args, action) }
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		return runGroup(ctx, env, "round", roundHelp, args,
			action{"create", roundCreate}, action{"start", state("start")}, action{"close", state("close")},
			action{"reopen", state("reopen")}, action{"list", roundList}, action{"show", roundShow}, action{"export", roundExport}, action{"weight", roundWeight}, action{"resum", roundResum})
	}
	return c
}

const roundHelp = `usage:
  minyi round create --name NAME --questionnaire SLUG[@VERSION] --sample NAME [--kind mock|satisfaction|rehearsal|official]
                     [--rule FILE.yaml] [--starts-on YYYY-MM-DD] [--ends-on YYYY-MM-DD]
  minyi round start NAME       planned → fieldwork: tablets may record visits and interviews
  minyi round close NAME       fieldwork → closed: nothing more is accepted (409)
  minyi round reopen NAME      closed → fieldwork again (audited)
  minyi round list
  minyi round show NAME [--by street|community|interviewer]   progress, dispositions and AAPOR response rates
  minyi round export NAME      accepted responses as CSV (response_id, street, community, psu, weight, indicators…)
                               for 'minyi estimate --strata street --cluster psu --weight weight' or R
  minyi round weight NAME [--nonresponse street|community|none] [--calibrate none|poststratify|rake]
                     [--poststrata street*E1*E2] [--margins street*E1,street*E2] [--epsilon E] [--max-iter N]
                     [--trim K] [--population ID] [--again]
                               final weights: non-response adjustment, calibration to population counts
                               ('minyi population import'), trimming at K × median; shows the weighting report
  minyi round resum NAME       rebuild the round's per-PSU sums (what its estimates read) from its responses:
                               for a round with responses from before the sums were kept (audited)

A round gets one assignment per household of its sample's main sample; give
them to interviewers with 'minyi assign'. The rule file sets when a
household counts as a final non-contact and which outcomes release a
reserve household (defaults shown by 'minyi round create --help').
`

func roundCreate(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round create", Usage: "round create --name NAME --questionnaire SLUG[@V] --sample NAME [flags]", Summary: "Create a planned round." + ruleHelp}
	var spec rounds.CreateSpec
	var ruleFile string
	more := func(fs *flag.FlagSet) {
		fs.StringVar(&spec.Name, "name", "", "name of the round, e.g. \"2026Q4 模拟入户\"")
		fs.StringVar(&spec.Questionnaire, "questionnaire", "", "questionnaire slug, optionally @VERSION (default: its newest published version)")
		fs.StringVar(&spec.Sample, "sample", "", "name of the drawn sample to field")
		fs.StringVar(&spec.Kind, "kind", "mock", "mock, satisfaction, rehearsal or official")
		fs.StringVar(&ruleFile, "rule", "", "YAML file of the replacement rule and quality checks (default: the defaults below)")
		fs.StringVar(&spec.StartsOn, "starts-on", "", "first day of fieldwork, YYYY-MM-DD")
		fs.StringVar(&spec.EndsOn, "ends-on", "", "last day of fieldwork, YYYY-MM-DD")
		fs.BoolVar(&spec.Simulated, "simulated", false, "mark the round's data as simulated (minyi simulate round marks it itself)")
	}
	return runWithDB(ctx, env, c, args, "", more, func(db *store.DB, _ string) error {
		if ruleFile != "" {
			b, err := os.ReadFile(ruleFile)
			if err != nil {
				return apperr.New(apperr.Invalid, "round create: cannot read the rule file %s: %v", ruleFile, errors.Unwrap(err))
			}
			rule, err := fieldwork.ParseRuleIn(b, env.zoneName())
			if err != nil {
				return apperr.Wrap(apperr.Invalid, err, "%s: %s", ruleFile, apperr.PublicMessage(err))
			}
			if spec.Rule, err = json.Marshal(rule); err != nil {
				return apperr.Wrap(apperr.Internal, err, "encode rule")
			}
		}
		svc := rounds.New(db)
		svc.Zone = env.zoneName()
		r, err := svc.Create(ctx, rounds.System, spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created round %q (id %d): %s, questionnaire %s version %d, sample %q; status planned\nnext: minyi assign --round %q --interviewer USER --community C, then minyi round start %q\n",
			r.Name, r.ID, r.Kind, r.Questionnaire, r.QuestionnaireVersion, r.Sample, r.Name, r.Name)
		return nil
	})
}

// ruleHelp shows the default rule in the help text.
var ruleHelp = func() string {
	r := fieldwork.DefaultRule()
	return fmt.Sprintf(`

Rule file (YAML), with the defaults:
  attempts: %d          # unsuccessful attempts before a final non-contact
  days: %d              # … on at least this many different days
  evening: %d           # … of which at least this many in the evening
  evening_from: "%s"
  on_non_contact: %t    # which final outcomes release a reserve
  on_refusal: %t
  on_not_eligible: %t
  on_other: %t
  approval: %s   # or automatic
  time_zone: %s   # default: the district's, --timezone
  quality: {min_duration_seconds: %d, gps_max_meters: %g, straight_line_items: %d}`,
		r.Attempts, r.Days, r.Evening, r.EveningFrom, r.OnNonContact, r.OnRefusal, r.OnNotEligible, r.OnOther,
		r.Approval, r.TimeZone, r.Quality.MinDurationSeconds, r.Quality.GPSMaxMeters, r.Quality.StraightLineItems)
}()

func roundState(ctx context.Context, env *Env, args []string, action string) error {
	c := &Command{Name: "round " + action, Usage: "round " + action + " NAME", Summary: "Change a round's state."}
	return runWithDB(ctx, env, c, args, "round", nil, func(db *store.DB, name string) error {
		svc := rounds.New(db)
		r, err := svc.RoundByRef(ctx, name)
		if err != nil {
			return err
		}
		if r, err = svc.SetState(ctx, rounds.System, r.ID, action); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "round %q is now %s\n", r.Name, r.Status)
		return nil
	})
}

func roundList(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round list", Usage: "round list", Summary: "List rounds."}
	return runWithDB(ctx, env, c, args, "", nil, func(db *store.DB, _ string) error {
		rs, err := rounds.New(db).Rounds(ctx, rounds.System)
		if err != nil {
			return err
		}
		tw := newTable(env.Stdout)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tSTATUS\tDATA\tQUESTIONNAIRE\tSAMPLE")
		for _, r := range rs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s@%d\t%s\n", r.ID, r.Name, r.Kind, r.Status, dataOf(r.Simulated), r.Questionnaire, r.QuestionnaireVersion, r.Sample)
		}
		return tw.Flush()
	})
}

func roundShow(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round show", Usage: "round show NAME [--by street|community|interviewer]", Summary: "A round's progress and response rates."}
	var by string
	more := func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "street", "group by street, community or interviewer")
	}
	return runWithDB(ctx, env, c, args, "round", more, func(db *store.DB, name string) error {
		svc := rounds.New(db)
		r, err := svc.RoundByRef(ctx, name)
		if err != nil {
			return err
		}
		p, err := svc.Progress(ctx, rounds.System, r.ID, by)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "round %q (id %d): %s, %s, questionnaire %s@%d, sample %q\n",
			r.Name, r.ID, r.Kind, r.Status, r.Questionnaire, r.QuestionnaireVersion, r.Sample)
		if r.Simulated {
			fmt.Fprintln(env.Stdout, "SIMULATED DATA: its visits and answers come from minyi simulate round, not from fieldwork")
		}
		fmt.Fprintln(env.Stdout)
		return printProgress(env.Stdout, p)
	})
}

// dataOf says in a listing whose data a round holds.
func dataOf(simulated bool) string {
	if simulated {
		return "simulated"
	}
	return "fieldwork"
}

func roundExport(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round export", Usage: "round export NAME", Summary: "A round's accepted responses as CSV."}
	return runWithDB(ctx, env, c, args, "round", nil, func(db *store.DB, name string) error {
		r, err := rounds.New(db).RoundByRef(ctx, name)
		if err != nil {
			return err
		}
		return results.WriteRoundData(ctx, db, r.ID, store.Scope{}, env.Stdout)
	})
}

func roundResum(ctx context.Context, env *Env, args []string) error {
	c := &Command{Name: "round resum", Usage: "round resum NAME", Summary: "Rebuild a round's per-PSU sums from its responses."}
	return runWithDB(ctx, env, c, args, "round", nil, func(db *store.DB, name string) error {
		r, err := rounds.New(db).RoundByRef(ctx, name)
		if err != nil {
			return err
		}
		if err := results.Resum(ctx, db, store.CLI, r.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "round %q: per-PSU sums rebuilt from its responses\n", r.Name)
		return nil
	})
}

// printProgress writes a progress table: dispositions by AAPOR class and
// the response rates, per group and in total.
func printProgress(w io.Writer, p rounds.Progress) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "%s\tHOUSEHOLDS\tVISITS\tI\tP\tR\tNC\tO\tUH\tNE\tPENDING\tRR1\tRR3\tCOOP1\tREF1\tCON1\n", strings.ToUpper(p.By))
	row := func(g rounds.ProgressGroup) {
		name := g.Name
		if name == "" {
			name = "(unassigned)"
		}
		c, r := g.Counts, g.Rates
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", name, g.Assignments, g.Visits,
			c.I, c.P, c.R, c.NC, c.O, c.UH, c.NE, c.Pending, pct(r.RR1), pct(r.RR3), pct(r.COOP1), pct(r.REF1), pct(r.CON1))
	}
	for _, g := range p.Groups {
		row(g)
	}
	p.Total.Name = "total"
	row(p.Total)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nI complete, P partial, R refusal, NC non-contact, O other, UH unknown eligibility, NE not eligible (AAPOR); pending households are in no rate.")
	return err
}

func pct(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100**x)
}

func assignCommand() *Command {
	c := &Command{
		Name:    "assign",
		Usage:   "assign --round NAME --interviewer USER (--community C | --street S | --units FILE)",
		Summary: "Give a round's sampled households to an interviewer of their street: a community, a street, or the households listed in a file.",
	}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		var roundName, interviewer, community, street, units string
		more := func(fs *flag.FlagSet) {
			fs.StringVar(&roundName, "round", "", "name of the round")
			fs.StringVar(&interviewer, "interviewer", "", "username of an interviewer of the households' street")
			fs.StringVar(&community, "community", "", "every household of this community (name or code; 街道/社区 when the name is ambiguous)")
			fs.StringVar(&street, "street", "", "every household of this street (name or code)")
			fs.StringVar(&units, "units", "", "CSV of households as 'minyi sample export' writes them (street, community, building, household)")
		}
		return runWithDB(ctx, env, c, args, "", more, func(db *store.DB, _ string) error {
			n := 0
			for _, v := range []string{community, street, units} {
				if v != "" {
					n++
				}
			}
			problems := map[string]string{}
			if roundName == "" {
				problems["--round"] = "required"
			}
			if interviewer == "" {
				problems["--interviewer"] = "required"
			}
			if n != 1 {
				problems["--community/--street/--units"] = "give exactly one"
			}
			if len(problems) > 0 {
				return apperr.WithFields("assign: invalid flags", problems)
			}
			svc := rounds.New(db)
			r, err := svc.RoundByRef(ctx, roundName)
			if err != nil {
				return err
			}
			req := rounds.AssignRequest{Interviewer: interviewer}
			switch {
			case street != "":
				st, err := db.StreetByName(ctx, street)
				if err != nil {
					return err
				}
				req.StreetID = st.ID
			case community != "":
				if req.CommunityID, err = findCommunity(ctx, db, community); err != nil {
					return err
				}
			default:
				if req.AssignmentIDs, err = unitsFile(ctx, svc, r.ID, units); err != nil {
					return err
				}
			}
			res, err := svc.Assign(ctx, rounds.System, r.ID, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "gave %d households of round %q to %s\n", res.Assigned, r.Name, res.Interviewer)
			return nil
		})
	}
	return c
}

// findCommunity resolves a community by name or code, or 街道/社区 when
// several streets have a community of that name.
func findCommunity(ctx context.Context, db *store.DB, ref string) (int64, error) {
	streetName, name, qualified := strings.Cut(ref, "/")
	if !qualified {
		name = ref
	}
	cs, err := db.Communities(ctx)
	if err != nil {
		return 0, err
	}
	var streetID int64
	if qualified {
		st, err := db.StreetByName(ctx, streetName)
		if err != nil {
			return 0, err
		}
		streetID = st.ID
	}
	var found []store.Community
	for _, c := range cs {
		if (c.Name == name || c.Code == name) && (streetID == 0 || c.StreetID == streetID) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return 0, apperr.New(apperr.NotFound, "community %q not found", ref)
	case 1:
		return found[0].ID, nil
	}
	return 0, apperr.New(apperr.Invalid, "%d streets have a community %q: write 街道/社区", len(found), name)
}

// unitsFile reads the households to assign from a CSV with the columns of
// 'minyi sample export' and returns their assignments in the round; a
// household that is not in the round is an error naming its line.
func unitsFile(ctx context.Context, svc *rounds.Service, roundID int64, path string) ([]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "assign: cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	as, err := svc.Assignments(ctx, rounds.System, roundID, store.AssignmentFilter{})
	if err != nil {
		return nil, err
	}
	key := func(street, community, building, household string) string {
		return street + "\x00" + community + "\x00" + building + "\x00" + household
	}
	byKey := make(map[string]int64, len(as))
	for _, a := range as {
		byKey[key(a.Street, a.Community, a.Building, a.Household)] = a.ID
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%s: no header line", path)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, need := range []string{"street", "community", "building", "household"} {
		if _, ok := col[need]; !ok {
			return nil, apperr.New(apperr.Invalid, "%s: the header needs the columns street, community, building and household (as 'minyi sample export' writes them)", path)
		}
	}
	var ids []int64
	var problems []string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "%s:%d: %v", path, line, err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimPrefix(rec[i], "'") // undo the export's formula defusing
			}
			return ""
		}
		if get("street") == "" && get("household") == "" {
			continue
		}
		id, ok := byKey[key(get("street"), get("community"), get("building"), get("household"))]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s:%d: household %s %s %s %s is not in this round (a reserve not released?)", path, line, get("street"), get("community"), get("building"), get("household")))
			continue
		}
		ids = append(ids, id)
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("… and %d more", len(problems)-10))
		}
		return nil, apperr.New(apperr.Invalid, "nothing was assigned:\n%s", strings.Join(problems, "\n"))
	}
	if len(ids) == 0 {
		return nil, apperr.New(apperr.Invalid, "%s lists no households", path)
	}
	return ids, nil
}
