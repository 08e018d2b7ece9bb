// Package results computes a round's estimates from the database and
// writes its exports. The estimates read per-PSU sums of every indicator
// that the submission, review and weighting transactions keep up to date
// (store.RoundSums; for respondent groups too, see
// questionnaire.GroupQuestions), and package stats finishes the
// design-based variance in Go: the cost grows with PSUs × domains, not with
// responses. A round whose sums are stale (responses from before they were
// kept) is summed from its rows in one GROUP BY (store.RoundAggregates)
// until 'minyi round resum'. The exports (responses, summary, codebook, the
// R bundle) are written through package export.
package results

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"sort"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// Request says what to estimate for a round.
type Request struct {
	// Variables are the indicators to estimate, with their kind (a 0/1
	// rate, or a mean such as a score); at least one.
	Variables []stats.Variable
	// By is the breakdown: "" (district only), "street" or "community".
	By        string
	LonelyPSU stats.LonelyPSU
	Options   stats.Options
	// Composite, if set, is also estimated (its weights follow Variables).
	Composite *stats.Composite
	// Group, if set, is a single-choice question whose answers make the
	// domains (respondent groups), crossed with street when By is "street".
	Group string
	// Variance is the variance estimator: without replacement in two
	// stages (the zero value, see psuProbs) or with replacement.
	Variance stats.Variance
}

// Figure is one estimate of a report, with its domain's id and label.
// RoundCI is the interval of a round's rates wherever minyi shows or
// exports them (dashboard, report, API, exports, simulate design): the
// arcsine interval, R's svyciprop(method = "asin"), which covers 95 % on
// the simulated districts where the logit one, the engine's default,
// over-covers with few communities a street
// (docs/simulation/issue25-coverage.md). ?ci= asks for another.
const RoundCI = stats.CIAsin

type Figure struct {
	stats.Estimate
	DomainID    int64
	DomainLabel string
	// StreetID is the street the domain lies in (the domain itself when
	// the breakdown is by street); 0 for district figures.
	StreetID int64
	// BelowTarget is set when the indicator has a target: whether the
	// estimate falls short of it.
	BelowTarget *bool
	// Change is the difference from the same figure of an earlier round,
	// when one was asked for and has it.
	Change *stats.Difference
	// VsStreet is the difference from the same figure of another street
	// (RoundRequest.VsStreet); streets are strata, so independent samples.
	VsStreet *stats.Difference
}

// change is the JSON form of a stats.Difference.
type change struct {
	Estimate *float64 `json:"estimate"`
	SE       *float64 `json:"se"`
	DF       *float64 `json:"df"`
	CILow    *float64 `json:"ci_low"`
	CIHigh   *float64 `json:"ci_high"`
}

// MarshalJSON writes a figure with snake_case names and null for numbers
// that do not exist (NaN), which JSON cannot carry.
func (f Figure) MarshalJSON() ([]byte, error) {
	num := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	out := struct {
		Variable   string   `json:"variable"`
		Kind       string   `json:"kind"`
		DomainID   *int64   `json:"domain_id"`
		Domain     *string  `json:"domain"`
		Estimate   *float64 `json:"estimate"`
		SE         *float64 `json:"se"`
		CILow      *float64 `json:"ci_low"`
		CIHigh     *float64 `json:"ci_high"`
		DF         int      `json:"df"`
		Deff       *float64 `json:"deff"`
		EffectiveN *float64 `json:"effective_n"`
		N          int64    `json:"n"`
		SumW       float64  `json:"sum_w"`
		Small      bool     `json:"small"`
		Below      *bool    `json:"below_target,omitempty"`
		Change     *change  `json:"change,omitempty"`
		VsStreet   *change  `json:"vs_street,omitempty"`
	}{
		Variable: f.Variable, Kind: f.Kind.String(), Estimate: num(f.Value), SE: num(f.SE),
		CILow: num(f.CILow), CIHigh: num(f.CIHigh), DF: f.DF, Deff: num(f.Deff), EffectiveN: num(f.EffectiveN),
		N: f.N, SumW: f.SumW, Small: f.Small, Below: f.BelowTarget,
	}
	if f.Domain != stats.NoDomain {
		out.DomainID, out.Domain = &f.DomainID, &f.DomainLabel
	}
	if d := f.Change; d != nil {
		out.Change = &change{Estimate: num(d.Value), SE: num(d.SE), DF: num(d.DF), CILow: num(d.CILow), CIHigh: num(d.CIHigh)}
	}
	if d := f.VsStreet; d != nil {
		out.VsStreet = &change{Estimate: num(d.Value), SE: num(d.SE), DF: num(d.DF), CILow: num(d.CILow), CIHigh: num(d.CIHigh)}
	}
	return json.Marshal(out)
}

