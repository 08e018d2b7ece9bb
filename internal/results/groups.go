package results

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// roundRows is a round's accepted responses held row by row: what
// estimates by respondent group and regressions need, since a group comes
// from an answer that response_values does not carry.
type roundRows struct {
	design   *stats.Design
	stratum  []int32
	psu      []int32
	streetID []int64
	weight   []float64
	cell     []int32 // nil when the weights are not calibrated
	answers  []questionnaire.Response
	vars     [][]float64 // per requested indicator, per row (NaN missing)
	streets  []int64     // stratum index → street id
	psuIDs   []int64     // PSU index → the store's PSU id
}

// loadRows reads the accepted responses of a round with the values of the
// given indicators, strata numbered in ascending street id order (as the
// push-down does) and, for a calibrated round, the calibration cells.
func loadRows(ctx context.Context, db *store.DB, roundID int64, indicators []string, label Labeler) (*roundRows, error) {
	cal, err := calibrationOf(ctx, db, roundID)
	if err != nil {
		return nil, err
	}
	rs, err := db.RoundRespondents(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.New(apperr.NotFound, "round %d has no accepted responses to estimate from", roundID)
	}
	rr := &roundRows{}
	seen := map[int64]bool{}
	for _, r := range rs {
		if !seen[r.StreetID] {
			seen[r.StreetID] = true
			rr.streets = append(rr.streets, r.StreetID)
		}
	}
	slices.Sort(rr.streets)
	strat := map[int64]int32{}
	rr.design = &stats.Design{Strata: make([]string, len(rr.streets))}
	for i, id := range rr.streets {
		strat[id] = int32(i)
		if label != nil {
			rr.design.Strata[i] = label("street", id)
		}
	}
	psus := map[int64]int32{}
	row := make(map[int64]int, len(rs))
	n := len(rs)
	rr.stratum, rr.psu, rr.streetID, rr.weight = make([]int32, n), make([]int32, n), make([]int64, n), make([]float64, n)
	rr.answers = make([]questionnaire.Response, n)
	if cal != nil {
		rr.cell = make([]int32, n)
		rr.design.Calibration = cal
	}
	for i, r := range rs {
		row[r.ID] = i
		p, ok := psus[r.PSU]
		if !ok {
			p = int32(len(psus))
			psus[r.PSU] = p
			rr.psuIDs = append(rr.psuIDs, r.PSU)
		}
		rr.stratum[i], rr.psu[i], rr.streetID[i], rr.weight[i] = strat[r.StreetID], p, r.StreetID, r.Weight
		if cal != nil {
			if r.Cell < 0 || int(r.Cell) >= cal.Cells() {
				return nil, apperr.New(apperr.Conflict, "round %d has responses accepted after it was weighted: weigh it again (minyi round weight) before estimating", roundID)
			}
			rr.cell[i] = r.Cell
		}
		if rr.answers[i], err = questionnaire.ParseResponse([]byte(r.Answers)); err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "answers of response %d", r.ID)
		}
	}
	pos := map[string]int{}
	rr.vars = make([][]float64, len(indicators))
	for v, ind := range indicators {
		pos[ind] = v
		rr.vars[v] = make([]float64, n)
		for i := range rr.vars[v] {
			rr.vars[v][i] = math.NaN()
		}
	}
	err = db.RoundValues(ctx, roundID, func(id int64, ind string, x float64) error {
		v, ok := pos[ind]
		if !ok {
			return nil
		}
		if i, ok := row[id]; ok {
			rr.vars[v][i] = x
		}
		return nil
	})
	return rr, err
}

// code returns the answer to a single-choice question, or false.
func (rr *roundRows) code(i int, question string) (int, bool) {
	a, ok := rr.answers[i][question]
	if !ok || a.Kind != questionnaire.AnswerNumber {
		return 0, false
	}
	return a.Number, true
}

// groupQuestion checks that a question can define respondent groups.
func groupQuestion(def *questionnaire.Definition, code string) (*questionnaire.Question, error) {
	q := def.Question(code)
	if q == nil || (q.Type != questionnaire.TypeSingleChoice && q.Type != questionnaire.TypeYesNo && q.Type != questionnaire.TypeSatisfaction) {
		return nil, apperr.WithFields("unknown respondent group", map[string]string{"group": code + " is not a single-choice question of the round's questionnaire"})
	}
	return q, nil
}

