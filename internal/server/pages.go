package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/ui"
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
	officeRoles = ui.OfficeRoles // and admin: everyone but interviewers
	analysts    = ui.Analysts
)

// pageRoutes is the access table of the pages. Each face of the interface
// has its pages in its own function here, its handlers in its own package.
func (s *Server) pageRoutes() []page {
	var ps []page
	ps = append(ps, s.homePages()...)
	ps = append(ps, s.officePages()...)     // the district survey office (admin): internal/office
	ps = append(ps, s.streetPages()...)     // the street offices (supervisor): internal/streetoffice
	ps = append(ps, s.dashboardPages()...)  // the analysts' dashboard and report: internal/dashboard
	ps = append(ps, s.simulationPages()...) // the design evaluation: internal/design
	return ps
}

// homePages are the pages that every logged-in user has.
func (s *Server) homePages() []page {
	return []page{
		{method: "GET", path: "/", handler: s.office.Home},
		{method: "GET", path: "/surveys", handler: s.office.Surveys},
		{method: "GET", path: "/surveys/:slug", handler: s.office.Survey},
		{method: "GET", path: "/surveys/:slug/:version", handler: s.office.Survey},
		{method: "GET", path: "/password", handler: s.passwordPage}, // choose a new password (first of all, after a one-time one)
		{method: "GET", path: "/help", handler: s.helpPage},         // the glossary (internal/glossary)
	}
}

// dashboardPages are the analysts' pages: a round's dashboard, its drill
// down, comparisons, exports and the printable report. Analysts and admins
// see every street (internal/dashboard); a supervisor the district's figures and their own
// street's (another street's rows are left out, its pages are 404).
func (s *Server) dashboardPages() []page {
	return []page{
		{method: "GET", path: "/rounds/:id", handler: s.dash.Overview, roles: officeRoles},
		{method: "GET", path: "/rounds/:id/streets/:street", handler: s.dash.Street, roles: officeRoles},
		{method: "GET", path: "/rounds/:id/communities/:community", handler: s.dash.Community, roles: officeRoles},
		{method: "GET", path: "/rounds/:id/compare", handler: s.dash.Compare, roles: officeRoles},
		{method: "GET", path: "/rounds/:id/report", handler: s.dash.Report, roles: officeRoles},
	}
}

// streetPages are the pages of a street office (supervisor): the
// assignment board, progress, replacements, the review queue and the
// tablet rescue. A supervisor sees their own street; an administrator
// (and, on the progress page, an analyst) chooses a street with ?street=.
// Another street's object answers 404 to a supervisor, decided in the SQL
// (internal/streetoffice).
func (s *Server) streetPages() []page {
	return []page{
		{method: "GET", path: "/rounds/:id/board", handler: s.street.Board, roles: supervisors},
		{method: "GET", path: "/rounds/:id/fieldwork", handler: s.street.Fieldwork, roles: officeRoles},
		{method: "GET", path: "/rounds/:id/replacements", handler: s.street.Replacements, roles: supervisors},
		{method: "GET", path: "/rounds/:id/review", handler: s.street.Review, roles: supervisors},
		{method: "GET", path: "/rounds/:id/review/:response", handler: s.street.ReviewResponse, roles: supervisors},
		{method: "GET", path: "/rescue", handler: s.street.Rescue, roles: supervisors},
		{method: "POST", path: "/rescue", handler: s.street.RescueUpload, roles: supervisors, upload: true},
	}
}

// officePages are the pages of the district survey office (admin):
// registers, samples, rounds, users and the audit log. Every form on them
// posts to the JSON API, which is the only validator; the pages read the
// store directly, scoped as the API would be.
func (s *Server) officePages() []page {
	return []page{
		{method: "GET", path: "/rounds", handler: s.office.Rounds, roles: officeRoles},
		{method: "GET", path: "/registers", handler: s.office.Registers, roles: adminsOnly},
		{method: "GET", path: "/samples", handler: s.office.Samples, roles: analysts},
		{method: "GET", path: "/samples/:name", handler: s.office.Sample, roles: analysts},
		{method: "GET", path: "/users", handler: s.office.Users, roles: adminsOnly},
		{method: "POST", path: "/users/import", handler: s.office.ImportUsers, roles: adminsOnly, upload: true}, // answers the sheet of account slips
		{method: "GET", path: "/audit", handler: s.office.Audit, roles: adminsOnly},
		{method: "GET", path: "/tls", handler: s.office.TLS, roles: adminsOnly},
	}
}

// simulationPages are the design evaluation's pages.
func (s *Server) simulationPages() []page {
	return []page{
		{method: "GET", path: "/samples/design", handler: s.design.Page, roles: analysts},
	}
}

// registerPages adds every page of pageRoutes to echo with its login and
// role check.
func (s *Server) registerPages() {
	for _, p := range s.pageRoutes() {
		mw := []echo.MiddlewareFunc{s.limitBodyOf(p.upload), s.authenticated}
		if len(p.roles) > 0 {
			mw = append(mw, require(p.roles...))
		}
		s.e.Add(p.method, p.path, p.handler, mw...)
	}
}
