package dashboard

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/web"
)

// dashRound is what every dashboard page starts from: the round the
// caller may see, its questionnaire, the caller and the page's options.
type dashRound struct {
	c       echo.Context
	ctx     context.Context
	caller  rounds.Caller
	info    store.RoundInfo
	def     *questionnaire.Definition
	lang    string
	q       dashQuery
	minCell int
	now     time.Time
	loc     *time.Location
	// problem is why the round has no estimates although it has
	// responses (e.g. responses accepted after its weighting): the page
	// shows it above its fieldwork instead of failing as a whole.
	problem string
}

// dashQuery is a dashboard page's query: league table order, the indicator
// of the forest plot, the respondent group and the default target.
type dashQuery struct {
	Sort, Show string
	Desc, Dir  bool // Dir: a direction was asked for
	Domain     string
	Group      string // question code of the respondent group
	Code       int64  // its answer code; -1 for none
	Target     float64
	With       int64 // compare: the other round
	values     url.Values
}

// parseDashQuery reads and range-checks a dashboard page's query.
func parseDashQuery(c echo.Context, def *questionnaire.Definition) (dashQuery, error) {
	q := dashQuery{Code: -1, Target: math.NaN(), values: c.QueryParams()}
	fields := map[string]string{}
	if v := c.QueryParam("sort"); v != "" {
		if len(v) > 64 || !validName(v) {
			fields["sort"] = "name or an indicator id"
		}
		q.Sort = v
	}
	if v := c.QueryParam("show"); v != "" {
		if len(v) > 64 || !validName(v) {
			fields["show"] = "an indicator id"
		}
		q.Show = v
	}
	switch v := c.QueryParam("dir"); v {
	case "":
	case "asc", "desc":
		q.Desc, q.Dir = v == "desc", true
	default:
		fields["dir"] = "asc or desc"
	}
	if v := c.QueryParam("target"); v != "" {
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || !(t > 0 && t <= 1) {
			fields["target"] = "a share above 0 and at most 1, e.g. 0.85"
		}
		q.Target = t
	}
	if v := c.QueryParam("domain"); v != "" {
		code, opt, ok := strings.Cut(v, ":")
		n, err := strconv.ParseInt(opt, 10, 64)
		qq := def.Question(code)
		switch {
		case !ok || err != nil || len(v) > 80:
			fields["domain"] = "QUESTION:CODE, e.g. E1:2"
		case qq == nil || !groupable(qq):
			fields["domain"] = code + " is not a single-choice question of the questionnaire"
		case qq.Option(int(n)) == nil:
			fields["domain"] = fmt.Sprintf("%s has no answer %d", code, n)
		default:
			q.Domain, q.Group, q.Code = v, code, n
		}
	}
	if v := c.QueryParam("with"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fields["with"] = "the id of another round"
		}
		q.With = n
	}
	if len(fields) > 0 {
		return q, apperr.WithFields("invalid dashboard request", fields)
	}
	return q, nil
}

// validName accepts the characters of indicator ids and "name".
func validName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// groupable reports whether a question's answers can make respondent
// groups (as results' groups do).
func groupable(q *questionnaire.Question) bool {
	return q.Type == questionnaire.TypeSingleChoice || q.Type == questionnaire.TypeYesNo
}

