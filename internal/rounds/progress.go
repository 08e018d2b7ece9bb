package rounds

import (
	"context"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/store"
)

// ProgressGroup is the fieldwork of one street, community or interviewer
// (or of everything the caller sees): assignments, visits, the AAPOR
// disposition counts and the response rates from them.
type ProgressGroup struct {
	ID          int64            `json:"id,omitempty"`
	Name        string           `json:"name"`
	Assignments int              `json:"assignments"`
	Visits      int              `json:"visits"`
	Counts      fieldwork.Counts `json:"dispositions"`
	Rates       fieldwork.Rates  `json:"rates"`
}

// Progress is a round's fieldwork by group, with the total.
type Progress struct {
	RoundID int64           `json:"round_id"`
	Status  string          `json:"status"`
	By      string          `json:"by"`
	Total   ProgressGroup   `json:"total"`
	Groups  []ProgressGroup `json:"groups"`
	// Households are the round's household counts in the same scope
	// (Service.Households); Interim: the round is not closed, so the
	// rates are on the households closed so far.
	Households fieldwork.Households `json:"households"`
	Interim    bool                 `json:"interim"`
}

// Progress counts a round's dispositions by street, community or
// interviewer within the caller's street, with AAPOR RR1, RR3, COOP1,
// REF1 and CON1 per group and in total. Assignments not yet final are
// counted as pending, outside every rate's denominator.
func (s *Service) Progress(ctx context.Context, c Caller, roundID int64, by string) (Progress, error) {
	return s.progress(ctx, c, roundID, by, store.Scope{StreetID: c.Scope().StreetID})
}

// progress is Progress within scope sc.
func (s *Service) progress(ctx context.Context, c Caller, roundID int64, by string, sc store.Scope) (Progress, error) {
	if by == "" {
		by = "street"
	}
	r, err := s.Round(ctx, c, roundID)
	if err != nil {
		return Progress{}, err
	}
	rows, err := s.db.Progress(ctx, roundID, by, sc)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{RoundID: roundID, Status: r.Status, By: by, Total: ProgressGroup{Name: "total"}, Groups: []ProgressGroup{},
		Interim: fieldwork.Interim(r.Status)}
	if p.Households, err = s.RoundHouseholds(ctx, r, sc); err != nil {
		return Progress{}, err
	}
	index := map[int64]int{}
	for _, row := range rows {
		i, ok := index[row.GroupID]
		if !ok {
			i = len(p.Groups)
			index[row.GroupID] = i
			p.Groups = append(p.Groups, ProgressGroup{ID: row.GroupID, Name: row.GroupName})
		}
		for _, g := range []*ProgressGroup{&p.Groups[i], &p.Total} {
			g.Assignments += row.N
			g.Visits += row.Visits
			for range row.N {
				g.Counts.Add(fieldwork.Category(row.Category))
			}
		}
	}
	for i := range p.Groups {
		p.Groups[i].Rates = p.Groups[i].Counts.Rates()
	}
	p.Total.Rates = p.Total.Counts.Rates()
	return p, nil
}
