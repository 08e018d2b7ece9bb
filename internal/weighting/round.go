package weighting

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/population"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// Street is the name of the street variable in post-strata and margins.
const Street = "street"

// Config is the weighting of a round.
type Config struct {
	// Nonresponse is the weighting class of the non-response adjustment:
	// "street" (default), "community" or "none".
	Nonresponse string `json:"nonresponse"`
	// Calibration is "none", "poststratify" or "rake"; "" means rake to
	// street × each variable of the population table when one exists.
	Calibration string `json:"calibration"`
	// Variables define the post-strata (e.g. street, E1, E2).
	Variables []string `json:"variables,omitempty"`
	// Margins are the raking margins, each a list of variables.
	Margins [][]string `json:"margins,omitempty"`
	// Epsilon and MaxIter control raking as R's rake(control=): a change
	// below Epsilon (relative to the total when < 1; R's default 1) stops
	// it; more than MaxIter passes (default 10) is an error.
	Epsilon float64 `json:"epsilon,omitempty"`
	MaxIter int     `json:"max_iter,omitempty"`
	// Trim caps weights at Trim × the median weight; 0 does not trim.
	Trim float64 `json:"trim,omitempty"`
	// Population is the population table; 0: the newest of the round's frame.
	Population int64 `json:"population,omitempty"`
}

// Ranges of the numeric settings.
const (
	MinTrim, MaxTrim = 1.0, 100.0
	MaxEpsilon       = 1e9
	MaxIterations    = 1000
)

// ParseVariables reads "street*E1*E2" (also "street,E1,E2").
func ParseVariables(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '*' || r == ',' || r == '×' || r == ' ' }) {
		out = append(out, p)
	}
	return out
}

// ParseMargins reads "street*E1,street*E2" (margins separated by ',' or
// ';', variables within one by '*').
func ParseMargins(s string) [][]string {
	var out [][]string
	for _, m := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if v := ParseVariables(strings.ReplaceAll(m, ",", "")); len(v) > 0 {
			out = append(out, v)
		}
	}
	return out
}

// check validates the settings that need no database.
func (c *Config) check() error {
	f := map[string]string{}
	switch c.Nonresponse {
	case "":
		c.Nonresponse = Street
	case Street, "community", "none":
	default:
		f["nonresponse"] = "street, community or none"
	}
	switch c.Calibration {
	case "", "none":
	case "poststratify":
		if len(c.Variables) == 0 {
			f["variables"] = "name the post-stratification variables, e.g. street*E1*E2"
		}
	case "rake":
		if len(c.Margins) == 0 {
			f["margins"] = "name the raking margins, e.g. street*E1,street*E2"
		}
	default:
		f["calibration"] = "none, poststratify or rake"
	}
	if c.Trim != 0 && !(c.Trim >= MinTrim && c.Trim <= MaxTrim) {
		f["trim"] = fmt.Sprintf("0 (no trimming) or a multiple of the median weight from %g to %g", MinTrim, MaxTrim)
	}
	if !(c.Epsilon >= 0 && c.Epsilon <= MaxEpsilon) {
		f["epsilon"] = fmt.Sprintf("a tolerance from 0 to %g (below 1: relative to the total weight)", MaxEpsilon)
	}
	if c.MaxIter < 0 || c.MaxIter > MaxIterations {
		f["max_iter"] = fmt.Sprintf("an iteration cap from 1 to %d (0: R's default 10)", MaxIterations)
	}
	if c.Population < 0 {
		f["population"] = "a population table id"
	}
	if len(f) > 0 {
		return apperr.WithFields("invalid weighting settings", f)
	}
	return nil
}

// Report describes a weighting run.
type Report struct {
	RoundID     int64  `json:"round_id"`
	Round       string `json:"round"`
	WeightingID int64  `json:"weighting_id"`
	Config      Config `json:"config"`
	Units       Units  `json:"units"`
	// Classes are the non-response adjustment's classes.
	Classes []Class `json:"classes,omitempty"`
	// Steps summarise the respondents' weights after each step.
	Steps []Step `json:"steps"`
	// Passes is the number of raking passes.
	Passes int `json:"raking_passes,omitempty"`
	// TrimCap is the cap of trimming and Trimmed the weights it cut.
	TrimCap float64 `json:"trim_cap,omitempty"`
	Trimmed int     `json:"trimmed,omitempty"`
	// Check compares the final weighted counts with the population.
	Check []MarginCheck `json:"calibration_check,omitempty"`
}

