package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// Phone is the size of a mid-range Android phone in CSS pixels, the
// narrowest screen the pages are made for (issue 22).
const phoneW, phoneH = 360, 740

// minChartText is the smallest chart text a person can read on a phone,
// in CSS pixels.
const minChartText = 11.0

// phoneCheckJS measures the page the tab shows: how wide the document is
// against the window, which elements stick out of the window on the right
// (outside any element that scrolls them), and every chart text that is
// drawn smaller than minChartText (its font size times the scale from
// the SVG's units to the screen).
const phoneCheckJS = `(() => {
	const iw = window.innerWidth;
	const scrolls = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
		const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; };
	const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.classList.length ? "." + [...el.classList].join(".") : "");
	const wide = [];
	for (const el of document.body.querySelectorAll("*")) {
		if (wide.length >= 5) break;
		const r = el.getBoundingClientRect();
		if (r.width > 0 && r.right > screen.width + 0.5 && !scrolls(el) && !el.closest("svg")) wide.push(name(el) + " " + Math.round(r.left) + "–" + Math.round(r.right) + " " + JSON.stringify((el.innerText || "").slice(0, 30)));
	}
	const small = [];
	let texts = 0;
	for (const el of document.querySelectorAll("svg text")) {
		if (el.getClientRects().length === 0 || el.closest("[hidden], details:not([open]) > :not(summary)")) continue;
		const m = el.getScreenCTM();
		if (!m) continue;
		const px = parseFloat(getComputedStyle(el).fontSize) * Math.hypot(m.a, m.b);
		texts++;
		if (px < ` + "11" + ` - 0.01) small.push(JSON.stringify(el.textContent.slice(0, 20)) + " " + px.toFixed(1) + "px");
	}
	// A table that scrolls in its box keeps its first column in view.
	const loose = [];
	for (const w of document.querySelectorAll(".table-wrap")) {
		const row = w.querySelector("tr");
		const cell = row && [...row.children].find((c) => c.getClientRects().length > 0);
		if (w.scrollWidth > w.clientWidth + 1 && cell && getComputedStyle(cell).position !== "sticky") loose.push(name(w.querySelector("table")));
	}
	// The board's households are cards no wider than the screen.
	const cards = [...document.querySelectorAll(".table.board tbody tr")];
	const flat = cards.filter((tr) => getComputedStyle(tr).display !== "grid" || tr.getBoundingClientRect().right > screen.width).length;
	return { sw: document.documentElement.scrollWidth, iw, wide, small: small.slice(0, 5), smallN: small.length, texts, loose, cards: cards.length, flat };
})()`

type phoneCheck struct {
	SW, IW int
	Loose  []string // tables that scroll without a sticky first column
	Cards  int      // the board's households
	Flat   int      // of them, not shown as a card on the screen
	Wide   []string
	Small  []string
	SmallN int
	Texts  int
}

