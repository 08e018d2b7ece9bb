package dashboard

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// overviewPage is the data of a round's dashboard (dashboard.html).
type overviewPage struct {
	dashHeader
	Empty     bool // no accepted response yet
	Table     table
	Sort      string
	Desc      bool
	SortLinks []sortLink
	Show      *dashColumn
	ShowLinks []rowLink
	Forest    *forestChart
	Items     *barChart
	Field     fieldSection
	Target    targetNote
	// Conclusions are the sentences the page opens with (conclusions.go).
	Conclusions []string
}

// targetNote says which target the flags use.
type targetNote struct {
	Default bool    // some column uses the dashboard's default
	Value   float64 // that default
}

func noteOf(cols []*dashColumn, target float64) targetNote {
	n := targetNote{Value: DefaultTarget}
	if !math.IsNaN(target) {
		n.Value = target
	}
	for _, c := range cols {
		n.Default = n.Default || c.DefaultTarget
	}
	return n
}

// Overview is a round's dashboard: fieldwork and response rates, the
// four rates and the composite for the district and every street (a
// supervisor: their own street), the league table, the forest plot, the
// satisfaction items; ?sort=&dir= orders the league table, ?show= picks the
// forest plot's indicator, ?domain=Q:CODE restricts every figure to a
// respondent group (a domain of the full design).
func (s *Handler) Overview(c echo.Context) error {
	d, err := s.loadDashRound(c)
	if err != nil {
		return err
	}
	p := overviewPage{dashHeader: d.header()}
	p.Field, err = s.fieldworkSection(d, d.caller.Scope(), "street", d.streetLink)
	if err != nil {
		return err
	}
	f, err := s.streetFigures(d, true)
	if err != nil {
		return err
	}
	p.Empty = !f.ok
	if f.ok {
		p.Table = s.streetTable(d, f.head, f.items, f.rep, f.district)
		p.Target = f.target
		if p.Sort, p.Desc, p.SortLinks, err = sortTable(d, d.base(), &p.Table); err != nil {
			return err
		}
		if p.Show, err = showColumn(d, p.Table, p.Sort); err != nil {
			return err
		}
		p.ShowLinks = showLinks(d, d.base(), p.Table, p.Show)
		if p.Show != nil {
			dc := p.Table.District.cell(p.Show.ID)
			p.Forest = newForest("forest", "dash.chart.forest", p.Show.Label, p.Show, p.Table.Rows, &dc)
		}
		if cells := weakest(p.Table.District, f.items, 0); anyShown(cells) {
			p.Items = newBars("items", "dash.chart.items", p.Domain, cells)
		}
		p.Conclusions = conclusions(d, "", p.Domain, p.Table.District, f.head, f.items, p.Table.Rows)
	}
	return s.ui.Render(c, "dashboard", "dash.title", p)
}

// streetPage is a street's drill-down (dashboard_street.html).
type streetPage struct {
	drillPage   // Table: the district and the street
	Street      store.Street
	Communities table // the street's communities
	NoCommunity bool  // a respondent group: not broken down by community
	Show        *dashColumn
	ShowLinks   []rowLink
	Forest      *forestChart
	Field       fieldSection
	Model       *modelSection // community model estimates (communities_model.go)
	// Conclusions are the sentences the page opens with (conclusions.go).
	Conclusions []string
}

// Street is a street's figures beside the district's, its
// communities (table and forest plot), its weakest items and its
// fieldwork. Another street than a supervisor's own is not found (the
// street is looked up within the caller's scope).
func (s *Handler) Street(c echo.Context) error {
	f, st, err := loadDrillDown(s, c, "street", true, s.db.RoundStreet)
	if err != nil {
		return err
	}
	d, sid := f.dashRound, f.id
	group := d.q.Group != ""
	p := streetPage{drillPage: f.page(), Street: st}
	if p.Field, err = s.fieldworkSection(d, store.Scope{StreetID: sid}, "community", d.communityLink); err != nil {
		return err
	}
	if !f.ok {
		return s.ui.Render(c, "dashboard_street", "dash.street.title", p)
	}
	head, items := f.head, f.items
	all := s.streetTable(d, head, items, f.rep, f.district)
	p.Table = table{Head: head, Items: items, District: all.District}
	var mine dashRow
	for _, r := range all.Rows {
		if r.ID == sid {
			mine = r
			mine.Href = ""
			p.Table.Rows = []dashRow{r}
		}
	}
	if mine.Cells == nil {
		mine = rowOf(sid, st.Name, "", f.cols, nil, false, d.minCell)
		p.Table.Rows = []dashRow{mine}
	}
	if cells := weakest(mine, items, 0); anyShown(cells) {
		p.Items = newBars("items", "dash.chart.items", st.Name, cells)
	}
	p.Conclusions = conclusions(d, st.Name, p.Domain, mine, head, items, nil)
	path := fmt.Sprintf("%s/streets/%d", d.base(), sid)
	if p.Show, err = showColumn(d, p.Table, ""); err != nil {
		return err
	}
	p.ShowLinks = showLinks(d, path, p.Table, p.Show)
	if group {
		p.NoCommunity = true
		return s.ui.Render(c, "dashboard_street", "dash.street.title", p)
	}
	crep, _, err := s.estimates(d, "community", 0, false)
	if err != nil {
		return err
	}
	figs, cols := indexFigures(crep.Report, -1), f.cols
	p.Communities = table{Head: head, Items: items}
	seen := map[int64]bool{}
	for _, f := range crep.Estimates {
		if f.Domain == stats.NoDomain || f.StreetID != sid || seen[f.DomainID] {
			continue
		}
		seen[f.DomainID] = true
		r := rowOf(f.DomainID, f.DomainLabel, d.communityLink(f.DomainID), cols, figs, false, d.minCell)
		r.Pos = len(p.Communities.Rows) // the report's domains come in the district's order
		p.Communities.Rows = append(p.Communities.Rows, r)
	}
	if p.Show != nil && anyShown(columnCells(p.Communities.Rows, p.Show)) {
		sc := mine.cell(p.Show.ID)
		p.Forest = newForest("forest", "dash.chart.forest.communities", p.Show.Label, p.Show, p.Communities.Rows, &sc)
	}
	if p.Model, err = s.communityModel(d, sid, head); err != nil {
		return err
	}
	return s.ui.Render(c, "dashboard_street", "dash.street.title", p)
}