// Report is the estimates of a round: for each variable the district
// figure, then one per domain in ascending id order.
type Report struct {
	RoundID int64 `json:"round_id"`
	// Variance is the estimator the figures' standard errors use: "wor"
	// (two stages without replacement) or "wr" (PSUs with replacement).
	Variance  stats.Variance `json:"variance"`
	By        string         `json:"by,omitempty"`
	Group     string         `json:"group,omitempty"`
	Estimates []Figure       `json:"estimates"`
}

// Labeler names strata and domains (street and community names).
type Labeler func(kind string, id int64) string

// Estimate computes the report. Stratum is the street; the PSU is the
// sample's (community in two-stage samples, household in SRS). The
// variance is the two-stage without-replacement one with the sample's
// probabilities unless req.Variance asks for PSUs drawn with replacement
// (see psuProbs).
func Estimate(ctx context.Context, db *store.DB, roundID int64, req Request, label Labeler) (Report, error) {
	return estimateFrom(ctx, db, roundID, req, label, aggregateRows)
}

// rowSource gives the per-PSU rows of a round's estimates.
type rowSource func(ctx context.Context, db *store.DB, roundID int64, by string, names []string, cells bool) ([]store.AggregateRow, error)

func estimateFrom(ctx context.Context, db *store.DB, roundID int64, req Request, label Labeler, source rowSource) (Report, error) {
	if len(req.Variables) == 0 {
		return Report{}, apperr.WithFields("nothing to estimate", map[string]string{"variables": "name at least one indicator"})
	}
	names := make([]string, len(req.Variables))
	pos := make(map[string]int, len(req.Variables))
	for i, v := range req.Variables {
		names[i] = v.Name
		pos[v.Name] = i
	}
	cal, err := calibrationOf(ctx, db, roundID)
	if err != nil {
		return Report{}, err
	}
	rows, err := source(ctx, db, roundID, req.By, names, cal != nil)
	if err != nil {
		return Report{}, err
	}
	order, err := placesOf(ctx, db)
	if err != nil {
		return Report{}, err
	}
	design, aggs, domains, domainStreet, psuIDs, err := assemble(rows, pos, len(names), label, func(a, b int64) int { return order.compare(req.By, a, b) })
	if err != nil {
		return Report{}, err
	}
	design.LonelyPSU = req.LonelyPSU
	var variance stats.Variance
	if design.PSUs, variance, err = psuProbs(ctx, db, roundID, psuIDs, req.Variance); err != nil {
		return Report{}, err
	}
	if cal != nil {
		for _, a := range aggs {
			if a.Cell < 0 || int(a.Cell) >= cal.Cells() {
				return Report{}, apperr.New(apperr.Conflict, "round %d has responses accepted after it was weighted: weigh it again (minyi round weight) before estimating", roundID)
			}
		}
		design.Calibration = cal
	}
	if len(aggs) == 0 {
		return Report{RoundID: roundID, By: req.By}, apperr.New(apperr.NotFound, "round %d has no accepted responses to estimate from", roundID)
	}
	est, err := stats.EstimateAggregates(design, aggs, req.Variables, req.Options)
	if err != nil {
		return Report{}, err
	}
	if req.Composite != nil {
		comp, err := stats.EstimateComposite(design, aggs, *req.Composite, req.Options)
		if err != nil {
			return Report{}, err
		}
		est = append(est, comp...)
	}
	rep := Report{RoundID: roundID, By: req.By, Variance: variance, Estimates: make([]Figure, len(est))}
	for i, e := range est {
		rep.Estimates[i] = Figure{Estimate: e}
		if e.Domain != stats.NoDomain {
			rep.Estimates[i].DomainID = domains[e.Domain]
			rep.Estimates[i].StreetID = domainStreet[domains[e.Domain]]
			if label != nil {
				rep.Estimates[i].DomainLabel = label(req.By, domains[e.Domain])
			}
		}
	}
	return rep, nil
}

