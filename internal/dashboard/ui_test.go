package dashboard_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/dashboard"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// leagueRow is a row of the league table as the browser shows it.
type leagueRow struct {
	Street int64 `json:"street"`
	Name   string
	Cells  []struct {
		Col, Flag, Est string
	}
}

// whisker is an interval of a chart as the SVG draws it.
type whisker struct {
	Label       string
	Est, Lo, Hi string
	X1, X2, CX  float64
	N           int64
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return f
}

// near compares two figures (NaN equals NaN).
func near(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-9
}

// The dashboard in a browser, on a simulated district with two rounds: the
// league table's order and flags are the engine's (results.ForRound), the
// forest plot's whiskers are the engine's intervals, sorting is done by
// the server, the drill-down goes district → street → community, a
// supervisor sees their street only, the comparison's intervals are the
// engine's, and the report prints on A4 without cutting a table or a
// chart. Screenshots of each page go to the test output (and docs/).
func TestDashboardInBrowser(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	began := time.Now()
	seed := servertest.SeedDashboard(t, db)
	t.Logf("seeded two rounds in %v", time.Since(began).Round(time.Millisecond))
	base := servertest.NewDashServer(t, db)
	ctx := context.Background()
	rep, def := seededStreets(t, db, seed)
	// The engine's street figures and the questionnaire's targets.
	type fig struct {
		est, lo, hi float64
		n           int64
	}
	street := map[string]map[int64]fig{} // variable → street → figure
	names := map[int64]string{}
	for _, f := range rep.Estimates {
		if f.Domain == stats.NoDomain {
			continue
		}
		if street[f.Variable] == nil {
			street[f.Variable] = map[int64]fig{}
		}
		street[f.Variable][f.StreetID] = fig{f.Value, f.CILow, f.CIHigh, f.N}
		names[f.StreetID] = f.DomainLabel
	}
	target := func(v string) float64 {
		if v == results.CompositeID {
			return *def.Composite.Target
		}
		return *def.Indicator(v).Target
	}
	// What the league table must say when sorted by v: streets with at
	// least the minimum cell by estimate, the others after them by name;
	// a street red when its interval lies below the target, amber when it
	// holds it.
	wantOrder := func(v string, desc bool) []int64 {
		ids := make([]int64, 0, len(names))
		for id := range names {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b int64) int {
			if v == "name" { // the district's order: the seed's streets were created in the register's
				return cmp.Compare(a, b)
			}
			fa, fb := street[v][a], street[v][b]
			sa, sb := fa.n < servertest.DashMinCell, fb.n < servertest.DashMinCell
			switch {
			case sa != sb:
				if sa {
					return 1
				}
				return -1
			case !sa && fa.est != fb.est:
				if desc {
					return cmp.Compare(fb.est, fa.est)
				}
				return cmp.Compare(fa.est, fb.est)
			}
			return cmp.Compare(a, b) // ties in the district's order
		})
		return ids
	}
	wantFlag := func(v string, id int64) string {
		f := street[v][id]
		switch {
		case f.n < servertest.DashMinCell:
			return ""
		case f.hi < target(v):
			return "below"
		case f.lo >= target(v):
			return "meets"
		}
		return "straddle"
	}
	flags := map[string]int{}
	for v := range street {
		for id := range names {
			flags[wantFlag(v, id)]++
		}
	}
	if len(names) < 3 || flags["below"] == 0 || flags["straddle"] == 0 {
		t.Fatalf("the seeded round should have 3+ streets and red and amber figures: %d streets, flags %v", len(names), flags)
	}

	u := servertest.NewOfficeUI(t, base)
	u.Login("analyst")
	path := fmt.Sprintf("/rounds/%d", seed.Round)
	readLeague := func() []leagueRow {
		var rows []leagueRow
		u.Run("read the league table", webtest.Eval(`[...document.querySelectorAll('#league-table tbody tr')].map(tr => ({
			street: +tr.dataset.street, Name: tr.querySelector('th').textContent.trim(),
			Cells: [...tr.querySelectorAll('td[data-col]')].map(td => ({Col: td.dataset.col, Flag: td.dataset.flag, Est: td.dataset.estimate}))}))`, &rows))
		return rows
	}
	checkLeague := func(sortBy string, desc bool) {
		t.Helper()
		rows := readLeague()
		want := wantOrder(sortBy, desc)
		got := make([]int64, len(rows))
		for i, r := range rows {
			got[i] = r.Street
			for _, c := range r.Cells {
				e := street[c.Col][r.Street]
				if wf := wantFlag(c.Col, r.Street); c.Flag != wf {
					t.Errorf("%s, %s: flag %q, want %q (engine %.4f [%.4f, %.4f], n %d)", r.Name, c.Col, c.Flag, wf, e.est, e.lo, e.hi, e.n)
				}
				if e.n >= servertest.DashMinCell && !near(num(t, c.Est), e.est) {
					t.Errorf("%s, %s: %s, engine %v", r.Name, c.Col, c.Est, e.est)
				}
				if e.n < servertest.DashMinCell && c.Est != "NaN" {
					t.Errorf("%s, %s on %d respondents is shown: %s", r.Name, c.Col, e.n, c.Est)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("league table by %s (desc %v): %v, want %v", sortBy, desc, got, want)
		}
	}

	// The overview, in the district's order; then sorted by the composite
	// (highest first), by its heading's link.
	u.Open(path)
	u.Run("the charts", webtest.WaitVisible(`#forest svg`), webtest.WaitVisible(`#items svg`))
	checkLeague("name", false)
	u.Shot("dashboard-overview")
	u.Run("sort by the composite", webtest.Navigation(webtest.Click(`#league-table a[data-sort="`+results.CompositeID+`"]`)),
		webtest.WaitVisible(`#league-table th[aria-sort] a[data-sort="`+results.CompositeID+`"]`), webtest.WaitJS(`document.readyState === "complete"`))
	checkLeague(results.CompositeID, true)

	// Sorting by awareness, by its heading's link (the server sorts).
	u.Run("sort by awareness", webtest.Navigation(webtest.Click(`#league-table a[data-sort="awareness"]`)),
		webtest.WaitVisible(`#league-table th[aria-sort] a[data-sort="awareness"]`), webtest.WaitJS(`document.readyState === "complete"`))
	checkLeague("awareness", true)
	u.Run("sort by awareness, lowest first", webtest.Navigation(webtest.Click(`#league-table a[data-sort="awareness"]`)),
		webtest.WaitVisible(`#league-table th[aria-sort="ascending"] a[data-sort="awareness"]`), webtest.WaitJS(`document.readyState === "complete"`))
	checkLeague("awareness", false)

	// The forest plot of the sorted indicator: one whisker per street shown,
	// its data the engine's interval, drawn on one linear scale.
	var ws []whisker
	u.Run("read the forest plot", webtest.Eval(`[...document.querySelectorAll('#forest svg.chart-wide .whisker')].map(l => ({
		Label: l.closest('g').querySelector('.label').textContent, Est: l.dataset.estimate, Lo: l.dataset.lo, Hi: l.dataset.hi, N: +l.dataset.n,
		X1: +l.getAttribute('x1'), X2: +l.getAttribute('x2'), CX: +l.nextElementSibling.getAttribute('cx')}))`, &ws))
	shown := 0
	for id := range names {
		if street["awareness"][id].n >= servertest.DashMinCell {
			shown++
		}
	}
	if len(ws) != shown || shown < 2 {
		t.Fatalf("forest plot has %d whiskers, want %d (streets with n ≥ %d)", len(ws), shown, servertest.DashMinCell)
	}
	byName := map[string]int64{}
	for id, n := range names {
		byName[n] = id
	}
	scale := math.NaN()
	for _, w := range ws {
		e := street["awareness"][byName[w.Label]]
		if !near(num(t, w.Est), e.est) || !near(num(t, w.Lo), e.lo) || !near(num(t, w.Hi), e.hi) || w.N != e.n {
			t.Errorf("whisker %s: %s [%s, %s] n %d, engine %v [%v, %v] n %d", w.Label, w.Est, w.Lo, w.Hi, w.N, e.est, e.lo, e.hi, e.n)
		}
		if !(w.X1 <= w.CX && w.CX <= w.X2) {
			t.Errorf("whisker %s: dot at %v outside its line %v–%v", w.Label, w.CX, w.X1, w.X2)
		}
		// pixels per unit, the same for every whisker (to a pixel's rounding)
		if k := (w.X2 - w.X1) / (e.hi - e.lo); math.IsNaN(scale) {
			scale = k
		} else if math.Abs(k*(e.hi-e.lo)-scale*(e.hi-e.lo)) > 0.5 {
			t.Errorf("whisker %s: %.1f px for an interval of %.4f; others %.1f px per unit", w.Label, w.X2-w.X1, e.hi-e.lo, scale)
		}
	}

	// Drill down: the first street of the table, then its first community.
	first := readLeague()[0]
	u.Run("open a street", webtest.Navigation(webtest.Click(`#league-table tbody tr:first-child th a`)), webtest.WaitVisible(`#drill-street`), webtest.WaitJS(`document.readyState === "complete"`))
	if got := evalText(u, "#drill-street"); got != first.Name {
		t.Errorf("drill-down opened %q, want %q", got, first.Name)
	}
	var streetEst string
	u.Run("read the street's awareness", webtest.Eval(`document.querySelector('#street-table tbody tr[data-street] td[data-col="awareness"]').dataset.estimate`, &streetEst))
	if e := street["awareness"][first.Street]; e.n >= servertest.DashMinCell && !near(num(t, streetEst), e.est) {
		t.Errorf("street page's awareness %s, engine %v", streetEst, e.est)
	}
	u.Run("the street's charts", webtest.WaitVisible(`#items svg`))
	u.Shot("dashboard-street")
	var comms int
	u.Run("count communities", webtest.Eval(`document.querySelectorAll('#community-table tbody tr').length`, &comms))
	if comms < 2 {
		t.Errorf("street page lists %d communities", comms)
	}
	u.Run("open a community", webtest.Navigation(webtest.Click(`#community-table tbody tr:first-child th a`)), webtest.WaitVisible(`#drill-community`), webtest.WaitJS(`document.readyState === "complete"`))
	u.Shot("dashboard-community")

	// A respondent group: the figures are the engine's domain estimates.
	grp, err := results.ForRound(ctx, db, seed.Round, func() results.RoundRequest {
		r := dashboard.EstimateRequest("street", servertest.DashMinCell)
		r.Group = "E1"
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	u.Open(path + "?domain=E1:2")
	rows := readLeague()
	checked := 0
	for _, r := range rows {
		for _, c := range r.Cells {
			for _, f := range grp.Estimates {
				if f.Domain != stats.NoDomain && f.StreetID == r.Street && f.DomainID == 2 && f.Variable == c.Col && f.N >= servertest.DashMinCell {
					checked++
					if !near(num(t, c.Est), f.Value) {
						t.Errorf("group E1=2, %s, %s: %s, engine %v", r.Name, c.Col, c.Est, f.Value)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no group figure checked")
	}
	u.Shot("dashboard-group")

	// Comparison with the rehearsal: the district's changes and their
	// intervals are the engine's.
	cmpRep, err := results.ForRound(ctx, db, seed.Round, func() results.RoundRequest {
		r := dashboard.EstimateRequest("street", servertest.DashMinCell)
		r.CompareTo = seed.Other
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	u.Open(fmt.Sprintf("%s/compare?with=%d", path, seed.Other))
	u.Run("the change chart", webtest.WaitVisible(`#change-district svg`))
	var cws []whisker
	u.Run("read the change chart", webtest.Eval(`[...document.querySelectorAll('#change-district svg.chart-wide .whisker')].map(l => ({
		Label: l.closest('g').querySelector('.label').textContent, Est: l.dataset.estimate, Lo: l.dataset.lo, Hi: l.dataset.hi}))`, &cws))
	if len(cws) < 4 {
		t.Fatalf("change chart has %d whiskers", len(cws))
	}
	for _, w := range cws {
		found := false
		for _, f := range cmpRep.Estimates {
			if f.Domain == stats.NoDomain && f.Change != nil && near(num(t, w.Est), f.Change.Value) {
				found = near(num(t, w.Lo), f.Change.CILow) && near(num(t, w.Hi), f.Change.CIHigh)
			}
		}
		if !found {
			t.Errorf("change %s: %s [%s, %s] is not an engine's change", w.Label, w.Est, w.Lo, w.Hi)
		}
	}
	u.Shot("dashboard-compare")

	// The report, printed in both languages: on A4 pages no table or
	// chart is cut, no name or header broken inside a word.
	checkPrint(t, u, path+"/report", "zh-CN", "report-5-streets-zh-CN", "dashboard-report")
	checkPrint(t, u, path+"/report", "en", "report-5-streets-en", "")

	// In English (a screenshot for the test output only).
	u.Open(path + "?lang=en")
	if got := evalText(u, "#league h2"); got != "Street league table" {
		t.Errorf("English league table heading %q", got)
	}
	u.B.Screenshot(u.Ctx, "dashboard-overview-en")

	// A supervisor: the district line and their own street only; another
	// street's drill-down is not found.
	sup := servertest.NewOfficeUI(t, base)
	sup.Login("sup2")
	sup.Open(path)
	var supRows []leagueRow
	sup.Run("read the supervisor's table", webtest.Eval(`[...document.querySelectorAll('#league-table tbody tr')].map(tr => ({street: +tr.dataset.street}))`, &supRows))
	if len(supRows) != 1 || supRows[0].Street != seed.Streets[1].ID {
		t.Errorf("sup2 sees streets %+v, want only %d", supRows, seed.Streets[1].ID)
	}
	var whiskers int
	sup.Run("count the supervisor's whiskers", webtest.Eval(`document.querySelectorAll('#forest svg.chart-wide .whisker').length`, &whiskers))
	if whiskers > 1 {
		t.Errorf("sup2's forest plot has %d streets", whiskers)
	}
	sup.Shot("dashboard-supervisor")
	// … and the district's figure of a respondent group.
	sup.Open(path + "?domain=E1:2")
	var groupDistrict string
	sup.Run("read the group's district figure", webtest.Eval(`document.querySelector('#live-key .tile[data-col="awareness"] .tile-est').textContent.trim()`, &groupDistrict))
	if groupDistrict == "" || groupDistrict == "—" {
		t.Errorf("sup2's district figure for a group: %q", groupDistrict)
	}
	sup.Open(fmt.Sprintf("%s/streets/%d", path, seed.Streets[0].ID))
	if got := evalText(sup, "#main h1"); !strings.Contains(got, "页面不存在") {
		t.Errorf("sup2 on street 1's page sees %q, want the 404 page", got)
	}
}

// evalText reads an element's text once the page has loaded (a script
// reads it, so no node id can go stale across the load).
func evalText(u *servertest.OfficeUI, sel string) string {
	u.T.Helper()
	var s string
	u.Run("read "+sel, webtest.WaitJS(`document.readyState === "complete"`),
		webtest.Eval(fmt.Sprintf(`(document.querySelector(%q) || {textContent: ""}).textContent.trim()`, sel), &s))
	return s
}
