package server

import (
	"math"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

// progressRow is the fieldwork of a street, community or interviewer (or
// of everything in view): assignments, visits, the AAPOR disposition
// counts and the rates from them, with NaN for a rate without a
// denominator. It is the one view model of fieldwork progress: the street
// office's fieldwork page, the dashboard and the report all show it.
type progressRow struct {
	ID                  int64
	Name                string
	Assignments, Visits int
	fieldwork.Counts
	Final                       int // assignments with a final disposition
	RR1, RR3, COOP1, REF1, CON1 float64
}

// progressRowOf is the row of a group's progress.
func progressRowOf(g rounds.ProgressGroup) progressRow {
	rs := g.Counts.Rates()
	return progressRow{ID: g.ID, Name: g.Name, Assignments: g.Assignments, Visits: g.Visits, Counts: g.Counts,
		Final: g.Counts.Total() - g.Counts.Pending,
		RR1:   rate(rs.RR1), RR3: rate(rs.RR3), COOP1: rate(rs.COOP1), REF1: rate(rs.REF1), CON1: rate(rs.CON1)}
}

// progressRowsOf is the rows of groups, in their order.
func progressRowsOf(gs []rounds.ProgressGroup) []progressRow {
	out := make([]progressRow, len(gs))
	for i, g := range gs {
		out[i] = progressRowOf(g)
	}
	return out
}

// groupProgress adds up store.Progress rows into a total and one group per
// GroupID, in the rows' order (as rounds.Service.Progress does for the API).
func groupProgress(rows []store.ProgressRow) (rounds.ProgressGroup, []rounds.ProgressGroup) {
	var total rounds.ProgressGroup
	var groups []rounds.ProgressGroup
	at := map[int64]int{}
	for _, r := range rows {
		i, ok := at[r.GroupID]
		if !ok {
			i = len(groups)
			at[r.GroupID] = i
			groups = append(groups, rounds.ProgressGroup{ID: r.GroupID, Name: r.GroupName})
		}
		for _, g := range []*rounds.ProgressGroup{&groups[i], &total} {
			g.Assignments += r.N
			g.Visits += r.Visits
			addCounts(&g.Counts, r.Category, r.N)
		}
	}
	return total, groups
}

// addCounts adds n assignments of an AAPOR category ("" not final yet).
func addCounts(c *fieldwork.Counts, category string, n int) {
	var one fieldwork.Counts
	one.Add(fieldwork.Category(category))
	c.Merge(fieldwork.Counts{I: one.I * n, P: one.P * n, R: one.R * n, NC: one.NC * n, O: one.O * n, UH: one.UH * n, NE: one.NE * n, Pending: one.Pending * n})
}

// rate is a rate for a page: NaN when it has no denominator.
func rate(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