// communityPage is a community's figures (dashboard_community.html).
type communityPage struct {
	drillPage  // Table: the district, the street and the community
	Community  store.Community
	StreetName string
	StreetHref string
	Field      fieldRow
	Interim    bool // the round is not closed: its rates are interim
}

// Community is a community's figures beside its street's and
// the district's, its items and its fieldwork. A community of another
// street than a supervisor's own is not found.
func (s *Handler) Community(c echo.Context) error {
	f, cm, err := loadDrillDown(s, c, "community", false, s.db.RoundCommunity)
	if err != nil {
		return err
	}
	d, cid := f.dashRound, f.id
	p := communityPage{drillPage: f.page(), Community: cm, StreetHref: d.streetLink(cm.StreetID), Interim: fieldwork.Interim(d.info.Status)}
	rows, err := s.db.Progress(d.ctx, d.info.ID, "community", store.Scope{StreetID: cm.StreetID})
	if err != nil {
		return err
	}
	_, groups := progressRows(rows)
	for _, g := range groups {
		if g.ID == cid {
			p.Field = g
		}
	}
	if !f.ok {
		return s.ui.Render(c, "dashboard_community", "dash.community.title", p)
	}
	rep, head, items, cols := f.rep, f.head, f.items, f.cols
	sfigs := indexFigures(rep.Report, -1)
	p.Table = table{Head: head, Items: items, District: rowOf(0, "", "", cols, sfigs, true, d.minCell)}
	for _, f := range rep.Estimates {
		if f.Domain != stats.NoDomain && f.StreetID == cm.StreetID {
			p.StreetName = f.DomainLabel
			p.Table.Rows = append(p.Table.Rows, rowOf(cm.StreetID, f.DomainLabel, p.StreetHref, cols, sfigs, false, d.minCell))
			break
		}
	}
	crep, _, err := s.estimates(d, "community", 0, false)
	if err != nil {
		return err
	}
	mine := rowOf(cid, cm.Name, "", cols, indexFigures(crep.Report, -1), false, d.minCell)
	p.Table.Rows = append(p.Table.Rows, mine)
	if cells := weakest(mine, items, 0); anyShown(cells) {
		p.Items = newBars("items", "dash.chart.items", cm.Name, cells)
	}
	return s.ui.Render(c, "dashboard_community", "dash.community.title", p)
}

// comparePage compares a round with another (dashboard_compare.html).
type comparePage struct {
	dashHeader
	Others    []store.RoundInfo
	With      int64
	Other     *store.RoundInfo
	Empty     bool
	District  *changeChart
	Streets   *changeChart
	Show      *dashColumn
	ShowLinks []rowLink
}

