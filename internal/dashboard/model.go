package dashboard

import (
	"cmp"
	"math"
	"slices"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/ui"
)

// DefaultTarget is the target a dashboard compares a rate with when its
// questionnaire sets none (the usual 85 % of satisfaction surveys); a page
// may ask for another with ?target=.
const DefaultTarget = 0.85

// Flags of a figure against its target, by its interval.
const (
	flagBelow    = "below"    // the whole interval lies below the target (red)
	flagStraddle = "straddle" // the interval holds the target (amber)
	flagMeets    = "meets"    // the whole interval reaches the target
)

// dashColumn is an indicator shown by the dashboard: one of the four
// rates, the composite, or a satisfaction item.
type dashColumn struct {
	ID      string
	Label   string
	Role    string // awareness, support, participation, satisfaction, composite or ""
	Percent bool   // a rate or share, shown as a percentage (scores as points)
	Target  float64
	// HasTarget is false for a score without a target; DefaultTarget marks
	// a target that is the dashboard's default, not the questionnaire's.
	HasTarget, DefaultTarget bool
}

// dashCell is one figure of a table: the estimate with its interval and
// what a reader must know about it.
type dashCell struct {
	Col               *dashColumn
	Est, Lo, Hi, SE   float64
	N                 int64
	Deff, EffN        float64
	DF                int
	Flag              string
	Suppressed, Small bool // N below the minimum cell; effective n below it
	Missing           bool // no figure at all (no respondent in the domain)
}

// dashRow is a line of a table: the district, a street, a community or a
// respondent group, with one cell per column.
type dashRow struct {
	ID    int64
	Name  string
	Href  string // drill-down, "" for none
	Cells []dashCell
	// Pos is the row's place in the district's order of streets or
	// communities (the order of the report's domains).
	Pos int
}

// cell returns the row's cell of column id (a missing cell when none).
func (r dashRow) cell(id string) dashCell {
	for _, c := range r.Cells {
		if c.Col.ID == id {
			return c
		}
	}
	return dashCell{Missing: true}
}

// Take returns the row's first n cells (the headline columns of a table
// whose cells go on with the items).
func (r dashRow) Take(n int) []dashCell { return r.Cells[:min(n, len(r.Cells))] }

// text picks a label in the page's language, falling back to Chinese.
func text(t questionnaire.Text, lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t["zh-CN"]
}

// roleOrder is the order of the four rates and the composite.
var roleOrder = []questionnaire.Role{questionnaire.RoleAwareness, questionnaire.RoleSupport, questionnaire.RoleParticipation, questionnaire.RoleSatisfaction}

// dashColumns returns the headline columns (the four rates the
// questionnaire marks, then the composite) and the satisfaction items of
// a report. target, if not NaN, replaces DefaultTarget.
func dashColumns(def *questionnaire.Definition, infos []results.IndicatorInfo, lang string, target float64) (head, items []*dashColumn) {
	if math.IsNaN(target) {
		target = DefaultTarget
	}
	col := func(info results.IndicatorInfo, role string) *dashColumn {
		c := &dashColumn{ID: info.ID, Label: text(info.Label, lang), Role: role, Percent: percentIndicator(def, info)}
		switch {
		case info.Target != nil:
			c.Target, c.HasTarget = *info.Target, true
		case c.Percent:
			c.Target, c.HasTarget, c.DefaultTarget = target, true, true
		}
		return c
	}
	byID := map[string]results.IndicatorInfo{}
	for _, info := range infos {
		byID[info.ID] = info
	}
	for _, role := range roleOrder {
		for _, ind := range def.Indicators {
			if info, ok := byID[ind.ID]; ok && ind.Role == role {
				head = append(head, col(info, string(role)))
			}
		}
	}
	if info, ok := byID[results.CompositeID]; ok {
		head = append(head, col(info, "composite"))
	}
	var scores []*dashColumn
	for _, ind := range def.Indicators {
		info, ok := byID[ind.ID]
		q := def.Question(ind.Question)
		if !ok || ind.Role != "" || q == nil || q.Type != questionnaire.TypeSatisfaction {
			continue
		}
		switch ind.Kind {
		case questionnaire.KindRate:
			items = append(items, col(info, ""))
		case questionnaire.KindScore:
			scores = append(scores, col(info, ""))
		}
	}
	if len(items) == 0 {
		items = scores
	}
	if len(head) == 0 { // a questionnaire marking no rate: its first rates
		for _, info := range infos {
			if len(head) < 4 && info.Kind == string(questionnaire.KindRate) && !slices.ContainsFunc(items, func(c *dashColumn) bool { return c.ID == info.ID }) {
				head = append(head, col(info, ""))
			}
		}
	}
	return head, items
}

