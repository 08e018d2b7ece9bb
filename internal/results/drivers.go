package results

import (
	"context"
	"encoding/json"
	"math"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// DriversRequest asks which items drive an outcome.
type DriversRequest struct {
	// Outcome is a rate (or a share in [0, 1]); "" is the questionnaire's
	// satisfaction rate.
	Outcome string
	// Predictors are rate indicators; empty means every rate indicator read
	// from a satisfaction question, other than the outcome.
	Predictors []string
	LonelyPSU  stats.LonelyPSU
	Options    stats.Options
}

// Drivers is a key-driver analysis: a design-based logistic regression of
// the outcome on the item indicators (R svyglm(family = quasibinomial()))
// and, per item, its importance (coefficient) against its performance
// (its estimated rate), for a priority chart: an important item that
// performs poorly is the one to work on first.
type Drivers struct {
	RoundID    int64             `json:"round_id"`
	Outcome    string            `json:"outcome"`
	Regression *stats.Regression `json:"regression"`
	Items      []DriverItem      `json:"items"`
}

// DriverItem is one predictor on the priority chart.
type DriverItem struct {
	Indicator   string             `json:"indicator"`
	Label       questionnaire.Text `json:"label"`
	Importance  float64            `json:"importance"`  // the regression coefficient
	P           float64            `json:"p"`           // its p value
	Performance float64            `json:"performance"` // the item's estimated rate
	Target      *float64           `json:"target,omitempty"`
	// Priority marks items whose importance is above the median of the
	// items and whose performance is below the median (or its target).
	Priority bool `json:"priority"`
}

// KeyDrivers fits the regression of a round's outcome on its items.
func KeyDrivers(ctx context.Context, db *store.DB, roundID int64, req DriversRequest) (Drivers, error) {
	round, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return Drivers{}, err
	}
	def, err := questionnaire.ParseJSON(round.Questionnaire, []byte(round.Definition))
	if err != nil {
		return Drivers{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	outcome := req.Outcome
	if outcome == "" {
		for _, ind := range def.Indicators {
			if ind.Role == questionnaire.RoleSatisfaction {
				outcome = ind.ID
			}
		}
	}
	out := def.Indicator(outcome)
	if out == nil || out.Kind == questionnaire.KindScore {
		return Drivers{}, apperr.WithFields("invalid outcome", map[string]string{"outcome": "a rate indicator of " + round.Questionnaire})
	}
	preds := req.Predictors
	if len(preds) == 0 {
		for _, ind := range def.Indicators {
			if ind.ID == outcome || ind.Kind != questionnaire.KindRate || slices.Contains(out.Of, ind.ID) && out.Kind == questionnaire.KindMean {
				continue
			}
			if q := def.Question(ind.Question); q != nil && q.Type == questionnaire.TypeSatisfaction {
				preds = append(preds, ind.ID)
			}
		}
	}
	if len(preds) == 0 {
		return Drivers{}, apperr.WithFields("no predictors", map[string]string{"predictors": "name the item indicators to explain the outcome with"})
	}
	for _, p := range preds {
		if ind := def.Indicator(p); ind == nil || ind.Kind != questionnaire.KindRate || p == outcome {
			return Drivers{}, apperr.WithFields("invalid predictor", map[string]string{"predictors": p + " is not a rate indicator of " + round.Questionnaire + " other than the outcome"})
		}
	}
	label, err := labeler(ctx, db)
	if err != nil {
		return Drivers{}, err
	}
	rr, err := loadRows(ctx, db, roundID, append([]string{outcome}, preds...), label)
	if err != nil {
		return Drivers{}, err
	}
	rr.design.LonelyPSU = req.LonelyPSU
	reg, err := stats.LogisticRegression(rr.design, &stats.RegressionSample{Stratum: rr.stratum, PSU: rr.psu, Weight: rr.weight,
		Cell: rr.cell, Y: rr.vars[0], X: rr.vars[1:], Names: preds})
	if err != nil {
		return Drivers{}, err
	}
	vars := make([]stats.Variable, len(preds))
	for i, p := range preds {
		vars[i] = stats.Variable{Name: p, Kind: stats.Rate}
	}
	est, err := stats.EstimateSample(rr.design, &stats.Sample{Stratum: rr.stratum, PSU: rr.psu, Weight: rr.weight, Cell: rr.cell, Vars: rr.vars[1:]}, vars, req.Options)
	if err != nil {
		return Drivers{}, err
	}
	d := Drivers{RoundID: roundID, Outcome: outcome, Regression: reg}
	var imp, perf []float64
	for i, p := range preds {
		ind := def.Indicator(p)
		c := reg.Coefficients[i+1]
		item := DriverItem{Indicator: p, Label: ind.Label, Importance: c.Estimate, P: c.P, Target: ind.Target}
		for _, e := range est {
			if e.Variable == p && e.Domain == stats.NoDomain {
				item.Performance = e.Value
			}
		}
		d.Items = append(d.Items, item)
		imp, perf = append(imp, item.Importance), append(perf, item.Performance)
	}
	mi, mp := median(imp), median(perf)
	for i := range d.Items {
		it := &d.Items[i]
		weak := it.Performance < mp
		if it.Target != nil {
			weak = weak || it.Performance < *it.Target
		}
		it.Priority = it.Importance > mi && weak
	}
	return d, nil
}

// MarshalJSON writes numbers that do not exist as null.
func (it DriverItem) MarshalJSON() ([]byte, error) {
	type plain DriverItem
	return json.Marshal(struct {
		plain
		P           *float64 `json:"p"`
		Performance *float64 `json:"performance"`
	}{plain(it), num(it.P), num(it.Performance)})
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
