package results

import (
	"context"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// GroupCodes returns a response's answers to the group questions of its
// questionnaire (questionnaire.GroupQuestions), which the maintained
// per-PSU sums keep estimates by.
func GroupCodes(def *questionnaire.Definition, ans questionnaire.Response) []store.GroupCode {
	qs := def.GroupQuestions()
	out := make([]store.GroupCode, len(qs))
	for i, q := range qs {
		out[i].Question = q.Code
		if c, ok := ans.GroupCode(q.Code); ok {
			out[i].Code = &c
		}
	}
	return out
}

// Resum rebuilds a round's per-PSU sums from its accepted responses: their
// group answers are read again from the answers, the sums recomputed from
// the values. Tests use it as the oracle of the maintained sums; an
// administrator runs it as 'minyi round resum' for a round with responses
// from before the sums were kept, or should the sums ever be doubted.
func Resum(ctx context.Context, db *store.DB, a store.Actor, roundID int64) error {
	r, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return err
	}
	def, err := questionnaire.ParseJSON(r.Questionnaire, []byte(r.Definition))
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	rs, err := db.RoundRespondents(ctx, roundID)
	if err != nil {
		return err
	}
	groups := make([]store.ResponseGroups, 0, len(rs))
	for _, resp := range rs {
		ans, err := questionnaire.ParseResponse([]byte(resp.Answers))
		if err != nil {
			return apperr.Wrap(apperr.Internal, err, "answers of response %d", resp.ID)
		}
		groups = append(groups, store.ResponseGroups{ResponseID: resp.ID, Codes: GroupCodes(def, ans)})
	}
	return db.RebuildSums(ctx, a, roundID, groups)
}

// aggregateRows returns the per-PSU rows of a round's estimates: from the
// maintained sums, or from every response while the round's sums are stale.
func aggregateRows(ctx context.Context, db *store.DB, roundID int64, by string, names []string, cells bool) ([]store.AggregateRow, error) {
	stale, err := db.SumsStale(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if stale {
		return db.RoundAggregates(ctx, roundID, by, names, cells)
	}
	return db.RoundSums(ctx, roundID, by, "", names, cells)
}

// keptGroup reports whether estimates by group question q can be read from
// the round's maintained sums.
func keptGroup(ctx context.Context, db *store.DB, def *questionnaire.Definition, roundID int64, q string) (bool, error) {
	if !slices.ContainsFunc(def.GroupQuestions(), func(g *questionnaire.Question) bool { return g.Code == q }) {
		return false, nil
	}
	stale, err := db.SumsStale(ctx, roundID)
	return !stale, err
}

// estimateGroupSums estimates by respondent group from the maintained
// sums: the same figures, in the same order, as estimateGroups computes
// from the responses.
func estimateGroupSums(ctx context.Context, db *store.DB, roundID int64, q *questionnaire.Question, r Request, label Labeler) (Report, error) {
	if r.By != "" && r.By != "street" {
		return Report{}, apperr.WithFields("invalid breakdown", map[string]string{"by": "respondent groups are crossed with street only"})
	}
	names := make([]string, len(r.Variables))
	pos := make(map[string]int, len(r.Variables))
	for i, v := range r.Variables {
		names[i] = v.Name
		pos[v.Name] = i
	}
	cal, err := calibrationOf(ctx, db, roundID)
	if err != nil {
		return Report{}, err
	}
	rows, err := db.RoundSums(ctx, roundID, "", q.Code, names, cal != nil)
	if err != nil {
		return Report{}, err
	}
	if len(rows) == 0 {
		return Report{}, apperr.New(apperr.NotFound, "round %d has no accepted responses to estimate from", roundID)
	}
	keyOf := func(row store.AggregateRow) groupKey {
		k := groupKey{code: int(row.Domain)}
		if r.By == "street" {
			k.street = row.Stratum
		}
		return k
	}
	var streets []int64
	keys := map[groupKey]bool{}
	for _, row := range rows {
		if !slices.Contains(streets, row.Stratum) {
			streets = append(streets, row.Stratum)
		}
		if row.Domain >= 0 {
			keys[keyOf(row)] = true
		}
	}
	slices.Sort(streets)
	design := &stats.Design{Strata: make([]string, len(streets)), LonelyPSU: r.LonelyPSU, Calibration: cal}
	strat := map[int64]int32{}
	for i, id := range streets {
		strat[id] = int32(i)
		if label != nil {
			design.Strata[i] = label("street", id)
		}
	}
	places, err := placesOf(ctx, db)
	if err != nil {
		return Report{}, err
	}
	order, dom := domainsOf(keys, places)
	type akey struct {
		psu, code int64
		cell      int32
	}
	at := map[akey]int{}
	psus := map[int64]int32{}
	var psuIDs []int64
	var aggs []stats.Aggregate
	for _, row := range rows {
		v, ok := pos[row.Indicator]
		if !ok {
			continue
		}
		if cal != nil && (row.Cell < 0 || int(row.Cell) >= cal.Cells()) {
			return Report{}, apperr.New(apperr.Conflict, "round %d has responses accepted after it was weighted: weigh it again (minyi round weight) before estimating", roundID)
		}
		k := akey{row.PSU, row.Domain, row.Cell}
		i, ok := at[k]
		if !ok {
			p, seen := psus[row.PSU]
			if !seen {
				p = int32(len(psus))
				psus[row.PSU] = p
				psuIDs = append(psuIDs, row.PSU)
			}
			d := stats.NoDomain
			if row.Domain >= 0 {
				d = dom[keyOf(row)]
			}
			i = len(aggs)
			at[k] = i
			aggs = append(aggs, stats.Aggregate{Stratum: strat[row.Stratum], PSU: p, Domain: d, Cell: row.Cell, Rows: row.Rows, SumW: row.SumW, SumW2: row.SumW2, Vars: make([]stats.VarSums, len(names))})
		}
		aggs[i].Vars[v] = varSums(row)
	}
	var variance stats.Variance
	if design.PSUs, variance, err = psuProbs(ctx, db, roundID, psuIDs, r.Variance); err != nil {
		return Report{}, err
	}
	est, err := stats.EstimateAggregates(design, aggs, r.Variables, r.Options)
	if err != nil {
		return Report{}, err
	}
	rep := groupReport(roundID, r.By, q, est, order, label)
	rep.Variance = variance
	return rep, nil
}
