package ui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/web"
)

// Role sets of the navigation, the tabs and the server's access tables
// (admin is always allowed besides the roles listed).
var (
	Supervisors  = []string{store.RoleSupervisor}
	FieldStaff   = []string{store.RoleSupervisor, store.RoleInterviewer}
	Readers      = []string{store.RoleSupervisor, store.RoleAnalyst}
	Interviewers = []string{store.RoleInterviewer}
	AdminsOnly   = []string{store.RoleAdmin}
	OfficeRoles  = []string{store.RoleSupervisor, store.RoleAnalyst} // everyone but interviewers
	Analysts     = []string{store.RoleAnalyst}
)

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
	{"nav.rounds", "/rounds", OfficeRoles, false},
	{"nav.registers", "/registers", []string{store.RoleAdmin}, false},
	{"nav.samples", "/samples", Analysts, false},
	{"nav.surveys", "/surveys", nil, false},
	{"nav.rescue", "/rescue", Supervisors, false},
	{"nav.users", "/users", []string{store.RoleAdmin}, false},
	{"nav.audit", "/audit", []string{store.RoleAdmin}, false},
	{"nav.tls", "/tls", []string{store.RoleAdmin}, false},
	{"nav.tablet", "/t/", Interviewers, true},
	{"nav.help", "/help", nil, false},
}

// Nav returns the navigation a user may use, the entry of the current
// path marked.
func Nav(u store.User, path string) []web.NavItem {
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

// roundTab is one section of a round, the roles it is for and its path
// after /rounds/ID.
type roundTab struct {
	key, suffix string
	roles       []string
}

// roundTabs are a round's sections in their order: every page under
// /rounds/:id shows the ones the user may open.
var roundTabs = []roundTab{
	{"tab.dashboard", "", OfficeRoles},
	{"tab.fieldwork", "/fieldwork", OfficeRoles},
	{"tab.board", "/board", Supervisors},
	{"tab.replacements", "/replacements", Supervisors},
	{"tab.review", "/review", Supervisors},
	{"tab.report", "/report", OfficeRoles},
}

// Tabs returns the sections of round id the user may open, the one at
// path marked.
func Tabs(u store.User, id int64, path string) []web.NavItem {
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
