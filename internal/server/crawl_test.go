package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/web"
)

// crawlNamespaces are the first parts of the interface's string keys: a
// dotted word starting with one of them in a page's text is a key shown
// raw (a tr without its string), not data.
var crawlNamespaces = []string{"app", "dash", "design", "error", "form", "home", "login", "nav", "office", "role", "street", "surveys", "tab", "tablet"}

var (
	crawlHref    = regexp.MustCompile(`(?i)\shref="([^"]*)"`)
	crawlKeyish  = regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b`)
	crawlDrop    = regexp.MustCompile(`(?is)<(script|style|code|pre|textarea)\b.*?</(script|style|code|pre|textarea)>`)
	crawlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	crawlAttr    = regexp.MustCompile(`\s(?:title|placeholder|aria-label|alt)="([^"]*)"`)
	crawlNumbers = regexp.MustCompile(`/\d+`)
	crawlHan     = regexp.MustCompile(`\p{Han}`)
	// crawlEnglish is four English words in a row (not symbols: n, SE).
	crawlEnglish = regexp.MustCompile(`\b[A-Za-z]{2,}(?:[ ,'’]+[A-Za-z]{2,}){3,}\b`)
)

// TestCrawlPages opens every page each kind of user can reach from the
// navigation, by following links, in Chinese and in English, on a
// simulated district with two worked rounds, and checks what a street
// office or an analyst would trip over:
//
//   - every same-site link of every page (pages, exports, the tablet app)
//     answers below 400: no 404 and no 5xx, and no 403 for a link the
//     user was offered (the review list once linked each response with
//     ?street=0 for the office roles, a 404);
//   - no page shows an interface string key raw ("dash.xxx");
//   - no page shows a Printf mistake (%!d(…));
//   - a Chinese page shows no string of the English interface and no run
//     of English words, and an English page none of the Chinese and no
//     Chinese punctuation (data such as round names aside; the charts'
//     captions once joined their subject with "：").
//
// The crawl opens one page of each kind (paths alike but for their numbers
// after the round's), so it stays small; it must reach the deep pages (a
// street, a community, a response) for the check to mean something.
//
// It runs on SQLite only: what each role may open is checked on both
// databases by TestPageAccess, and the pages' queries by their own tests
// on both; the crawl itself (hundreds of pages in two languages) is the
// suite's slowest test under the race detector.
func TestCrawlPages(t *testing.T) {
	func(t *testing.T, db *store.DB) {
		seed := servertest.SeedDashboard(t, db)
		base := servertest.NewDashServer(t, db)
		pages, err := web.NewPages()
		if err != nil {
			t.Fatal(err)
		}
		zh, en := crawlStrings(t, pages, "zh-CN"), crawlStrings(t, pages, "en")
		// Data a page shows as it was written, in either language: the
		// rounds' and samples' names.
		var data []string
		for _, id := range []int64{seed.Round, seed.Other} {
			ri, err := db.RoundInfoByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, ri.Name, ri.Sample)
		}
		interviewer := fmt.Sprintf("sim-s%d-1", seed.Streets[0].ID)
		// must: page kinds each user's crawl has to reach.
		r, o := fmt.Sprint(seed.Round), fmt.Sprint(seed.Other)
		must := map[string][]string{
			"admin": {"/rounds", "/rounds/" + r, "/rounds/" + r + "/streets/N", "/rounds/" + r + "/communities/N", "/rounds/" + r + "/report",
				"/rounds/" + o + "/fieldwork", "/rounds/" + o + "/board", "/rounds/" + o + "/replacements", "/rounds/" + o + "/review",
				"/rounds/" + o + "/review/N", "/registers", "/samples", "/samples/design", "/surveys", "/users", "/audit", "/rescue"},
			"analyst":   {"/rounds/" + r, "/rounds/" + r + "/streets/N", "/rounds/" + r + "/report", "/samples/design"},
			"sup1":      {"/rounds/" + o + "/fieldwork", "/rounds/" + o + "/board", "/rounds/" + o + "/review", "/rounds/" + o + "/review/N", "/rescue"},
			interviewer: {"/"},
		}
		for _, who := range []string{"admin", "analyst", "sup1", interviewer} {
			for _, lang := range []string{"zh-CN", "en"} {
				if lang == "en" && servertest.RaceDetector && who != "admin" {
					continue
				}
				other := en
				if lang == "en" {
					other = zh
				}
				seen := crawlSite(t, servertest.LoginAs(t, base, who), base, lang, other, data)
				for _, m := range must[who] {
					if !seen[m] {
						t.Errorf("%s (%s): the crawl did not reach %s; it reached %v", who, lang, m, slices.Sorted(mapKeys(seen)))
					}
				}
			}
		}
	}(t, storetest.Open(t, store.SQLite))
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// crawlStrings returns the interface strings of lang that another
// language's page must not show: sentences (English with a space and 12
// letters or more; Chinese with 4 Han characters or more) with no
// placeholder in them.
func crawlStrings(t *testing.T, p *web.Pages, lang string) map[string]string {
	t.Helper()
	var all map[string]string
	if err := json.Unmarshal(p.StringsJSON(lang), &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range all {
		if strings.ContainsAny(v, "%{<") {
			continue
		}
		if lang == "en" && strings.Contains(v, " ") && len(v) >= 12 || lang != "en" && len(crawlHan.FindAllString(v, -1)) >= 4 {
			out[k] = v
		}
	}
	return out
}

// crawlKind is a page's kind: its path with the numbers after the round's
// replaced by N, and its query's names (not their values, not lang).
func crawlKind(u *url.URL) string {
	n := 0
	path := crawlNumbers.ReplaceAllStringFunc(u.Path, func(s string) string {
		n++
		if n == 1 && strings.HasPrefix(u.Path, "/rounds/") {
			return s
		}
		return "/N"
	})
	var names []string
	for k := range u.Query() {
		if k != "lang" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	if len(names) > 0 {
		path += "?" + strings.Join(names, "&")
	}
	return path
}

// crawlSite crawls from / in lang as client c and returns the page kinds
// it opened.
func crawlSite(t *testing.T, c *http.Client, base, lang string, other map[string]string, data []string) map[string]bool {
	t.Helper()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ns := map[string]bool{}
	for _, n := range crawlNamespaces {
		ns[n] = true
	}
	kinds := map[string]bool{}
	checked := map[string]bool{}
	type link struct{ href, from string }
	queue := []link{{"/?lang=" + lang, "(start)"}}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		if checked[l.href] {
			continue
		}
		checked[l.href] = true
		u, err := url.Parse(l.href)
		if err != nil {
			t.Errorf("%s (%s): bad link %q: %v", l.from, lang, l.href, err)
			continue
		}
		kind := crawlKind(u)
		page := !strings.HasPrefix(u.Path, "/api/") && !strings.HasPrefix(u.Path, "/static/") && !strings.HasPrefix(u.Path, "/t/") &&
			!strings.HasPrefix(u.Path, "/i18n/") && !kinds[kind]
		status, loc, ctype, body := servertest.GetPage(t, c, base+l.href)
		if status >= 400 || status >= 300 && strings.HasPrefix(loc, "/login") {
			t.Errorf("%s (%s) links to %s: %d %s\n%.200s", l.from, lang, l.href, status, loc, body)
			continue
		}
		if !page || status != http.StatusOK || !strings.HasPrefix(ctype, "text/html") {
			continue
		}
		kinds[kind] = true
		text := crawlText(body)
		for _, m := range crawlKeyish.FindAllString(text, -1) {
			first, _, _ := strings.Cut(m, ".")
			if ns[first] {
				t.Errorf("%s (%s) shows the raw string key %q", l.href, lang, m)
			}
		}
		if i := strings.Index(text, "%!"); i >= 0 {
			t.Errorf("%s (%s) shows a formatting mistake: %q", l.href, lang, text[i:min(len(text), i+40)])
		}
		// A questionnaire's page shows its text in both languages, the
		// audit log its entries' details as they were stored.
		if !strings.HasPrefix(u.Path, "/surveys") && u.Path != "/audit" {
			for _, d := range data {
				text = strings.ReplaceAll(text, d, " ")
			}
			for k, v := range other {
				if strings.Contains(text, v) {
					t.Errorf("%s (%s) shows %q, the other language's %s", l.href, lang, v, k)
				}
			}
			if lang != "en" {
				for _, m := range crawlEnglish.FindAllString(text, 3) {
					t.Errorf("%s (%s) shows English: %q", l.href, lang, m)
				}
			} else if i := strings.IndexAny(text, "：，（）；。"); i >= 0 {
				t.Errorf("%s (%s) shows Chinese punctuation: %q", l.href, lang, text[max(0, i-30):min(len(text), i+30)])
			}
		}
		for _, m := range crawlHref.FindAllStringSubmatch(body, -1) {
			h := html.UnescapeString(m[1])
			if h == "" || strings.HasPrefix(h, "#") || strings.HasPrefix(h, "mailto:") {
				continue
			}
			hu, err := url.Parse(h)
			if err != nil {
				t.Errorf("%s (%s): bad link %q", l.href, lang, h)
				continue
			}
			abs := u.ResolveReference(hu)
			if abs.Host != "" || abs.Path == "/logout" {
				continue
			}
			abs.Fragment = ""
			if q := abs.Query(); q.Has("lang") {
				// The language switch would change this crawl's language
				// (a cookie): its page is opened in the crawl's.
				q.Set("lang", lang)
				abs.RawQuery = q.Encode()
			}
			queue = append(queue, link{abs.RequestURI(), l.href})
		}
	}
	return kinds
}

// crawlText is what a page shows: its text and its titles, placeholders
// and labels, without scripts, styles, code and text boxes (whose
// placeholders are examples of a file).
func crawlText(body string) string {
	var b strings.Builder
	body = crawlDrop.ReplaceAllString(body, " ")
	for _, m := range crawlAttr.FindAllStringSubmatch(body, -1) {
		b.WriteString(html.UnescapeString(m[1]))
		b.WriteString("\n")
	}
	if i := strings.Index(body, "<body"); i >= 0 {
		body = body[i:]
	}
	b.WriteString(html.UnescapeString(crawlTag.ReplaceAllString(body, " ")))
	return b.String()
}