// percentIndicator tells a share (rate, composite, mean of rates) from a
// score in points.
func percentIndicator(def *questionnaire.Definition, info results.IndicatorInfo) bool {
	switch info.Kind {
	case string(questionnaire.KindRate), "composite":
		return true
	case string(questionnaire.KindScore):
		return false
	}
	ind := def.Indicator(info.ID)
	if ind == nil {
		return false
	}
	for _, of := range ind.Of {
		if o := def.Indicator(of); o == nil || o.Kind != questionnaire.KindRate {
			return false
		}
	}
	return len(ind.Of) > 0
}

// makeCell turns an estimate into a cell: suppressed below minCell
// respondents, marked small when its effective sample is below minCell,
// flagged against the column's target by its interval.
func makeCell(col *dashColumn, e stats.Estimate, minCell int) dashCell {
	c := dashCell{Col: col, Est: e.Value, Lo: e.CILow, Hi: e.CIHigh, SE: e.SE, N: e.N, Deff: e.Deff, EffN: e.EffectiveN, DF: e.DF}
	switch {
	case e.N == 0 || math.IsNaN(e.Value):
		c.Missing = true
		return c
	case e.N < int64(minCell):
		c.Suppressed = true
		c.Est, c.Lo, c.Hi, c.SE, c.Deff, c.EffN = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return c
	}
	c.Small = !math.IsNaN(e.EffectiveN) && e.EffectiveN < float64(minCell)
	if col.HasTarget {
		c.Flag = targetFlag(e.Value, e.CILow, e.CIHigh, col.Target)
	}
	return c
}

// targetFlag places an interval against a target: below when it lies
// wholly under it, meets when wholly at or above it, straddle otherwise.
// Without an interval (a rate of 0 or 1) the estimate decides.
func targetFlag(est, lo, hi, target float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		lo, hi = est, est
	}
	switch {
	case hi < target:
		return flagBelow
	case lo >= target:
		return flagMeets
	}
	return flagStraddle
}

// figureKey finds a figure of a report: a variable in a domain (0 with
// district true for the district line).
type figureKey struct {
	variable string
	domain   int64
	district bool
}

// indexFigures indexes a report's figures by variable and domain; with a
// group code (>= 0) only that group's figures are kept, keyed by their
// street (0 for the district).
func indexFigures(rep results.Report, group int64) map[figureKey]stats.Estimate {
	m := make(map[figureKey]stats.Estimate, len(rep.Estimates))
	for _, f := range rep.Estimates {
		switch {
		case group >= 0 && f.Domain == stats.NoDomain:
			continue // the whole population, not the group
		case group >= 0 && f.DomainID != group:
			continue
		case group >= 0:
			m[figureKey{f.Variable, f.StreetID, f.StreetID == 0}] = f.Estimate
		case f.Domain == stats.NoDomain:
			m[figureKey{f.Variable, 0, true}] = f.Estimate
		default:
			m[figureKey{f.Variable, f.DomainID, false}] = f.Estimate
		}
	}
	return m
}

// rowOf builds a row from indexed figures.
func rowOf(id int64, name, href string, cols []*dashColumn, figs map[figureKey]stats.Estimate, district bool, minCell int) dashRow {
	r := dashRow{ID: id, Name: name, Href: href, Cells: make([]dashCell, len(cols))}
	for i, col := range cols {
		e, ok := figs[figureKey{col.ID, id, district}]
		if !ok {
			r.Cells[i] = dashCell{Col: col, Missing: true, Est: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
			continue
		}
		r.Cells[i] = makeCell(col, e, minCell)
	}
	return r
}

// sortRows orders rows by a column's estimate (or in the district's order
// with sort "name", Pos); suppressed and missing figures go last whatever
// the direction, ties in the district's order.
func sortRows(rows []dashRow, sort string, desc bool) {
	slices.SortStableFunc(rows, func(a, b dashRow) int {
		if sort != "name" {
			ca, cb := a.cell(sort), b.cell(sort)
			na, nb := ca.Missing || ca.Suppressed, cb.Missing || cb.Suppressed
			switch {
			case na && !nb:
				return 1
			case nb && !na:
				return -1
			case !na && !nb && ca.Est != cb.Est:
				if desc {
					return cmp.Compare(cb.Est, ca.Est)
				}
				return cmp.Compare(ca.Est, cb.Est)
			}
		}
		if desc && sort == "name" {
			return cmp.Compare(b.Pos, a.Pos)
		}
		return cmp.Compare(a.Pos, b.Pos)
	})
}

// fieldRow is a dashboard's fieldwork row: the progress of a street,
// community or interviewer with its drill-down link, its flagged
// interviews and its small chart.
type fieldRow struct {
	ui.ProgressRow
	Href  string
	Flags int // flagged interviews waiting for review
	Spark *sparkChart
}
