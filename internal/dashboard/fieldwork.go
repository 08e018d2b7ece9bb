package dashboard

import (
	"fmt"
	"slices"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// fieldSection is a dashboard's fieldwork: totals, by street (or
// community) with a small chart each, by interviewer and by day, and the
// flagged interviews waiting for review. Everything comes from GROUP BY
// counts (store.Progress, ProgressByDay, PendingFlags): no handler reads
// responses one by one.
type fieldSection struct {
	Total        fieldRow
	Groups       []fieldRow // streets, or a street's communities
	Interviewers []fieldRow
	Days         *dayChart
	Flags        int
	ReviewHref   string
	// Households are the round's household counts in the scope
	// (rounds.Service.Households: the same on every page).
	Households fieldwork.Households
	// Interim: the round is not closed, so its rates are on the
	// households closed so far (fieldwork.Interim).
	Interim bool
}

// fieldworkSection counts the round's fieldwork within scope sc, grouped
// by "street" or "community"; link makes a group's drill-down path.
func (s *Handler) fieldworkSection(d *dashRound, sc store.Scope, by string, link func(id int64) string) (fieldSection, error) {
	f := fieldSection{Interim: fieldwork.Interim(d.info.Status)}
	rows, err := s.db.Progress(d.ctx, d.info.ID, by, sc)
	if err != nil {
		return f, err
	}
	if f.Households, err = s.rounds.RoundHouseholds(d.ctx, d.info, sc); err != nil {
		return f, err
	}
	f.Total, f.Groups = progressRows(rows)
	byIV, err := s.db.Progress(d.ctx, d.info.ID, "interviewer", sc)
	if err != nil {
		return f, err
	}
	_, f.Interviewers = progressRows(byIV)
	// Days in the district's zone (serve --timezone), half-hour offsets
	// included (store.ProgressByDay). The offset is today's: a zone with
	// summer time would draw the other season's days an hour off (China
	// and India have none).
	_, offset := d.now.In(d.loc).Zone()
	days, err := s.db.ProgressByDay(d.ctx, d.info.ID, offset, sc)
	if err != nil {
		return f, err
	}
	flags, err := s.db.PendingFlags(d.ctx, d.info.ID, sc)
	if err != nil {
		return f, err
	}
	flagsOf := map[int64]int{}
	for _, fl := range flags {
		flagsOf[fl.StreetID] += fl.N
		f.Flags += fl.N
	}
	if f.Flags > 0 && auth.Allowed(d.caller.User.Role, ui.Supervisors...) {
		f.ReviewHref = d.base() + "/review"
	}
	// Days: interviews per day, the cumulative response rate, and each
	// street's interviews per day for its small chart.
	var order []string
	perDay := map[string]*fieldwork.Counts{}
	perStreet := map[int64]map[string]int{}
	most := 0
	for _, r := range days {
		if perDay[r.Day] == nil {
			perDay[r.Day] = &fieldwork.Counts{}
			order = append(order, r.Day)
		}
		addCounts(perDay[r.Day], r.Category, r.N)
		if r.Category == string(fieldwork.CatI) {
			if perStreet[r.StreetID] == nil {
				perStreet[r.StreetID] = map[string]int{}
			}
			perStreet[r.StreetID][r.Day] += r.N
			most = max(most, perStreet[r.StreetID][r.Day])
		}
	}
	slices.Sort(order)
	var cum fieldwork.Counts
	var vals []dayValue
	for _, day := range order {
		c := perDay[day]
		cum.Merge(*c)
		vals = append(vals, dayValue{Day: day, Interviews: c.I, Final: c.Total(), RR1: ui.Rate(cum.Rates().RR1)})
	}
	if len(vals) > 0 {
		f.Days = newDays("days", "dash.chart.days", "", vals, f.Interim)
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		if link != nil {
			g.Href = link(g.ID)
		}
		if by == "street" {
			g.Flags = flagsOf[g.ID]
			g.Spark = newSpark(g.Name, order, perStreet[g.ID], most)
		}
	}
	return f, nil
}

// progressRows is the fieldwork rows of store.Progress rows: a total and
// one row per group, in the rows' order.
func progressRows(rows []store.ProgressRow) (fieldRow, []fieldRow) {
	total, groups := groupProgress(rows)
	out := make([]fieldRow, len(groups))
	for i, g := range groups {
		out[i] = fieldRow{ProgressRow: ui.ProgressRowOf(g)}
	}
	return fieldRow{ProgressRow: ui.ProgressRowOf(total)}, out
}

// streetLink is the drill-down path of a street.
func (d *dashRound) streetLink(id int64) string {
	return d.q.href(fmt.Sprintf("%s/streets/%d", d.base(), id), "sort", "", "dir", "", "show", "")
}

// communityLink is the drill-down path of a community.
func (d *dashRound) communityLink(id int64) string {
	return d.q.href(fmt.Sprintf("%s/communities/%d", d.base(), id), "sort", "", "dir", "", "show", "", "domain", "")
}
