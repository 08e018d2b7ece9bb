package results

import (
	"context"
	"maps"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// RoundRequest asks for a round's estimates. The indicators and their kinds
// come from the round's questionnaire version.
type RoundRequest struct {
	// Indicators to estimate, by id; empty means all of the questionnaire's.
	Indicators []string
	By         string // "", "street" or "community"
	LonelyPSU  stats.LonelyPSU
	Options    stats.Options
	// CompareTo, if not 0, is an earlier round: each figure gets its change
	// since then, with an interval (the two rounds are independent samples).
	CompareTo int64
	// Group, if set, is a single-choice question (sex, age group, …) whose
	// answers make respondent groups, crossed with street when By is "street".
	Group string
	// VsStreet, if not 0, is a street: every other street's figure (By
	// "street", or a group crossed with street) gets its difference from
	// that street's figure of the same indicator (and group), with an
	// interval; streets are strata, hence independent samples.
	VsStreet int64
	// Scope is the caller's: a street office's caller gets errors that
	// name nothing outside its street (the figures may still take the
	// whole district, as the district line does).
	Scope store.Scope
	// Variance is the variance estimator (default two stages without
	// replacement; stats.VarianceWR treats PSUs as drawn with replacement).
	Variance stats.Variance
}

// RoundReport is a round's estimates with what an analyst needs beside
// them: the round, each indicator's label and target, and for each figure
// whether it falls short of its target.
type RoundReport struct {
	Round      store.Round     `json:"round"`
	Indicators []IndicatorInfo `json:"indicators"`
	Report
}

// IndicatorInfo describes an estimated indicator.
type IndicatorInfo struct {
	ID     string             `json:"id"`
	Kind   string             `json:"kind"`
	Label  questionnaire.Text `json:"label"`
	Target *float64           `json:"target,omitempty"`
}

// ForRound estimates a round's indicators, labelled with street and
// community names, each figure checked against its indicator's target.
func ForRound(ctx context.Context, db *store.DB, roundID int64, req RoundRequest) (RoundReport, error) {
	rep, err := forRound(ctx, db, roundID, req)
	if err != nil {
		return rep, withinScope(req.Scope, err)
	}
	if req.Scope.StreetID != 0 {
		ownStreetOnly(&rep, req.Scope.StreetID)
	}
	return rep, nil
}

// ownStreetOnly keeps, for a street office, the district figures (of
// respondent groups too) and those of its own street and its communities:
// a street office does not see the other streets' results. The district figures need every street's
// responses, so the whole district is estimated and the rest dropped here.
func ownStreetOnly(rep *RoundReport, street int64) {
	kept := rep.Estimates[:0]
	for _, f := range rep.Estimates {
		if f.StreetID == 0 || f.StreetID == street {
			kept = append(kept, f)
		}
	}
	rep.Estimates = kept
}

func forRound(ctx context.Context, db *store.DB, roundID int64, req RoundRequest) (RoundReport, error) {
	round, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return RoundReport{}, err
	}
	def, err := questionnaire.ParseJSON(round.Questionnaire, []byte(round.Definition))
	if err != nil {
		return RoundReport{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	var (
		vars  []stats.Variable
		infos []IndicatorInfo
		inds  = map[string]*questionnaire.Indicator{}
	)
	for _, ind := range def.Indicators {
		if len(req.Indicators) > 0 && !slices.Contains(req.Indicators, ind.ID) {
			continue
		}
		kind := stats.Mean
		if ind.Kind == questionnaire.KindRate {
			kind = stats.Rate
		}
		vars = append(vars, stats.Variable{Name: ind.ID, Kind: kind})
		infos = append(infos, IndicatorInfo{ID: ind.ID, Kind: string(ind.Kind), Label: ind.Label, Target: ind.Target})
		inds[ind.ID] = ind
	}
	for _, id := range req.Indicators {
		if inds[id] == nil {
			return RoundReport{}, apperr.WithFields("unknown indicator", map[string]string{"indicators": id + " is not an indicator of " + round.Questionnaire})
		}
	}
	// The composite index of the questionnaire, when every indicator it
	// weighs is estimated.
	var composite *stats.Composite
	if c := def.Composite; c != nil {
		weights := make([]float64, len(vars))
		found := 0
		for i, v := range vars {
			if w, ok := c.Weights[v.Name]; ok {
				weights[i] = w
				found++
			}
		}
		if found == len(c.Weights) {
			composite = &stats.Composite{Name: CompositeID, Weights: weights}
			infos = append(infos, IndicatorInfo{ID: CompositeID, Kind: "composite", Label: c.Label, Target: c.Target})
		}
	}
	label, err := labeler(ctx, db)
	if err != nil {
		return RoundReport{}, err
	}
	r := Request{Variables: vars, By: req.By, LonelyPSU: req.LonelyPSU, Options: req.Options, Composite: composite, Group: req.Group, Variance: req.Variance}
	if req.Group != "" {
		r.Composite = nil // a composite by group is not offered
		infos = slices.DeleteFunc(infos, func(i IndicatorInfo) bool { return i.ID == CompositeID })
	}
	rep, err := estimateRound(ctx, db, def, roundID, r, label)
	if err != nil {
		return RoundReport{}, err
	}
	for i := range rep.Estimates {
		f := &rep.Estimates[i]
		met, has := false, false
		if f.Variable == CompositeID {
			met, has = def.Composite.MeetsTarget(f.Value)
		} else {
			met, has = inds[f.Variable].MeetsTarget(f.Value)
		}
		if has && f.N > 0 {
			below := !met
			f.BelowTarget = &below
		}
	}
	if req.VsStreet != 0 {
		if err := vsStreet(req, &rep); err != nil {
			return RoundReport{}, err
		}
	}
	if req.CompareTo != 0 {
		if err := compare(ctx, db, def, req, r, label, &rep); err != nil {
			return RoundReport{}, err
		}
	}
	return RoundReport{Round: round, Indicators: infos, Report: rep}, nil
}

// CompositeID is the variable name of the composite index in a report.
const CompositeID = "composite"

// compare adds to each figure of rep its change since round req.CompareTo,
// estimated with the same request. Only like is compared with like: an
// indicator the earlier round's questionnaire lacks, or defines as another
// kind, gets no change, and the composite only when every component and
// weight is the same.
func compare(ctx context.Context, db *store.DB, def *questionnaire.Definition, req RoundRequest, r Request, label Labeler, rep *Report) error {
	other, err := db.RoundByID(ctx, req.CompareTo)
	if err != nil {
		return err
	}
	odef, err := questionnaire.ParseJSON(other.Questionnaire, []byte(other.Definition))
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", req.CompareTo)
	}
	have, err := db.RoundIndicators(ctx, req.CompareTo)
	if err != nil {
		return err
	}
	var vars []stats.Variable
	var weights []float64
	for i, v := range r.Variables {
		was := odef.Indicator(v.Name)
		if was == nil || was.Kind != def.Indicator(v.Name).Kind || !slices.Contains(have, v.Name) {
			continue
		}
		vars = append(vars, v)
		if r.Composite != nil {
			weights = append(weights, r.Composite.Weights[i])
		}
	}
	if len(vars) == 0 {
		return nil
	}
	prev := Request{Variables: vars, By: r.By, LonelyPSU: r.LonelyPSU, Options: r.Options}
	if r.Composite != nil && len(vars) == len(r.Variables) && odef.Composite != nil && maps.Equal(odef.Composite.Weights, def.Composite.Weights) {
		prev.Composite = &stats.Composite{Name: r.Composite.Name, Weights: weights}
	}
	prev.Group = r.Group
	old, err := estimateRound(ctx, db, odef, req.CompareTo, prev, label)
	if err != nil {
		return err
	}
	type key struct {
		v    string
		s, d int64
		p    bool
	}
	before := map[key]stats.Estimate{}
	for _, f := range old.Estimates {
		before[key{f.Variable, f.StreetID, f.DomainID, f.Domain == stats.NoDomain}] = f.Estimate
	}
	for i := range rep.Estimates {
		f := &rep.Estimates[i]
		if b, ok := before[key{f.Variable, f.StreetID, f.DomainID, f.Domain == stats.NoDomain}]; ok && f.N > 0 && b.N > 0 {
			d := stats.Compare(f.Estimate, b, r.Options.Level)
			f.Change = &d
		}
	}
	return nil
}

// labeler names streets and communities from the database.
func labeler(ctx context.Context, db *store.DB) (Labeler, error) {
	streets, err := db.Streets(ctx)
	if err != nil {
		return nil, err
	}
	comms, err := db.Communities(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]map[int64]string{"street": {}, "community": {}}
	for _, s := range streets {
		names["street"][s.ID] = s.Name
	}
	for _, c := range comms {
		names["community"][c.ID] = c.Name
	}
	return func(kind string, id int64) string { return names[kind][id] }, nil
}

// estimateRound estimates from the per-PSU sums; by respondent group from
// the sums kept for group questions (questionnaire.GroupQuestions), or row
// by row for any other single-choice question (its answers are not in
// response_values).
func estimateRound(ctx context.Context, db *store.DB, def *questionnaire.Definition, roundID int64, r Request, label Labeler) (Report, error) {
	if r.Group == "" {
		return Estimate(ctx, db, roundID, r, label)
	}
	q, err := groupQuestion(def, r.Group)
	if err != nil {
		return Report{}, err
	}
	kept, err := keptGroup(ctx, db, def, roundID, q.Code)
	if err != nil {
		return Report{}, err
	}
	if kept {
		return estimateGroupSums(ctx, db, roundID, q, r, label)
	}
	return estimateGroups(ctx, db, roundID, q, r, label)
}

// vsStreet adds to each street figure its difference from the same figure
// of street req.VsStreet.
func vsStreet(req RoundRequest, rep *Report) error {
	if req.By != "street" {
		return apperr.WithFields("street comparison needs the street breakdown", map[string]string{"vs_street": "use it with by=street"})
	}
	type key struct {
		v string
		d int64
	}
	base := map[key]stats.Estimate{}
	for _, f := range rep.Estimates {
		if f.Domain != stats.NoDomain && f.StreetID == req.VsStreet {
			d := f.DomainID
			if req.Group == "" {
				d = 0
			}
			base[key{f.Variable, d}] = f.Estimate
		}
	}
	if len(base) == 0 {
		return apperr.WithFields("no such street in the round", map[string]string{"vs_street": "the id of a street with responses"})
	}
	for i := range rep.Estimates {
		f := &rep.Estimates[i]
		if f.Domain == stats.NoDomain || f.StreetID == req.VsStreet || f.N == 0 {
			continue
		}
		d := f.DomainID
		if req.Group == "" {
			d = 0
		}
		if b, ok := base[key{f.Variable, d}]; ok && b.N > 0 {
			diff := stats.Compare(f.Estimate, b, req.Options.Level)
			f.VsStreet = &diff
		}
	}
	return nil
}