// TestPagesOnPhone opens every page that each kind of user reaches from
// the navigation (one of each kind, found by following links as
// TestCrawlPages does) in Chromium at 360×740, in Chinese and in English,
// and checks that no page is wider than the screen (a table scrolls
// inside its own box or becomes cards) and that no chart draws text
// smaller than 11 CSS pixels; and that the menu of a narrow screen opens
// with 退出登录 on the screen. One browser and one tab serve every user
// in turn, so the test stays quick.
func TestPagesOnPhone(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	seed := servertest.SeedDashboard(t, db)
	base := servertest.NewDashServer(t, db)
	interviewer := fmt.Sprintf("sim-s%d-1", seed.Streets[0].ID)
	b := webtest.Start(t)
	ctx := b.Tab(4 * time.Minute)
	webtest.Run(t, ctx, "phone size", webtest.Viewport(phoneW, phoneH))
	began := time.Now()
	opened := 0
	reached := map[string]bool{}
	for _, who := range []string{"admin", "analyst", "sup1", interviewer} {
		// The password page is not linked from the navigation: it is where
		// a first login (an account slip's one-time password) goes.
		paths := append(phonePages(t, servertest.LoginAs(t, base, who), base), "/password")
		for _, p := range paths {
			reached[phoneKind(p)] = true
		}
		if len(paths) < 2 && who != interviewer {
			t.Fatalf("%s: the crawl found only %v", who, paths)
		}
		phoneLogin(t, ctx, base, who)
		t.Logf("%s: %d kinds of page: %v", who, len(paths), paths)
		phoneMenu(t, ctx, who)
		for _, lang := range []string{"zh-CN", "en"} {
			for _, p := range paths {
				u := base + withLang(p, lang)
				var c phoneCheck
				webtest.Run(t, ctx, "open "+p, chromedp.Navigate(u), chromedp.WaitReady("#main", chromedp.ByQuery), webtest.Rendered(),
					webtest.Eval(phoneCheckJS, &c))
				opened++
				if c.SW > phoneW || c.IW != phoneW {
					t.Errorf("%s (%s) %s is %d px wide (window %d px, the screen %d): %s", who, lang, p, c.SW, c.IW, phoneW, strings.Join(c.Wide, "; "))
				}
				if len(c.Loose) > 0 {
					t.Errorf("%s (%s) %s: tables scroll without their first column in view: %v", who, lang, p, c.Loose)
				}
				if strings.HasSuffix(phoneKind(p), "/board") && (c.Cards == 0 || c.Flat > 0) {
					t.Errorf("%s (%s) %s: %d of the board's %d households are not cards on the screen", who, lang, p, c.Flat, c.Cards)
				}
				if c.SmallN > 0 {
					t.Errorf("%s (%s) %s: %d chart texts under %v px: %s", who, lang, p, c.SmallN, minChartText, strings.Join(c.Small, "; "))
				}
			}
		}
	}
	// Every page of the access table was opened.
	for _, r := range server.PageRoutes() {
		if k := phoneKind(r.Path); r.Method == http.MethodGet && !reached[k] {
			t.Errorf("no user's crawl reached %s (%s)", r.Path, k)
		}
	}
	t.Logf("%d pages at %d×%d in %v", opened, phoneW, phoneH, time.Since(began).Round(time.Millisecond))
	if os.Getenv("MINYI_PHONE_SHOTS") != "" {
		phoneShots(t, ctx, base, seed)
	}
}

// phoneMenu checks the narrow screen's navigation: the menu button is
// there, the links and 退出登录 are hidden until it opens, and then they
// are on the screen.
func phoneMenu(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	var st struct{ Toggle, LogoutBefore, LogoutAfter, NavAfter bool }
	onScreen := `((el) => { if (!el || el.getClientRects().length === 0) return false; const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight; })`
	webtest.Run(t, ctx, "the menu", webtest.Rendered(),
		webtest.Eval(`(() => ({toggle: `+onScreen+`(document.getElementById("menu-toggle")), logoutBefore: `+onScreen+`(document.getElementById("logout"))}))()`, &st))
	if !st.Toggle {
		t.Errorf("%s: no menu button on a phone", who)
		return
	}
	webtest.Run(t, ctx, "open the menu", webtest.Click("#menu-toggle"), webtest.Rendered(),
		webtest.Eval(`(() => ({logoutAfter: `+onScreen+`(document.getElementById("logout")),
			navAfter: [...document.querySelectorAll(".top nav a")].every((a) => `+onScreen+`(a))}))()`, &st))
	if !st.Toggle || st.LogoutBefore || !st.LogoutAfter || !st.NavAfter {
		t.Errorf("%s: the phone's menu: button shown %v, 退出登录 shown before opening %v, after %v, every link on screen after %v",
			who, st.Toggle, st.LogoutBefore, st.LogoutAfter, st.NavAfter)
	}
}

// phoneKind is a page's kind for the phone test: its path with every
// number and a questionnaire's or sample's name replaced, so that one page
// of each is opened (a round's pages are alike for every round, a list
// alike in its sort orders and filters).
func phoneKind(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" || strings.HasPrefix(p, ":") {
			parts[i] = "N"
		}
		if i == 2 && (parts[1] == "surveys" || parts[1] == "samples" && p != "design") {
			parts[i] = "S"
		}
	}
	return strings.Join(parts, "/")
}

