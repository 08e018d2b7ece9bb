package server

import (
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/web"
)

// page is one browser page and who may open it, as route is for the API:
// every page is registered from pageRoutes, and TestPageAccess opens every
// one as every kind of caller. A caller who is not logged in is sent to the
// login page (and back afterwards); a role the page is not for gets the
// friendly 403 page; another street's object answers the 404 page, decided
// in the SQL as in the API.
type page struct {
	method, path string
	handler      echo.HandlerFunc
	roles        []string // who may open it (admin always); empty: every logged-in user
	upload       bool     // raises the body limit (a form posting a file)
}

// Role sets of the pages.
var (
	officeRoles = []string{store.RoleSupervisor, store.RoleAnalyst} // and admin: everyone but interviewers
	analysts    = []string{store.RoleAnalyst}
)

// pageRoutes is the access table of the pages. Each part of the interface
// keeps its pages in its own function and file.
func (s *Server) pageRoutes() []page {
	var ps []page
	ps = append(ps, s.homePages()...)
	ps = append(ps, s.officePages()...)     // the district survey office (admin): office_*.go
	ps = append(ps, s.streetPages()...)     // the street offices (supervisor): street_*.go
	ps = append(ps, s.dashboardPages()...)  // the analysts' dashboard and report: dashboard_*.go
	ps = append(ps, s.simulationPages()...) // the design evaluation: simulation_*.go
	return ps
}

// homePages are the pages that every logged-in user has.
func (s *Server) homePages() []page {
	return []page{
		{method: "GET", path: "/", handler: s.homePage},
		{method: "GET", path: "/surveys", handler: s.surveysPage},
		{method: "GET", path: "/surveys/:slug", handler: s.surveyPage},
		{method: "GET", path: "/surveys/:slug/:version", handler: s.surveyPage},
	}
}

// registerPages adds every page of pageRoutes to echo with its login and
// role check.
func (s *Server) registerPages() {
	for _, p := range s.pageRoutes() {
		limit := func() int64 { return s.bodyLimit }
		if p.upload {
			limit = func() int64 { return s.uploadLimit }
		}
		mw := []echo.MiddlewareFunc{limitBody(limit), s.authenticated}
		if len(p.roles) > 0 {
			mw = append(mw, require(p.roles...))
		}
		s.e.Add(p.method, p.path, p.handler, mw...)
	}
}

// navItem is one entry of the top navigation and the roles it is for
// (empty: every logged-in user; admin always).
type navItem struct {
	key, href string
	roles     []string
	only      bool // for the roles listed alone, not admin too
}

// navigation is the top navigation in its order. Each entry leads to a page
// of pageRoutes open to the same roles (TestNavigation checks it).
var navigation = []navItem{
	{"nav.home", "/", nil, false},
	{"nav.rounds", "/rounds", officeRoles, false},
	{"nav.registers", "/registers", []string{store.RoleAdmin}, false},
	{"nav.samples", "/samples", analysts, false},
	{"nav.surveys", "/surveys", nil, false},
	{"nav.rescue", "/rescue", supervisors, false},
	{"nav.users", "/users", []string{store.RoleAdmin}, false},
	{"nav.audit", "/audit", []string{store.RoleAdmin}, false},
	{"nav.tablet", "/t/", interviewers, true},
}

// navFor returns the navigation a user may use, the entry of the current
// path marked.
func navFor(u store.User, path string) []web.NavItem {
	if u.ID == 0 {
		return nil
	}
	var items []web.NavItem
	for _, n := range navigation {
		if len(n.roles) > 0 && !auth.Allowed(u.Role, n.roles...) || n.only && !slices.Contains(n.roles, u.Role) {
			continue
		}
		cur := path == n.href || (n.href != "/" && strings.HasPrefix(path, strings.TrimSuffix(n.href, "/")+"/"))
		items = append(items, web.NavItem{Key: n.key, Href: n.href, Current: cur})
	}
	return items
}

// render writes a page with the layout: the user's navigation, the
// language and the query for the language switch.
func (s *Server) render(c echo.Context, name, titleKey string, data any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.pages.Render(c.Response(), s.pageFor(c, name, titleKey, data))
}

// pageFor is what the layout needs to render page name for this request.
func (s *Server) pageFor(c echo.Context, name, titleKey string, data any) web.Page {
	r := c.Request()
	pg := web.Page{Name: name, Title: titleKey, Lang: s.lang(c), Path: r.URL.Path, Data: data}
	other := "en"
	if pg.Lang == "en" {
		other = "zh-CN"
	}
	q := r.URL.Query()
	q.Set("lang", other)
	pg.LangHref = "?" + q.Encode()
	if u, ok := request.LoggedIn(c); ok {
		pg.User = u
		pg.Nav = navFor(u, r.URL.Path)
	}
	return pg
}

// roundTab is one section of a round, the roles it is for and its path
// after /rounds/ID.
type roundTab struct {
	key, suffix string
	roles       []string
}

// roundTabs are a round's sections in their order: every page under
// /rounds/:id shows the ones the user may open.
var roundTabs = []roundTab{
	{"tab.dashboard", "", officeRoles},
	{"tab.fieldwork", "/fieldwork", officeRoles},
	{"tab.board", "/board", supervisors},
	{"tab.replacements", "/replacements", supervisors},
	{"tab.review", "/review", supervisors},
	{"tab.report", "/report", officeRoles},
}

// tabsFor returns the sections of round id the user may open, the one at
// path marked.
func tabsFor(u store.User, id int64, path string) []web.NavItem {
	base := "/rounds/" + strconv.FormatInt(id, 10)
	var items []web.NavItem
	for _, t := range roundTabs {
		if !auth.Allowed(u.Role, t.roles...) {
			continue
		}
		href := base + t.suffix
		items = append(items, web.NavItem{Key: t.key, Href: href, Current: path == href || (t.suffix != "" && strings.HasPrefix(path, href+"/"))})
	}
	return items
}
