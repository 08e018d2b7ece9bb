package weighting

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// respondent is an accepted response entering calibration.
type respondent struct {
	responseID   int64
	street       int64
	answers      questionnaire.Response
	w            float64
	base         float64 // the unit's base weight
	sampleFactor float64 // m / (m + k) after releases for not-eligible households (planUnits)
	class        string  // its non-response class ("" without the adjustment)
	nrFactor     float64 // its class's non-response factor (1 without)
	hhFactor     float64 // the within-household factor (1 for household weights)
	imputed      string  // the calibration answers imputed for it (JSON), "" for none
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
				if len(pop.vars) == 0 { // counts by street alone
					cfg.Margins = [][]string{{Street}}
				}
			}
		}
	}
	// What the weights count: households, unless they are calibrated to
	// counts of people, where the one adult interviewed stands for the
	// household's eligible adults.
	rep.Unit = store.UnitHousehold
	if pop != nil && pop.unit == store.UnitPerson {
		rep.Unit = store.UnitPerson
		if cfg.Adults, err = adultsQuestion(cfg.Adults, def, pop.id); err != nil {
			return Report{}, err
		}
	} else if cfg.Adults != "" {
		return Report{}, apperr.WithFields("no within-household factor for household weights", map[string]string{
			"adults": "the number of adults weights persons: it goes with population counts of people (人数)"})
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
	plans := planUnits(units, cfg.Nonresponse, names)
	for i, p := range plans {
		switch p.role {
		case RoleReplaced:
			rep.Units.Replaced++
			continue
		case RoleRespondent:
			rep.Units.Respondents++
		case RoleNonrespondent:
			rep.Units.Nonrespondents++
		case RoleIneligible:
			rep.Units.Ineligible++
			if units[i].Replacement == "released" {
				rep.Units.IneligibleReplaced++
			}
		default:
			rep.Units.Unknown++
		}
		keep = append(keep, i)
		w = append(w, units[i].BaseWeight*p.sampleFactor)
		class = append(class, classes.ID(p.class))
		status = append(status, p.elig)
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
	factors := map[int32]float64{}
	for c, a := range rep.Classes {
		factors[int32(c)] = a.Factor
	}
	for k, i := range keep {
		if status[k] != stats.Respondent {
			continue
		}
		u := units[i]
		r := respondent{responseID: u.ResponseID, street: u.StreetID, w: adjusted[k], base: u.BaseWeight, sampleFactor: plans[i].sampleFactor, nrFactor: 1, hhFactor: 1}
		if cfg.Nonresponse != "none" {
			r.class, r.nrFactor = classes.Labels()[class[k]], factors[class[k]]
		}
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
	if len(cfg.Missing) > 0 && pop == nil {
		return Report{}, apperr.WithFields("nothing to impute for", map[string]string{"missing": "remedies for missing answers belong to calibration, and the round's frame has no population table"})
	}
	if len(cfg.Missing) > 0 {
		seed := cfg.Seed
		if seed == 0 {
			seed = uint64(roundID)
		}
		if rep.Imputed, err = impute(cfg.Missing, calibrationVars(cfg), def, resp, seed); err != nil {
			return Report{}, err
		}
	}
	if rep.Unit == store.UnitPerson {
		if err := withinHousehold(cfg.Adults, def, resp); err != nil {
			return Report{}, err
		}
		rep.Steps = append(rep.Steps, Step{"within household (× " + cfg.Adults + ", adults)", stats.SummarizeWeights(weightsOf(resp))})
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
	if rep.Trimmed > 0 {
		rep.TrimBreaks = trimBreaks(rep.Check)
	}

	// Store it all in one transaction.
	weights := make([]store.ResponseWeight, len(resp))
	for i, r := range resp {
		calf := 1.0
		if cal != nil {
			calf = cal.Factor(cells[i])
		}
		weights[i] = store.ResponseWeight{ResponseID: r.responseID, Weight: r.w, InputWeight: input[i], Cell: cells[i],
			SampleFactor: r.sampleFactor, NRClass: r.class, NRFactor: r.nrFactor, HHFactor: r.hhFactor, CalFactor: calf, Imputed: r.imputed}
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
	rw := store.RoundWeighting{RoundID: roundID, Config: string(cfgJSON), Calibration: calJSON,
		ReportFor: func(id int64) (string, error) {
			rep.WeightingID = id
			b, err := json.Marshal(rep)
			if err != nil {
				return "", apperr.Wrap(apperr.Internal, err, "weighting report")
			}
			return string(b), nil
		}}
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

// calibrationVars are the variables cfg calibrates on, street among them
// when it is, each once.
func calibrationVars(cfg Config) []string {
	var out []string
	for _, v := range append(slices.Clone(cfg.Variables), slices.Concat(cfg.Margins...)...) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// eligibility classifies an assignment for the adjustment. Not eligible
// comes first: an interview that ended at a screening question (under 18,
// too short a residence) is an accepted response of a household that is
// not in the population (AAPOR NE), not a respondent. An assignment not
// yet final counts as of unknown eligibility.
func eligibility(u store.WeightingUnit) stats.Eligibility {
	switch {
	case u.Category == "NE":
		return stats.Ineligible
	case u.ResponseID != 0:
		return stats.Respondent
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