// Units counts the round's assignments by what they are to the adjustment.
type Units struct {
	Respondents    int `json:"respondents"`
	Nonrespondents int `json:"nonrespondents"`
	Ineligible     int `json:"ineligible"`
	Unknown        int `json:"unknown_eligibility"`
	Replaced       int `json:"replaced"`
}

// Class is a weighting class with its adjustment.
type Class struct {
	Name string `json:"name"`
	stats.ClassAdjustment
}

// Step is the weights after one step.
type Step struct {
	Name    string              `json:"step"`
	Weights stats.WeightSummary `json:"weights"`
}

// MarginCheck compares weighted counts with population counts.
type MarginCheck struct {
	Margin     string       `json:"margin"`
	Levels     []LevelCheck `json:"levels"`
	MaxAbsDiff float64      `json:"max_abs_diff"`
}

// LevelCheck is one level of a margin.
type LevelCheck struct {
	Level      string  `json:"level"`
	Population float64 `json:"population"`
	Weighted   float64 `json:"weighted"`
}

// respondent is an accepted response entering calibration.
type respondent struct {
	responseID int64
	street     int64
	answers    questionnaire.Response
	w          float64
}

// Weigh runs the weighting of a round and stores the final weights. Any
// problem is an error before anything is written: the round's weights are
// then unchanged.
func Weigh(ctx context.Context, db *store.DB, roundID int64, cfg Config, by store.Actor) (Report, error) {
	if err := cfg.check(); err != nil {
		return Report{}, err
	}
	info, err := db.RoundInfoByID(ctx, roundID)
	if err != nil {
		return Report{}, err
	}
	def, err := questionnaire.ParseJSON(info.Questionnaire+".json", []byte(info.Definition))
	if err != nil {
		return Report{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	rep := Report{RoundID: roundID, Round: info.Name}
	names, err := placeNames(ctx, db)
	if err != nil {
		return Report{}, err
	}

	// The population table, when calibrating (or when the default is).
	var pop *popTable
	if cfg.Calibration != "none" {
		pop, err = loadPopulation(ctx, db, info, cfg.Population, cfg.Calibration != "")
		if err != nil {
			return Report{}, err
		}
		if pop == nil {
			cfg.Calibration = "none"
		} else {
			cfg.Population = pop.id
			if cfg.Calibration == "" {
				cfg.Calibration = "rake"
				for _, v := range pop.vars {
					cfg.Margins = append(cfg.Margins, []string{Street, v})
				}
			}
		}
	}
	rep.Config = cfg

	// 1–2. Base weights and the non-response adjustment.
	units, err := db.WeightingUnits(ctx, roundID)
	if err != nil {
		return Report{}, err
	}
	var (
		w      []float64
		class  []int32
		status []stats.Eligibility
		keep   []int // index into units
	)
	classes := stats.NewIndex()
	for i, u := range units {
		if u.Replacement == "released" && u.ResponseID == 0 {
			// Its replacement carries its weight. (An interview accepted
			// after the release still counts as a response.)
			rep.Units.Replaced++
			continue
		}
		st := eligibility(u)
		switch st {
		case stats.Respondent:
			rep.Units.Respondents++
		case stats.Nonrespondent:
			rep.Units.Nonrespondents++
		case stats.Ineligible:
			rep.Units.Ineligible++
		default:
			rep.Units.Unknown++
		}
		var key string
		switch cfg.Nonresponse {
		case Street:
			key = names.street[u.StreetID]
		case "community":
			key = names.street[u.StreetID] + " " + names.community[u.CommunityID]
		default:
			key = "all"
		}
		keep = append(keep, i)
		w = append(w, u.BaseWeight)
		class = append(class, classes.ID(key))
		status = append(status, st)
	}
	if rep.Units.Respondents == 0 {
		return Report{}, apperr.New(apperr.Invalid, "round %q has no accepted responses to weight", info.Name)
	}
	var resp []respondent
	base := make([]float64, 0, rep.Units.Respondents)
	adjusted := w
	if cfg.Nonresponse != "none" {
		var cls []stats.ClassAdjustment
		adjusted, cls, err = stats.AdjustNonresponseEligibility(w, class, status, func(c int32) string { return classes.Labels()[c] })
		if err != nil {
			return Report{}, err
		}
		for c, a := range cls {
			rep.Classes = append(rep.Classes, Class{Name: classes.Labels()[c], ClassAdjustment: a})
		}
	}
	for k, i := range keep {
		if status[k] != stats.Respondent {
			continue
		}
		u := units[i]
		r := respondent{responseID: u.ResponseID, street: u.StreetID, w: adjusted[k]}
		if cfg.Calibration != "none" {
			if r.answers, err = questionnaire.ParseResponse([]byte(u.Answers)); err != nil {
				return Report{}, apperr.Wrap(apperr.Internal, err, "answers of response %d", u.ResponseID)
			}
		}
		resp = append(resp, r)
		base = append(base, w[k])
	}
	rep.Steps = append(rep.Steps, Step{"base", stats.SummarizeWeights(base)})
	if cfg.Nonresponse != "none" {
		rep.Steps = append(rep.Steps, Step{"nonresponse (" + cfg.Nonresponse + ")", stats.SummarizeWeights(weightsOf(resp))})
	}

	// 3. Calibration.
	input := weightsOf(resp)
	cells := make([]int32, len(resp))
	for i := range cells {
		cells[i] = -1
	}
	var cal *stats.Calibration
	var checks []margin
	if cfg.Calibration != "none" {
		cal, checks, err = calibrate(cfg, pop, def, names, resp, cells)
		if err != nil {
			return Report{}, err
		}
		final := weightsOf(resp)
		if err := cal.Reweight(final, cells); err != nil {
			return Report{}, err
		}
		for i := range resp {
			resp[i].w = final[i]
		}
		rep.Passes = cal.Passes()
		rep.Steps = append(rep.Steps, Step{cfg.Calibration, stats.SummarizeWeights(final)})
	}

	// 4. Trimming.
	if cfg.Trim > 0 {
		ws := weightsOf(resp)
		rep.TrimCap = cfg.Trim * median(ws)
		for _, x := range ws {
			if x > rep.TrimCap {
				rep.Trimmed++
			}
		}
		trimmed, _, err := stats.TrimWeights(ws, math.Inf(-1), rep.TrimCap, true)
		if err != nil {
			return Report{}, err
		}
		for i := range resp {
			resp[i].w = trimmed[i]
		}
		rep.Steps = append(rep.Steps, Step{fmt.Sprintf("trim (%g × median)", cfg.Trim), stats.SummarizeWeights(trimmed)})
	}
	for _, m := range checks {
		rep.Check = append(rep.Check, m.check(resp, cells))
	}

	// Store it all in one transaction.
	weights := make([]store.ResponseWeight, len(resp))
	for i, r := range resp {
		weights[i] = store.ResponseWeight{ResponseID: r.responseID, Weight: r.w, InputWeight: input[i], Cell: cells[i]}
	}
	cfgJSON, _ := json.Marshal(cfg)
	calJSON := ""
	if cal != nil {
		b, err := json.Marshal(cal)
		if err != nil {
			return Report{}, apperr.Wrap(apperr.Internal, err, "calibration")
		}
		calJSON = string(b)
	}
	repJSON, _ := json.Marshal(rep)
	rw := store.RoundWeighting{RoundID: roundID, Config: string(cfgJSON), Report: string(repJSON), Calibration: calJSON}
	if pop != nil {
		rw.PopulationID = sql.NullInt64{Int64: pop.id, Valid: true}
	}
	final := rep.Steps[len(rep.Steps)-1].Weights
	detail := map[string]any{"config": cfg, "respondents": len(resp), "sum": final.Sum, "deff_kish": final.Deff}
	if rep.WeightingID, err = db.SaveWeights(ctx, by, rw, weights, detail); err != nil {
		return Report{}, err
	}
	return rep, nil
}

// eligibility classifies an assignment for the adjustment. An assignment
// not yet final counts as of unknown eligibility.
func eligibility(u store.WeightingUnit) stats.Eligibility {
	switch {
	case u.ResponseID != 0:
		return stats.Respondent
	case u.Category == "NE":
		return stats.Ineligible
	case u.Category == "UH" || u.Category == "":
		return stats.Unknown
	}
	return stats.Nonrespondent
}

func weightsOf(rs []respondent) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.w
	}
	return out
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// names holds street and community names.
type names struct {
	street, community map[int64]string
}

func placeNames(ctx context.Context, db *store.DB) (names, error) {
	n := names{street: map[int64]string{}, community: map[int64]string{}}
	ss, err := db.Streets(ctx)
	if err != nil {
		return n, err
	}
	for _, s := range ss {
		n.street[s.ID] = s.Name
	}
	cs, err := db.Communities(ctx)
	if err != nil {
		return n, err
	}
	for _, c := range cs {
		n.community[c.ID] = c.Name
	}
	return n, nil
}

// popTable is a population table in memory.
type popTable struct {
	id     int64
	vars   []string
	counts []popCount
}

type popCount struct {
	street int64
	codes  []int
	count  float64
}

// loadPopulation loads table id, or the newest of the round's frame; with
// required unset, no table at all is not an error.
func loadPopulation(ctx context.Context, db *store.DB, info store.RoundInfo, id int64, required bool) (*popTable, error) {
	var p store.Population
	var err error
	if id != 0 {
		p, err = db.PopulationByID(ctx, id)
	} else {
		var s store.Sample
		if s, err = db.SampleByName(ctx, info.Sample); err != nil {
			return nil, err
		}
		var fr store.Frame
		if fr, err = db.FrameByVersion(ctx, s.FrameVersion); err != nil {
			return nil, err
		}
		p, err = db.LatestPopulation(ctx, fr.ID)
		if apperr.Is(err, apperr.NotFound) && !required {
			return nil, nil
		}
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.PopulationCounts(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	t := &popTable{id: p.ID, vars: p.Variables}
	for _, r := range rows {
		codes, err := population.ParseCell(r.Cell)
		if err != nil || len(codes) != len(p.Variables) {
			return nil, apperr.New(apperr.Internal, "population %d: cell %q", p.ID, r.Cell)
		}
		t.counts = append(t.counts, popCount{street: r.StreetID, codes: codes, count: r.Count})
	}
	return t, nil
}

// margin is a set of variables with its population counts by level key.
type margin struct {
	vars   []string
	label  string
	levels []string // level keys, in population order
	pop    map[string]float64
	name   func(key string) string
}

func (m margin) check(rs []respondent, cells []int32) MarginCheck {
	_ = cells
	got := map[string]float64{}
	for _, r := range rs {
		k, _ := keyOf(m.vars, r)
		got[k] += r.w
	}
	mc := MarginCheck{Margin: m.label}
	for _, k := range m.levels {
		lc := LevelCheck{Level: m.name(k), Population: m.pop[k], Weighted: got[k]}
		mc.MaxAbsDiff = max(mc.MaxAbsDiff, math.Abs(lc.Weighted-lc.Population))
		mc.Levels = append(mc.Levels, lc)
	}
	return mc
}

// keyOf is a respondent's level of vars: the street id and option codes,
// joined; ok is false when an answer is missing or not a category.
func keyOf(vars []string, r respondent) (string, bool) {
	var b strings.Builder
	for i, v := range vars {
		if i > 0 {
			b.WriteByte('|')
		}
		if v == Street {
			b.WriteString(strconv.FormatInt(r.street, 10))
			continue
		}
		a, ok := r.answers[v]
		if !ok || a.Kind != questionnaire.AnswerNumber {
			return "", false
		}
		b.WriteString(strconv.Itoa(a.Number))
	}
	return b.String(), true
}

// newMargin sums the population over everything but vars.
func newMargin(vars []string, pop *popTable, def *questionnaire.Definition, n names) (margin, error) {
	m := margin{vars: vars, label: strings.Join(vars, " × "), pop: map[string]float64{}}
	pos := make([]int, len(vars))
	for i, v := range vars {
		pos[i] = -2
		if v == Street {
			pos[i] = -1
			continue
		}
		for j, pv := range pop.vars {
			if pv == v {
				pos[i] = j
			}
		}
		if pos[i] == -2 {
			return m, apperr.WithFields("unknown weighting variable", map[string]string{"variables": fmt.Sprintf("%s is not a variable of population table %d (street, %s)", v, pop.id, strings.Join(pop.vars, ", "))})
		}
		if q := def.Question(v); q == nil {
			return m, apperr.WithFields("unknown weighting variable", map[string]string{"variables": v + " is not a question of the round's questionnaire"})
		}
	}
	for _, c := range pop.counts {
		var b strings.Builder
		for i, p := range pos {
			if i > 0 {
				b.WriteByte('|')
			}
			if p == -1 {
				b.WriteString(strconv.FormatInt(c.street, 10))
			} else {
				b.WriteString(strconv.Itoa(c.codes[p]))
			}
		}
		k := b.String()
		if _, ok := m.pop[k]; !ok {
			m.levels = append(m.levels, k)
		}
		m.pop[k] += c.count
	}
	m.name = func(key string) string {
		parts := strings.Split(key, "|")
		for i, v := range vars {
			if i >= len(parts) {
				break
			}
			if v == Street {
				id, _ := strconv.ParseInt(parts[i], 10, 64)
				parts[i] = n.street[id]
				continue
			}
			code, _ := strconv.Atoi(parts[i])
			label := parts[i]
			if q := def.Question(v); q != nil {
				if o := q.Option(code); o != nil {
					label = o.Label["zh-CN"]
				}
			}
			parts[i] = v + "=" + label
		}
		return strings.Join(parts, " × ")
	}
	return m, nil
}

// calibrate post-stratifies or rakes the respondents' weights: it fills
// cells with each respondent's calibration cell and returns the
// calibration and the margins to check. Every mismatch between the sample
// and the population is listed in one error.
func calibrate(cfg Config, pop *popTable, def *questionnaire.Definition, n names, rs []respondent, cells []int32) (*stats.Calibration, []margin, error) {
	var groups [][]string
	if cfg.Calibration == "poststratify" {
		groups = [][]string{cfg.Variables}
	} else {
		groups = cfg.Margins
	}
	var ms []margin
	var all []string
	for _, g := range groups {
		m, err := newMargin(g, pop, def, n)
		if err != nil {
			return nil, nil, err
		}
		ms = append(ms, m)
		for _, v := range g {
			if !slices.Contains(all, v) {
				all = append(all, v)
			}
		}
	}
	// Respondents without a category of a variable cannot be calibrated.
	var problems []string
	missing := 0
	joint := stats.NewIndex()
	for i, r := range rs {
		k, ok := keyOf(all, r)
		if !ok {
			missing++
			if len(problems) < 10 {
				problems = append(problems, fmt.Sprintf("response %d has no category of %s", r.responseID, strings.Join(all, ", ")))
			}
			continue
		}
		cells[i] = joint.ID(k)
	}
	if missing > 0 {
		return nil, nil, apperr.New(apperr.Invalid, "%d responses cannot be calibrated (a refused or missing answer): %s; impute or merge the category, or calibrate on other variables", missing, strings.Join(problems, "; "))
	}
	cellW := make([]float64, joint.Len())
	cellKey := joint.Labels()
	for i, r := range rs {
		cellW[cells[i]] += r.w
	}
	// Each margin's level of each cell, and the levels on either side only.
	var sm []stats.Margin
	var mismatch []string
	for _, m := range ms {
		idx := map[string]int32{}
		for i, k := range m.levels {
			idx[k] = int32(i)
		}
		sample := map[string]bool{}
		level := make([]int32, len(cellKey))
		for g, ck := range cellKey {
			mk := project(ck, all, m.vars)
			sample[mk] = true
			l, ok := idx[mk]
			if !ok || m.pop[mk] == 0 {
				if !slices.Contains(mismatch, m.name(mk)+": responses but no population") {
					mismatch = append(mismatch, m.name(mk)+": responses but no population")
				}
				l = 0
			}
			level[g] = l
		}
		popv := make([]float64, len(m.levels))
		for i, k := range m.levels {
			popv[i] = m.pop[k]
			if !sample[k] && m.pop[k] > 0 {
				mismatch = append(mismatch, fmt.Sprintf("%s: population %g but no responses (an empty cell)", m.name(k), m.pop[k]))
			}
		}
		sm = append(sm, stats.Margin{Name: m.label, Level: level, Population: popv})
	}
	if len(mismatch) > 0 {
		more := ""
		if len(mismatch) > 20 {
			more = fmt.Sprintf("; … and %d more", len(mismatch)-20)
			mismatch = mismatch[:20]
		}
		return nil, nil, apperr.New(apperr.Invalid, "the sample and the population counts do not match: %s%s; merge categories or calibrate on fewer variables", strings.Join(mismatch, "; "), more)
	}
	if cfg.Calibration == "poststratify" {
		// Cells are the post-strata themselves.
		m := sm[0]
		popv := make([]float64, len(cellKey))
		for g := range cellKey {
			popv[g] = m.Population[m.Level[g]]
		}
		c, err := stats.PostStratify(cellW, popv)
		return c, ms, err
	}
	c, err := stats.Rake(cellW, sm, stats.RakeOptions{Epsilon: cfg.Epsilon, MaxIter: cfg.MaxIter})
	return c, ms, err
}

// project keeps the parts of a key over from that belong to vars.
func project(key string, from, vars []string) string {
	parts := strings.Split(key, "|")
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = parts[slices.Index(from, v)]
	}
	return strings.Join(out, "|")
}

// LastConfig returns the settings of the weighting in force for a round,
// to run it again (after late responses, or new population counts with
// Population reset to 0).
func LastConfig(ctx context.Context, db *store.DB, roundID int64) (Config, error) {
	w, err := db.LatestWeighting(ctx, roundID)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal([]byte(w.Config), &c); err != nil {
		return Config{}, apperr.Wrap(apperr.Internal, err, "weighting %d settings", w.ID)
	}
	return c, nil
}