// estimateGroups estimates by respondent group: the answer to a
// single-choice question (r.Group), crossed with street when r.By is
// "street", as domains of the full design (R: svyby(~y, ~E2, design) or
// svyby(~y, ~street+E2, design)).
func estimateGroups(ctx context.Context, db *store.DB, roundID int64, q *questionnaire.Question, r Request, label Labeler) (Report, error) {
	if r.By != "" && r.By != "street" {
		return Report{}, apperr.WithFields("invalid breakdown", map[string]string{"by": "respondent groups are crossed with street only"})
	}
	names := make([]string, len(r.Variables))
	for i, v := range r.Variables {
		names[i] = v.Name
	}
	rr, err := loadRows(ctx, db, roundID, names, label)
	if err != nil {
		return Report{}, err
	}
	rr.design.LonelyPSU = r.LonelyPSU
	keys := map[groupKey]bool{}
	rowKey := make([]groupKey, len(rr.weight))
	has := make([]bool, len(rr.weight))
	for i := range rr.weight {
		c, ok := rr.code(i, q.Code)
		if !ok {
			continue
		}
		k := groupKey{code: c}
		if r.By == "street" {
			k.street = rr.streetID[i]
		}
		keys[k], rowKey[i], has[i] = true, k, true
	}
	places, err := placesOf(ctx, db)
	if err != nil {
		return Report{}, err
	}
	order, dom := domainsOf(keys, places)
	s := &stats.Sample{Stratum: rr.stratum, PSU: rr.psu, Weight: rr.weight, Cell: rr.cell, Vars: rr.vars, Domain: make([]int32, len(rr.weight))}
	for i := range s.Domain {
		s.Domain[i] = stats.NoDomain
		if has[i] {
			s.Domain[i] = dom[rowKey[i]]
		}
	}
	var variance stats.Variance
	if rr.design.PSUs, variance, err = psuProbs(ctx, db, roundID, rr.psuIDs, r.Variance); err != nil {
		return Report{}, err
	}
	est, err := stats.EstimateSample(rr.design, s, r.Variables, r.Options)
	if err != nil {
		return Report{}, err
	}
	rep := groupReport(roundID, r.By, q, est, order, label)
	rep.Variance = variance
	return rep, nil
}

// groupKey is a respondent group's domain: an answer code, within a
// street when the groups are by street.
type groupKey struct {
	street int64
	code   int
}

// domainsOf orders the groups found (by street in the district's order,
// then code) and numbers them as the estimator's domains.
func domainsOf(keys map[groupKey]bool, p *places) ([]groupKey, map[groupKey]int32) {
	order := make([]groupKey, 0, len(keys))
	for k := range keys {
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b groupKey) int {
		return cmp.Or(p.compare("street", a.street, b.street), cmp.Compare(a.code, b.code))
	})
	dom := make(map[groupKey]int32, len(order))
	for i, k := range order {
		dom[k] = int32(i)
	}
	return order, dom
}

// groupReport names the estimates of a group question's domains: the
// answer's label, after the street's when the groups are by street.
func groupReport(roundID int64, by string, q *questionnaire.Question, est []stats.Estimate, order []groupKey, label Labeler) Report {
	rep := Report{RoundID: roundID, By: by, Group: q.Code, Estimates: make([]Figure, len(est))}
	for i, e := range est {
		rep.Estimates[i] = Figure{Estimate: e}
		if e.Domain == stats.NoDomain {
			continue
		}
		k := order[e.Domain]
		f := &rep.Estimates[i]
		f.DomainID, f.StreetID, f.DomainLabel = int64(k.code), k.street, optionLabel(q, k.code)
		if k.street != 0 && label != nil {
			f.DomainLabel = label("street", k.street) + " × " + f.DomainLabel
		}
	}
	return rep
}

// optionLabel names an answer code of a group question (its zh-CN label).
func optionLabel(q *questionnaire.Question, c int) string {
	if o := q.Option(c); o != nil {
		if l := o.Label["zh-CN"]; l != "" {
			return l
		}
	}
	return strconv.Itoa(c)
}