// withLang adds lang to a path's query.
func withLang(p, lang string) string {
	u, _ := url.Parse(p)
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// phonePages follows the links of the pages client c can open, from /,
// and returns one path of each kind of page (crawlKind), sorted.
func phonePages(t *testing.T, c *http.Client, base string) []string {
	t.Helper()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	kinds := map[string]string{}
	seen := map[string]bool{}
	queue := []string{"/"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		u, err := url.Parse(p)
		if err != nil || seen[p] {
			continue
		}
		seen[p] = true
		kind := phoneKind(u.Path)
		if _, ok := kinds[kind]; ok {
			continue
		}
		status, _, ctype, body := servertest.GetPage(t, c, base+p)
		if status != http.StatusOK || !strings.HasPrefix(ctype, "text/html") {
			continue
		}
		kinds[kind] = p
		for _, m := range crawlHref.FindAllStringSubmatch(body, -1) {
			hu, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				continue
			}
			abs := u.ResolveReference(hu)
			if abs.Host != "" || abs.Path == "/logout" || abs.Path == "/login" {
				continue
			}
			for _, pre := range []string{"/api/", "/static/", "/t/", "/i18n/"} {
				if strings.HasPrefix(abs.Path, pre) {
					abs = nil
					break
				}
			}
			if abs == nil {
				continue
			}
			abs.Fragment = ""
			q := abs.Query()
			q.Del("lang")
			abs.RawQuery = q.Encode()
			queue = append(queue, abs.RequestURI())
		}
	}
	out := make([]string, 0, len(kinds))
	for _, p := range kinds {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// phoneShots saves screenshots of the pages a street office and the
// district office use most (the board, the dashboard, a street, the
// review queue, the users, the report, the glossary) on a phone (360 px) and on a desk (1280 px),
// in both languages, as PNG files in $MINYI_PHONE_SHOTS (docs/screenshots:
// make docs-screenshots). The phone's show its first 1200 px.
func phoneShots(t *testing.T, ctx context.Context, base string, seed servertest.DashSeed) {
	t.Helper()
	dir := os.Getenv("MINYI_PHONE_SHOTS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := fmt.Sprint(seed.Round)
	shots := []struct{ who, name, path string }{
		{"sup1", "board", "/rounds/" + r + "/board"},
		{"sup1", "review", "/rounds/" + r + "/review"},
		{"admin", "dashboard", "/rounds/" + r},
		{"admin", "street", fmt.Sprintf("/rounds/%s/streets/%d", r, seed.Streets[0].ID)},
		{"admin", "users", "/users"},
		{"admin", "report", "/rounds/" + r + "/report"},
		{"admin", "help", "/help"},
	}
	who := ""
	for _, s := range shots {
		if s.who != who {
			who = s.who
			phoneLogin(t, ctx, base, who)
		}
		for _, lang := range []string{"zh-CN", "en"} {
			for _, size := range [][2]int64{{phoneW, 1200}, {1280, 900}} {
				var png []byte
				webtest.Run(t, ctx, "screenshot "+s.path, webtest.Viewport(size[0], size[1]), chromedp.Navigate(base+withLang(s.path, lang)),
					chromedp.WaitReady("#main", chromedp.ByQuery), webtest.Rendered(), chromedp.CaptureScreenshot(&png))
				name := fmt.Sprintf("%s-%d-%s.png", s.name, size[0], lang)
				if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
				// The charts and the board's cards further down, as the
				// phone draws them.
				if size[0] != phoneW {
					continue
				}
				for _, part := range []struct{ name, sel string }{{"forest", "figure#forest"}, {"items", "figure#items"}, {"cards", "details.community .building"}} {
					var shown bool
					webtest.Run(t, ctx, "find "+part.sel, webtest.Eval(`document.querySelector("`+part.sel+`")?.getClientRects().length > 0`, &shown))
					if !shown {
						continue
					}
					webtest.Run(t, ctx, "screenshot "+part.sel, chromedp.Screenshot(part.sel, &png, chromedp.ByQuery))
					if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%d-%s.png", s.name, part.name, size[0], lang)), png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

// phoneLogin logs the tab in as who through the login form.
func phoneLogin(t *testing.T, ctx context.Context, base, who string) {
	t.Helper()
	webtest.Run(t, ctx, "log in as "+who, network.ClearBrowserCookies(), chromedp.Navigate(base+"/login?lang=zh-CN"),
		webtest.Navigation(webtest.Type(`input[name=username]`, who), webtest.Type(`input[name=password]`, fieldtest.Password),
			webtest.Click(`form:has(input[name=password]) [type=submit]`)),
		webtest.WaitJS(`document.getElementById("logout") !== null`))
}