// assemble turns the database's per-indicator rows into stats.Aggregates:
// one per (stratum, PSU, domain) with the sums of every variable, strata
// and PSUs renumbered densely, domains in the district's order (compare).
func assemble(rows []store.AggregateRow, pos map[string]int, nvars int, label Labeler, compare func(a, b int64) int) (design *stats.Design, aggs []stats.Aggregate, domainIDs []int64, domainStreet map[int64]int64, psuIDs []int64, err error) {
	domainStreet = map[int64]int64{}
	strata, psus := map[int64]int32{}, map[int64]int32{}
	var stratumIDs []int64
	for _, r := range rows {
		if _, ok := strata[r.Stratum]; !ok {
			strata[r.Stratum] = 0
			stratumIDs = append(stratumIDs, r.Stratum)
		}
		if _, ok := domainStreet[r.Domain]; r.Domain >= 0 && !ok {
			domainStreet[r.Domain] = r.Stratum // a street or community lies in one street
			domainIDs = append(domainIDs, r.Domain)
		}
	}
	sort.Slice(stratumIDs, func(i, j int) bool { return stratumIDs[i] < stratumIDs[j] })
	slices.SortFunc(domainIDs, compare)
	design = &stats.Design{Strata: make([]string, len(stratumIDs))}
	for i, id := range stratumIDs {
		strata[id] = int32(i)
		if label != nil {
			design.Strata[i] = label("street", id)
		}
	}
	domainIdx := make(map[int64]int32, len(domainIDs))
	for i, id := range domainIDs {
		domainIdx[id] = int32(i)
	}
	type key struct {
		stratum, psu, domain int64
		cell                 int32
	}
	at := map[key]int{}
	for _, r := range rows {
		v, ok := pos[r.Indicator]
		if !ok {
			continue
		}
		k := key{r.Stratum, r.PSU, r.Domain, r.Cell}
		i, ok := at[k]
		if !ok {
			psu, seen := psus[r.PSU]
			if !seen {
				if len(psus) >= math.MaxInt32 {
					return nil, nil, nil, nil, nil, apperr.New(apperr.Internal, "too many PSUs")
				}
				psu = int32(len(psus))
				psus[r.PSU] = psu
				psuIDs = append(psuIDs, r.PSU)
			}
			dom := stats.NoDomain
			if r.Domain >= 0 {
				dom = domainIdx[r.Domain]
			}
			i = len(aggs)
			at[k] = i
			aggs = append(aggs, stats.Aggregate{Stratum: strata[r.Stratum], PSU: psu, Domain: dom, Cell: r.Cell, Rows: r.Rows, SumW: r.SumW, SumW2: r.SumW2, Vars: make([]stats.VarSums, nvars)})
		}
		aggs[i].Vars[v] = varSums(r)
	}
	return design, aggs, domainIDs, domainStreet, psuIDs, nil
}

// calibrationOf returns the calibration of the weighting in force for a
// round, or nil when the round's weights are not calibrated.
func calibrationOf(ctx context.Context, db *store.DB, roundID int64) (*stats.Calibration, error) {
	w, err := db.LatestWeighting(ctx, roundID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil || w.Calibration == "" {
		return nil, err
	}
	var c stats.Calibration
	if err := json.Unmarshal([]byte(w.Calibration), &c); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "calibration of round %d", roundID)
	}
	return &c, nil
}

// varSums is the stats form of one indicator's sums in a row.
func varSums(r store.AggregateRow) stats.VarSums {
	return stats.VarSums{N: r.N, SumW: r.SumWPresent, SumWY: r.SumWY, SumWY2: r.SumWY2, SumY: r.SumY,
		SumW2: r.SumW2Present, SumW2Y: r.SumW2Y, SumW2Y2: r.SumW2Y2}
}
