package ui

import (
	"math"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
)

// ProgressRow is the fieldwork of a street, community or interviewer (or
// of everything in view): assignments, visits, the AAPOR disposition
// counts and the rates from them, with NaN for a rate without a
// denominator. It is the one view model of fieldwork progress: the street
// office's fieldwork page, the dashboard and the report all show it.
type ProgressRow struct {
	ID                  int64
	Name                string
	Assignments, Visits int
	fieldwork.Counts
	Final                       int // assignments with a final disposition
	RR1, RR3, COOP1, REF1, CON1 float64
}

// ProgressRowOf is the row of a group's progress.
func ProgressRowOf(g rounds.ProgressGroup) ProgressRow {
	rs := g.Counts.Rates()
	return ProgressRow{ID: g.ID, Name: g.Name, Assignments: g.Assignments, Visits: g.Visits, Counts: g.Counts,
		Final: g.Counts.Total() - g.Counts.Pending,
		RR1:   Rate(rs.RR1), RR3: Rate(rs.RR3), COOP1: Rate(rs.COOP1), REF1: Rate(rs.REF1), CON1: Rate(rs.CON1)}
}

// ProgressRowsOf is the rows of groups, in their order.
func ProgressRowsOf(gs []rounds.ProgressGroup) []ProgressRow {
	out := make([]ProgressRow, len(gs))
	for i, g := range gs {
		out[i] = ProgressRowOf(g)
	}
	return out
}

// Rate is a rate for a page: NaN when it has no denominator.
func Rate(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