// href is path with the page's query, changed by kv pairs ("" removes).
func (q dashQuery) href(path string, kv ...string) string {
	v := url.Values{}
	for k, vs := range q.values {
		if k != "lang" {
			v[k] = slices.Clone(vs)
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if e := v.Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

// loadDashRound opens the round of the path for the caller.
func (s *Handler) loadDashRound(c echo.Context) (*dashRound, error) {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	caller := request.Caller(c)
	info, err := s.rounds.Round(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	r, err := s.db.RoundByID(ctx, id)
	if err != nil {
		return nil, err
	}
	def, err := questionnaire.ParseJSON(r.Questionnaire, []byte(r.Definition))
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", id)
	}
	q, err := parseDashQuery(c, def)
	if err != nil {
		return nil, err
	}
	// The district's zone: the page's times and its days (by-day counts).
	loc := s.ui.Location()
	return &dashRound{c: c, ctx: ctx, caller: caller, info: info, def: def, lang: s.ui.Lang(c), q: q, minCell: s.minCell, now: time.Now(), loc: loc}, nil
}

// base is the round's dashboard path.
func (d *dashRound) base() string { return "/rounds/" + strconv.FormatInt(d.info.ID, 10) }

// supervisor reports whether the caller sees one street only.
func (d *dashRound) supervisor() bool { return d.caller.User.Role == store.RoleSupervisor }

// dashLonelyPSU is the dashboard's lonely PSU policy. During fieldwork a
// street often has interviews in one community only; R's default ("fail")
// would then blank the whole dashboard. "adjust" (R's
// survey.lonely.psu = "adjust") changes nothing where every street has two
// PSUs or more, and is conservative where one has a single PSU; the
// report's methods section says so.
const dashLonelyPSU = stats.LonelyAdjust

// EstimateRequest is the estimate request of the dashboard's pages (by
// "street", "community" or "" for the district), which benchmarks reuse.
func EstimateRequest(by string, minCell int) results.RoundRequest {
	return results.RoundRequest{By: by, LonelyPSU: dashLonelyPSU, Options: stats.Options{MinN: int64(minCell), CI: results.RoundCI}}
}

// estimates runs results.ForRound for the page: by a breakdown, with the
// respondent group of the query, compared with another round if asked.
// A round without responses yet gives an empty report, not an error. A
// supervisor keeps the district's figures and their own street's.
func (s *Handler) estimates(d *dashRound, by string, compare int64, group bool) (results.RoundReport, bool, error) {
	req := EstimateRequest(by, d.minCell)
	req.CompareTo = compare
	if group {
		req.Group = d.q.Group
	}
	req.Scope = store.Scope{StreetID: d.caller.Scope().StreetID}
	rep, err := results.ForRound(d.ctx, s.db, d.info.ID, req)
	if apperr.Is(err, apperr.NotFound) {
		return rep, false, nil
	}
	if apperr.Is(err, apperr.Conflict) {
		d.problem = apperr.PublicMessage(err)
		return rep, false, nil
	}
	if err != nil {
		return rep, false, err
	}
	return rep, true, nil
}

// dashHeader is what every dashboard page shows above its content.
type dashHeader struct {
	Round      store.RoundInfo
	Tabs       []web.NavItem
	Base       string
	AsOf       string // HH:MM:SS in the district's time zone
	Refresh    string // the page itself, for the refresh link
	Supervisor bool
	MinCell    int
	Exports    []exportLink
	Domain     string // the respondent group's label, "" for all respondents
	Groups     []groupChoice
	DomainArg  string
	problem    *string
}

// Problem is why the page shows no estimates, if it is not simply that
// the round has no responses yet.
func (h dashHeader) Problem() string {
	if h.problem == nil {
		return ""
	}
	return *h.problem
}

// exportLink is a download of the round's data (internal/export).
type exportLink struct{ Key, Href string }

// groupChoice is a respondent group the filter offers.
type groupChoice struct {
	Question, Label string
	Options         []groupOption
}

type groupOption struct {
	Value, Label string
	Selected     bool
}

// header fills the common header.
func (d *dashRound) header() dashHeader {
	// The drill-down and comparison pages belong to the overview's tab.
	tab := d.c.Request().URL.Path
	if !strings.HasSuffix(tab, "/report") {
		tab = d.base()
	}
	h := dashHeader{Round: d.info, Base: d.base(), Tabs: ui.Tabs(d.caller.User, d.info.ID, tab),
		AsOf: d.now.In(d.loc).Format("15:04:05"), Refresh: d.c.Request().URL.RequestURI(), Supervisor: d.supervisor(), MinCell: d.minCell, DomainArg: d.q.Domain, problem: &d.problem}
	for _, kind := range []string{"responses", "summary", "codebook"} {
		for _, f := range []string{"csv", "xlsx"} {
			h.Exports = append(h.Exports, exportLink{Key: "dash.export." + kind + "." + f, Href: fmt.Sprintf("/api/v1/rounds/%d/export/%s?format=%s&labels=1&lonely_psu=adjust", d.info.ID, kind, f)})
		}
	}
	h.Exports = append(h.Exports, exportLink{Key: "dash.export.r-bundle", Href: fmt.Sprintf("/api/v1/rounds/%d/export/r-bundle?lonely_psu=adjust", d.info.ID)})
	for _, sec := range d.def.Sections {
		for _, q := range sec.Questions {
			if !groupable(q) {
				continue
			}
			g := groupChoice{Question: q.Code, Label: q.Code + " " + text(q.Label, d.lang)}
			for _, o := range q.Options {
				if o.Special != "" {
					continue
				}
				v := q.Code + ":" + strconv.Itoa(o.Code)
				g.Options = append(g.Options, groupOption{Value: v, Label: text(o.Label, d.lang), Selected: v == d.q.Domain})
				if v == d.q.Domain {
					h.Domain = text(q.Label, d.lang) + "：" + text(o.Label, d.lang)
				}
			}
			h.Groups = append(h.Groups, g)
		}
	}
	return h
}

// table is the figures of a page at one level: columns, the district
// line and the rows below it.
type table struct {
	Head     []*dashColumn
	Items    []*dashColumn
	District dashRow
	Rows     []dashRow
}

// streetTable builds the district line and one row per street of a
// by-street report (with the query's respondent group when set).
func (s *Handler) streetTable(d *dashRound, head, items []*dashColumn, rep, district results.RoundReport) table {
	cols := slices.Concat(head, items)
	t := table{Head: head, Items: items}
	group := d.q.Code
	figs := indexFigures(rep.Report, group)
	if group >= 0 {
		for k, v := range indexFigures(district.Report, group) {
			if k.district {
				figs[k] = v
			}
		}
	}
	t.District = rowOf(0, "", "", cols, figs, true, d.minCell)
	seen := map[int64]bool{}
	for _, f := range rep.Estimates {
		if f.Domain == stats.NoDomain || seen[f.StreetID] || (group >= 0 && f.DomainID != group) {
			continue
		}
		seen[f.StreetID] = true
		name := f.DomainLabel
		if group >= 0 {
			name, _, _ = strings.Cut(name, " × ")
		}
		href := d.q.href(fmt.Sprintf("%s/streets/%d", d.base(), f.StreetID), "sort", "", "dir", "")
		r := rowOf(f.StreetID, name, href, cols, figs, false, d.minCell)
		r.Pos = len(t.Rows) // the report's domains come in the district's order
		t.Rows = append(t.Rows, r)
	}
	return t
}

// sortLink is a league table heading that sorts by its column.
type sortLink struct {
	ID, Label, Href string
	Active, Desc    bool
	Col             *dashColumn
}

// sortTable orders rows by the query (default: the district's order of
// streets, as every table, chart and export lists them; a heading sorts
// by its rate, highest first, ties in the district's order) and returns
// the headings' links.
func sortTable(d *dashRound, path string, t *table) (string, bool, []sortLink, error) {
	sort, desc := d.q.Sort, true
	if d.q.Dir {
		desc = d.q.Desc
	}
	if sort == "" {
		sort, desc = "name", d.q.Dir && d.q.Desc
	}
	cols := slices.Concat(t.Head, t.Items)
	if sort != "name" && !slices.ContainsFunc(cols, func(c *dashColumn) bool { return c.ID == sort }) {
		return "", false, nil, apperr.WithFields("invalid sort", map[string]string{"sort": "name or an indicator of the table"})
	}
	sortRows(t.Rows, sort, desc)
	link := func(id string) string {
		dir := "desc"
		if id == sort && desc || id == "name" && sort != "name" {
			dir = "asc"
		}
		return d.q.href(path, "sort", id, "dir", dir) + "#league"
	}
	links := []sortLink{{ID: "name", Href: link("name"), Active: sort == "name", Desc: desc}}
	for _, c := range t.Head {
		links = append(links, sortLink{ID: c.ID, Label: c.Label, Href: link(c.ID), Active: sort == c.ID, Desc: desc, Col: c})
	}
	return sort, desc, links, nil
}

// showColumn is the indicator of the forest plot: ?show=, else the sort
// column, else the last headline rate.
func showColumn(d *dashRound, t table, sort string) (*dashColumn, error) {
	cols := slices.Concat(t.Head, t.Items)
	want := d.q.Show
	if want == "" {
		want = sort
	}
	for _, c := range cols {
		if c.ID == want {
			return c, nil
		}
	}
	if d.q.Show != "" {
		return nil, apperr.WithFields("invalid indicator", map[string]string{"show": "an indicator of the table"})
	}
	if len(t.Head) > 0 {
		return t.Head[len(t.Head)-1], nil
	}
	if len(cols) > 0 {
		return cols[0], nil
	}
	return nil, nil
}

// weakest returns a row's item cells from the lowest estimate up
// (suppressed ones last), at most n (0: all).
func weakest(r dashRow, items []*dashColumn, n int) []dashCell {
	var cells []dashCell
	for _, c := range items {
		cells = append(cells, r.cell(c.ID))
	}
	slices.SortStableFunc(cells, func(a, b dashCell) int {
		na, nb := a.Missing || a.Suppressed, b.Missing || b.Suppressed
		switch {
		case na != nb:
			if na {
				return 1
			}
			return -1
		case na:
			return 0
		case a.Est < b.Est:
			return -1
		case a.Est > b.Est:
			return 1
		}
		return 0
	})
	if n > 0 && len(cells) > n {
		cells = cells[:n]
	}
	return cells
}

// rowLink is a choice of indicator for a chart.
type rowLink struct {
	Label, Href string
	Current     bool
}

// showLinks offers every headline and item column for the forest plot.
func showLinks(d *dashRound, path string, t table, cur *dashColumn) []rowLink {
	var out []rowLink
	for _, c := range slices.Concat(t.Head, t.Items) {
		out = append(out, rowLink{Label: c.Label, Href: d.q.href(path, "show", c.ID) + "#forest", Current: cur != nil && c.ID == cur.ID})
	}
	return out
}
