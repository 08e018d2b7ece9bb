package results

import (
	"context"
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
	label, err := labeler(ctx, db)
	if err != nil {
		return RoundReport{}, err
	}
	rep, err := Estimate(ctx, db, roundID, Request{Variables: vars, By: req.By, LonelyPSU: req.LonelyPSU, Options: req.Options}, label)
	if err != nil {
		return RoundReport{}, err
	}
	for i := range rep.Estimates {
		f := &rep.Estimates[i]
		if met, has := inds[f.Variable].MeetsTarget(f.Value); has && f.N > 0 {
			below := !met
			f.BelowTarget = &below
		}
	}
	return RoundReport{Round: round, Indicators: infos, Report: rep}, nil
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
