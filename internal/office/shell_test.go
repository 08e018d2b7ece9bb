package office_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestOfficeShellInBrowser logs in as each office role and checks the
// navigation shows what the role may do, in Chinese and then in English,
// and that logging out ends the session.
func TestOfficeShellInBrowser(t *testing.T) {
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	for _, who := range []string{"admin", "sup1", "analyst"} {
		u := servertest.NewOfficeUI(t, base)
		u.Login(who)
		var links []string
		u.Run("read the navigation", chromedp.Evaluate(`[...document.querySelectorAll("header nav a")].map(a => a.getAttribute("href"))`, &links))
		var want []string
		for _, n := range ui.Nav(store.User{ID: 1, Role: roleOf(who)}, "/") {
			want = append(want, n.Href)
		}
		if strings.Join(links, " ") != strings.Join(want, " ") {
			t.Errorf("%s's navigation = %v, want %v", who, links, want)
		}
		if who == "admin" {
			u.Shot("office-home-zh")
			u.Run("switch to English", webtest.Navigation(webtest.Click(`[data-lang-switch]`)))
			u.WaitFor(`html[lang=en] #logout`)
			if got := u.Text(`header nav a[aria-current=page]`); got != "Home" {
				t.Errorf("current navigation entry in English = %q, want Home", got)
			}
			u.Shot("office-home-en")
		}
		u.Run("log out", webtest.Navigation(webtest.Click(`#logout`)))
		u.WaitFor(`#login-form`)
		u.Open("/")
		var path string
		u.Run("where", chromedp.Evaluate(`location.pathname`, &path))
		if path != "/login" {
			t.Errorf("%s after logout: / shows %s, want the login page", who, path)
		}
	}
}

func roleOf(username string) string {
	switch {
	case username == "admin":
		return store.RoleAdmin
	case username == "analyst":
		return store.RoleAnalyst
	case strings.HasPrefix(username, "sup"):
		return store.RoleSupervisor
	}
	return store.RoleInterviewer
}
