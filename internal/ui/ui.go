// Package ui is what every page of the web interface shares: rendering a
// page with the layout (the user's navigation, the language switch), the
// request's language, a round's section tabs and the role sets the
// navigation and the server's access tables use. Each face (office, street
// office, dashboard, design evaluation) renders through it.
package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/web"
)

// UI renders pages from the embedded templates and strings.
type UI struct{ pages *web.Pages }

// New returns the pages' renderer.
func New(pages *web.Pages) *UI { return &UI{pages: pages} }

// Pages are the parsed templates and strings.
func (u *UI) Pages() *web.Pages { return u.pages }

// Location is the district's time zone (serve --timezone): a view model
// that writes a time itself writes it in this zone, and a page's days are
// its days.
func (u *UI) Location() *time.Location { return u.pages.Location() }

// Lang picks the interface language (request.Lang); a ?lang= choice is
// remembered in the minyi_lang cookie.
func (u *UI) Lang(c echo.Context) string {
	l := request.Lang(c)
	if c.QueryParam("lang") != "" {
		c.SetCookie(&http.Cookie{Name: "minyi_lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	}
	return l
}

// Render writes a page with the layout: the user's navigation, the
// language and the query for the language switch.
func (u *UI) Render(c echo.Context, name, titleKey string, data any) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	return u.pages.Render(c.Response(), u.Page(c, name, titleKey, data))
}

// Page is what the layout needs to render page name for this request.
func (u *UI) Page(c echo.Context, name, titleKey string, data any) web.Page {
	r := c.Request()
	pg := web.Page{Name: name, Title: titleKey, Lang: u.Lang(c), Path: r.URL.Path, Data: data}
	other := "en"
	if pg.Lang == "en" {
		other = "zh-CN"
	}
	q := r.URL.Query()
	q.Set("lang", other)
	pg.LangHref = "?" + q.Encode()
	if user, ok := request.LoggedIn(c); ok {
		pg.User = user
		pg.Nav = Nav(user, r.URL.Path)
	}
	return pg
}
