package server_test

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/ui"
)

// pageCase is one page opened by every caller of servertest.AccessCallers. route is
// the page's route as registered ("GET /rounds/:id/board"); path is the
// address opened, with the placeholders of pagePlaceholders; want has one
// letter per caller:
//
//	L sent to the login page (303 to /login?next=the page)
//	F the 403 page  N the 404 page  A the page (200, HTML)
//
// Every registered page needs at least one case; a page showing objects of
// a street needs one whose object is another street's (N for sup2).
type pageCase struct {
	route, path, want string
}

// homePageCases are the pages every logged-in user has.
var homePageCases = []pageCase{
	{"GET /", "/", "LAAAAAA"},
	{"GET /surveys", "/surveys", "LAAAAAA"},
	{"GET /surveys/:slug", "/surveys/field", "LAAAAAA"},
	{"GET /surveys/:slug/:version", "/surveys/field/1", "LAAAAAA"},
	{"GET /surveys/:slug/:version", "/surveys/nosuch/1", "LNNNNNN"},
	{"GET /password", "/password", "LAAAAAA"},
	{"GET /help", "/help", "LAAAAAA"},
}

// allPageCases are the cases of every part of the interface; each part
// keeps its own in its test file.
func allPageCases() []pageCase {
	return slices.Concat(homePageCases, officePageCases, streetPageCases, dashboardPageCases, simulationPageCases)
}

// pagePlaceholders are the objects a page case may name: the round, the
// streets, int1a's assignment with a response and the refused one, the
// response, an account no caller uses, the questionnaire, the sample and
// the frame version.
func pagePlaceholders(f *fieldtest.Field, mine []store.Assignment, response int64) *strings.Replacer {
	return strings.NewReplacer(
		"{round}", fmt.Sprint(f.Round.ID),
		"{street1}", fmt.Sprint(f.Streets[0].ID),
		"{street2}", fmt.Sprint(f.Streets[1].ID),
		"{assignment}", fmt.Sprint(mine[0].ID),
		"{refused}", fmt.Sprint(mine[1].ID),
		"{response}", fmt.Sprint(response),
		"{user}", fmt.Sprint(f.Users["int2b"].ID),
		"{survey}", "field",
		"{sample}", "fieldtest",
		"{frame}", "1",
	)
}

// TestPageAccess opens every page as every kind of caller and checks the
// answer against its cases; a registered page without a case fails, as
// does a case naming no page.
func TestPageAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		mine, resp := servertest.SeedAccessObjects(t, f)
		ph := pagePlaceholders(f, mine, resp.ID)
		clients := map[string]*http.Client{"": servertest.Client(t)}
		for _, who := range servertest.AccessCallers[1:] {
			clients[who] = servertest.LoginAs(t, base, who)
		}
		routes := map[string]bool{}
		for _, p := range server.PageRoutes() {
			routes[p.Method+" "+p.Path] = true
		}
		covered := map[string]bool{}
		for _, pc := range allPageCases() {
			if !routes[pc.route] {
				t.Errorf("page case %s names %s, which is not a page", pc.path, pc.route)
			}
			covered[pc.route] = true
			if len(pc.want) != len(servertest.AccessCallers) {
				t.Errorf("page case %s: want %q has %d letters, not %d", pc.path, pc.want, len(pc.want), len(servertest.AccessCallers))
				continue
			}
			path := ph.Replace(pc.path)
			for i, who := range servertest.AccessCallers {
				status, loc, ctype, body := servertest.GetPage(t, clients[who], base+path)
				name := cmp.Or(who, "anonymous")
				fail := func(what string) {
					t.Errorf("%s as %s = %d %s (want %c: %s)\n%.300s", path, name, status, loc, pc.want[i], what, body)
				}
				if pc.want[i] != 'L' && !strings.HasPrefix(ctype, "text/html") {
					fail("an HTML page")
					continue
				}
				switch pc.want[i] {
				case 'L':
					if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
						fail("the login page")
					}
				case 'F':
					if status != http.StatusForbidden {
						fail("403")
					}
				case 'N':
					if status != http.StatusNotFound {
						fail("404")
					}
				case 'A':
					if status != http.StatusOK {
						fail("200")
					} else if !strings.Contains(body, `id="main"`) {
						fail("the page in its layout")
					}
				default:
					t.Fatalf("page case %s: unknown letter %c", pc.path, pc.want[i])
				}
			}
		}
		for r := range routes {
			if !covered[r] {
				t.Errorf("page %s has no case: add one to its part's PageCases", r)
			}
		}
	})
}

// TestNavigation checks that every entry of every role's navigation opens.
func TestNavigation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f)
		pages := map[string]bool{}
		for _, p := range server.PageRoutes() {
			pages[p.Path] = true
		}
		for _, who := range servertest.AccessCallers[1:] {
			c := servertest.LoginAs(t, base, who)
			for _, item := range ui.Nav(f.Users[who], "/") {
				if item.Href == "/t/" {
					continue // the tablet app, tested by tablet_test.go
				}
				if !pages[item.Href] {
					t.Errorf("%s's navigation has %s, which is not a page", who, item.Href)
					continue
				}
				if status, _, _, body := servertest.GetPage(t, c, base+item.Href); status != http.StatusOK {
					t.Errorf("%s's navigation: %s = %d\n%.300s", who, item.Href, status, body)
				}
			}
		}
	})
}
