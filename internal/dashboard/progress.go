package dashboard

import (
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

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