// Compare compares the round with another (?with=ID: an
// earlier round, or an official-style one beside a mock round): the
// district's change in every headline rate and each street's change in
// one (?show=), with the intervals of the changes (the rounds are
// independent samples; stats.Compare).
func (s *Handler) Compare(c echo.Context) error {
	d, err := s.loadDashRound(c)
	if err != nil {
		return err
	}
	p := comparePage{dashHeader: d.header(), With: d.q.With}
	all, err := s.rounds.Rounds(d.ctx, d.caller)
	if err != nil {
		return err
	}
	for _, r := range all {
		if r.ID != d.info.ID {
			p.Others = append(p.Others, r)
		}
		if r.ID == d.q.With && r.ID != d.info.ID {
			r := r
			p.Other = &r
		}
	}
	if d.q.With == 0 {
		return s.ui.Render(c, "dashboard_compare", "dash.compare.title", p)
	}
	if p.Other == nil {
		return apperr.WithFields("invalid comparison", map[string]string{"with": "the id of another round"})
	}
	rep, ok, err := s.estimates(d, "street", d.q.With, false)
	if err != nil {
		return err
	}
	p.Empty = !ok
	if !ok {
		return s.ui.Render(c, "dashboard_compare", "dash.compare.title", p)
	}
	head, items := dashColumns(d.def, rep.Indicators, d.lang, d.q.Target)
	changeOf := func(f results.Figure) changeValue {
		v := changeValue{Now: f.Value, Missing: f.Change == nil || f.N < int64(d.minCell)}
		if !v.Missing {
			v.Diff, v.Lo, v.Hi, v.Before = f.Change.Value, f.Change.CILow, f.Change.CIHigh, f.Value-f.Change.Value
		}
		return v
	}
	var dist []changeValue
	for _, col := range head {
		for _, f := range rep.Estimates {
			if f.Domain == stats.NoDomain && f.Variable == col.ID {
				v := changeOf(f)
				v.Label = col.Label
				dist = append(dist, v)
			}
		}
	}
	percent := true
	for _, col := range head {
		percent = percent && col.Percent
	}
	p.District = newChange("change-district", "dash.chart.change.district", p.Other.Name, percent, dist)
	t := table{Head: head, Items: items}
	if p.Show, err = showColumn(d, t, ""); err != nil {
		return err
	}
	p.ShowLinks = showLinks(d, d.base()+"/compare", t, p.Show)
	if p.Show != nil {
		var sts []changeValue
		for _, f := range rep.Estimates {
			if f.Domain != stats.NoDomain && f.Variable == p.Show.ID {
				v := changeOf(f)
				v.Label = f.DomainLabel
				sts = append(sts, v)
			}
		}
		p.Streets = newChange("change-streets", "dash.chart.change.streets", p.Show.Label, p.Show.Percent, sts)
	}
	return s.ui.Render(c, "dashboard_compare", "dash.compare.title", p)
}

// streetFigures are the streets' estimates of a round with the table's
// columns, and the district's own when the figures are of a respondent
// group (byGroup and ?domain=): what the overview and the drill-downs
// start from.
type streetFigures struct {
	rep, district results.RoundReport
	ok            bool // the round has estimates
	head, items   []*dashColumn
	cols          []*dashColumn // head and items
	target        targetNote
}

func (s *Handler) streetFigures(d *dashRound, byGroup bool) (streetFigures, error) {
	var f streetFigures
	group := byGroup && d.q.Group != ""
	var err error
	if f.rep, f.ok, err = s.estimates(d, "street", 0, group); err != nil {
		return f, err
	}
	if !f.ok {
		return f, nil
	}
	if group {
		if f.district, _, err = s.estimates(d, "", 0, true); err != nil {
			return f, err
		}
	}
	f.head, f.items = dashColumns(d.def, f.rep.Indicators, d.lang, d.q.Target)
	f.cols = slices.Concat(f.head, f.items)
	f.target = noteOf(f.cols, d.q.Target)
	return f, nil
}

// drillDown is a street's or a community's page as loaded: the round, the
// place's id (found within the caller's scope) and the streets' figures.
type drillDown struct {
	*dashRound
	id int64
	streetFigures
}

// drillPage is what a street's and a community's page share.
type drillPage struct {
	dashHeader
	Empty  bool // no estimates yet
	Table  table
	Items  *barChart
	Target targetNote
}

// page starts the drill-down's page data.
func (f *drillDown) page() drillPage {
	return drillPage{dashHeader: f.header(), Empty: !f.ok, Target: f.target}
}

// loadDrillDown loads a drill-down page: the round, the id in the path
// parameter param ("street" or "community"), the place it names as lookup
// (store.RoundStreet, RoundCommunity) finds it within the caller's scope
// (another street's answers not found), and the streets' figures (of a
// respondent group when byGroup).
func loadDrillDown[T any](s *Handler, c echo.Context, param string, byGroup bool,
	lookup func(ctx context.Context, roundID, id int64, sc store.Scope) (T, error)) (*drillDown, T, error) {
	var place T
	d, err := s.loadDashRound(c)
	if err != nil {
		return nil, place, err
	}
	id, err := request.IDParam(c, param, param)
	if err != nil {
		return nil, place, err
	}
	if place, err = lookup(d.ctx, d.info.ID, id, d.caller.Scope()); err != nil {
		return nil, place, err
	}
	f, err := s.streetFigures(d, byGroup)
	if err != nil {
		return nil, place, err
	}
	return &drillDown{dashRound: d, id: id, streetFigures: f}, place, nil
}
