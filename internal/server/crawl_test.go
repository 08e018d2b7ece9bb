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
	crawlHref   = regexp.MustCompile(`(?i)\shref="([^"]*)"`)
	crawlKeyish = regexp.MustCompile(`\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b`)
	crawlDrop   = regexp.MustCompile(`(?is)<(script|style|code|pre|textarea)\b.*?</(script|style|code|pre|textarea)>`)
	// crawlWritten is text a person wrote (a supervisor's reason in the
	// audit log), shown as written whatever the page's language.
	crawlWritten = regexp.MustCompile(`(?s)<q data-written>.*?</q>`)
	// crawlNotation is an analyst's formula (the glossary's, folded under
	// each plain explanation): symbols and R's function names.
	crawlNotation = regexp.MustCompile(`(?s)<p class="formula" data-notation>.*?</p>`)
	crawlTag      = regexp.MustCompile(`(?s)<[^>]*>`)
	crawlAttr     = regexp.MustCompile(`\s(?:title|placeholder|aria-label|alt)="([^"]*)"`)
	crawlNumbers  = regexp.MustCompile(`/\d+`)
	crawlHan      = regexp.MustCompile(`\p{Han}`)
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
		data = append(data, crawlData(t, db)...)
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
		// found: the words each page kind showed outside the allow-lists.
		found := map[string]map[string]bool{}
		for _, who := range []string{"admin", "analyst", "sup1", interviewer} {
			for _, lang := range []string{"zh-CN", "en"} {
				if lang == "en" && servertest.RaceDetector && who != "admin" {
					continue
				}
				other := en
				if lang == "en" {
					other = zh
				}
				seen := crawlSite(t, servertest.LoginAs(t, base, who), base, lang, other, data, found)
				for _, m := range must[who] {
					if !seen[m] {
						t.Errorf("%s (%s): the crawl did not reach %s; it reached %v", who, lang, m, slices.Sorted(mapKeys(seen)))
					}
				}
			}
		}
		// The pages no link leads to: the login page, and the error pages
		// of a page that does not exist, of a round that does not, and of
		// a page the user may not open.
		for _, lang := range []string{"zh-CN", "en"} {
			for _, p := range []struct{ who, path string }{{"", "/login"}, {"admin", "/no-such-page"}, {"admin", "/rounds/999999"}, {"sup1", "/users"}} {
				c := &http.Client{}
				if p.who != "" {
					c = servertest.LoginAs(t, base, p.who)
				}
				status, _, _, body := servertest.GetPage(t, c, base+p.path+"?lang="+lang)
				if (p.who == "") != (status == http.StatusOK) {
					t.Errorf("%s as %q: %d", p.path, p.who, status)
				}
				text := crawlText(body)
				for _, d := range data {
					text = strings.ReplaceAll(text, d, " ")
				}
				k := fmt.Sprintf("%s %s (%d)", lang, p.path, status)
				for _, w := range crawlForeign(text, lang, p.path) {
					if found[k] == nil {
						found[k] = map[string]bool{}
					}
					found[k][w] = true
				}
			}
		}
		for _, k := range slices.Sorted(mapKeys(mapSet(found))) {
			t.Errorf("%s shows words of the other language outside the allow-lists: %s", k, strings.Join(slices.Sorted(mapKeys(found[k])), " "))
		}
	}(t, storetest.Open(t, store.SQLite))
}

func mapSet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
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
func crawlSite(t *testing.T, c *http.Client, base, lang string, other map[string]string, data []string, found map[string]map[string]bool) map[string]bool {
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
		// A questionnaire's page shows its text in both languages.
		if !strings.HasPrefix(u.Path, "/surveys") {
			for _, d := range data {
				text = strings.ReplaceAll(text, d, " ")
			}
			for _, w := range crawlForeign(text, lang, kind) {
				k := lang + " " + kind
				if found[k] == nil {
					found[k] = map[string]bool{}
				}
				found[k][w] = true
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
	body = crawlWritten.ReplaceAllString(body, " ")
	body = crawlNotation.ReplaceAllString(body, " ")
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

// crawlData is what the district's data name, shown as written in either
// language: streets, communities, accounts, questionnaires, samples.
func crawlData(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	ss, err := db.Streets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		out = append(out, x.Name)
	}
	cs, err := db.Communities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range cs {
		out = append(out, x.Name)
	}
	us, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		out = append(out, u.DisplayName, u.Username)
	}
	qs, err := db.Questionnaires(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		for _, title := range q.Title {
			out = append(out, title)
		}
		out = append(out, q.Slug)
	}
	smp, err := db.Samples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range smp {
		out = append(out, x.Name)
	}
	// The longest first, so that a name inside another goes with it.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

var (
	crawlWord = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*`)
	// crawlFile is a file's name or an address, shown as it is.
	// Also a command line flag and a file's fingerprint.
	crawlFile = regexp.MustCompile(`\S+\.(?:csv|xlsx|yaml|yml|json|pdf|png|zip|sql)\b|https?://\S+|\b\d+\.\d+\.\d+\.\d+\b|--[a-z][a-z0-9-]*|\b[0-9a-f]{12,}\b`)
	// crawlRound is a round's number in a page's kind.
	crawlRound = regexp.MustCompile(`^/rounds/\d+`)
)

// crawlAllowed are the words a Chinese page may show in Latin letters:
// the product's and proper names, codes explained where they appear,
// formats and units. Lower case.
var crawlAllowed = map[string]bool{
	"minyi": true, "api": true, "csv": true, "xlsx": true, "xlsform": true, "yaml": true, "json": true, "pdf": true, "excel": true, "wps": true,
	"gps": true, "id": true, "url": true, "https": true, "tls": true, "acme": true, "pps": true, "sqlite": true, "postgresql": true,
	"km": true, "kb": true, "mb": true, "gb": true, "ms": true, "m": true, "v": true, "no": true,
	"rr1": true, "rr3": true, "coop1": true, "ref1": true, "con1": true, "deff": true, "se": true, "n": true, "r": true, "spss": true, "stata": true,
	"utc": true, "asia": true, "shanghai": true, "qr": true, "wi": true, "fi": true, "wifi": true, "ios": true, "android": true, "chrome": true, "chromium": true,
	"english": true, "aapor": true, "a4": true, "zip": true, "gbk": true, "gb18030": true, "utf": true, "sha": true,
	// AAPOR's disposition codes beside RR1 and the rest, each explained on
	// /help#dispositions where it is shown.
	"i": true, "nc": true, "ne": true,
}

// crawlPageAllowed are the Latin words a page may show beside the global
// list, each for a reason a reader of that page accepts: a symbol the
// glossary (/help) explains where it is shown, a method's authors, code a
// statistician copies, or data. Keyed by language and page kind; words in
// lower case; the key's path has its round as N and no query.
var crawlPageAllowed = map[string]map[string]bool{
	// The effective sample size n_eff and the degrees of freedom df,
	// symbols linked to their glossary entries.
	"zh-CN /rounds/N":               crawlSet("df eff"),
	"zh-CN /rounds/N/communities/N": crawlSet("eff"),
	// The round form names the rule's key time_zone, which its text (YAML)
	// takes as it is.
	"zh-CN /rounds": crawlSet("time zone"),
	// The glossary names the symbols it explains (PSU, df).
	"zh-CN /help": crawlSet("psu df"),
	// The community model's name and its authors (Fay–Herriot, REML,
	// Prasad–Rao, Datta–Lahiri), with the glossary's 模型估计 beside them.
	"zh-CN /rounds/N/streets/N": crawlSet("datta fay herriot lahiri prasad reml rao eff"),
	// The report's methods: the R code that rebuilds the design (svydesign,
	// fpc, …), the estimator's names and the interval's formula (sin, asin,
	// p, SE), for the district's statistician.
	"zh-CN /rounds/N/report": crawlSet("asin brewer psu adjust df eff fpc logit lonely method p p1 p2 se sin survey svyciprop svydesign t v1"),
	// A response: the questionnaire's question codes and the simulated
	// device's name (data).
	"zh-CN /rounds/N/review/N": crawlSet("a1 a2 b1 c1 d1 d2 d3 d4 d5 d6 d7 d8 e1 e2 e3 e5 s1 s2 sim simulate"),
	// The register file's English column names, which a file may use.
	"zh-CN /registers": crawlSet("community street"),
	// The register's Chinese column headers, which a file must have.
	"en /registers": crawlSet("户人数 楼栋 社区 街道 街道名称 门牌号"),
}

func crawlSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// crawlHanAllowed are the Chinese words an English page may show: the
// language switch names its language in its own words.
// And the parts of the simulated register's addresses (data: 3栋2单元501).
var crawlHanAllowed = []string{"中文", "单元", "栋"}

// crawlForeign returns the words of text in the other language than lang
// that no allow-list allows: Latin words on a Chinese page, Chinese on an
// English one.
func crawlForeign(text, lang, kind string) []string {
	text = crawlFile.ReplaceAllString(text, " ")
	kind, _, _ = strings.Cut(kind, "?")
	page := crawlPageAllowed[lang+" "+crawlRound.ReplaceAllString(kind, "/rounds/N")]
	var out []string
	if lang == "en" {
		// The page's words first, the longest first: 楼栋 before 栋.
		allowed := slices.Sorted(mapKeys(page))
		slices.SortStableFunc(allowed, func(a, b string) int { return len(b) - len(a) })
		for _, w := range append(allowed, crawlHanAllowed...) {
			text = strings.ReplaceAll(text, w, " ")
		}
		for _, w := range regexp.MustCompile(`\p{Han}+`).FindAllString(text, -1) {
			if !page[w] {
				out = append(out, w)
			}
		}
		return out
	}
	for _, w := range crawlWord.FindAllString(text, -1) {
		if l := strings.ToLower(w); !crawlAllowed[l] && !page[l] {
			out = append(out, w)
		}
	}
	return out
}

// crawlCode is what a message names as it is: a command line flag, a
// column or setting (snake_case), a placeholder.
var crawlCode = regexp.MustCompile(`--?[a-z][a-z0-9-]*|\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b|%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z]`)

var (
	// crawlCommand is a command a message names: 'minyi …' quoted, minyi
	// and its words, a command's name before its message, an address or
	// example between quotes.
	crawlCommand = regexp.MustCompile(`'[^']*'|"[^"]*"|minyi(?: [a-z]+)*|^[a-z]+(?: [a-z-]+)?：|\b[a-z]+ [a-z-]+ (?:命令|出错|失败)|[a-z]+://\S+|\S+@\S+|[A-Za-z0-9.]+\.[a-z]{2,}\b`)
	// crawlPhrase is two English words side by side (not abbreviations
	// and SQL's keywords in capitals: "SQLite URL", "VACUUM INTO").
	crawlPhrase = regexp.MustCompile(`[A-Za-z]*[a-z][A-Za-z]* +[A-Za-z]*[a-z][A-Za-z]*`)
	// crawlMessageHan are the English messages that quote Chinese a person
	// writes or reads in the data: a file's column headers (街道, 人数), a
	// register's 街道/社区 form, a questionnaire's question.
	crawlMessageHan = map[string]bool{"number_adults_weights_persons_it": true, "population_table_counts_people_and": true, "streets_have_community_write": true,
		"file_empty_want_header_demographic": true, "no_count_column_name_one": true, "no_street_column_name_one": true}
)

// TestCrawlMessages is the crawl's check for every message the server and
// the command line can give (the catalog, internal/msgs): each said in
// Chinese shows no English word outside the allow-lists, and in English no
// Chinese.
func TestCrawlMessages(t *testing.T) {
	var english map[string]string
	for _, lang := range []string{"en", "zh-CN"} {
		b, err := web.Messages(lang)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if len(m) < 300 {
			t.Fatalf("%s: only %d messages", lang, len(m))
		}
		if lang == "en" {
			english = m
		}
		for _, code := range slices.Sorted(mapKeys(mapSet(m))) {
			text := m[code]
			if lang != "en" {
				text = crawlCommand.ReplaceAllString(text, " ")
			}
			text = crawlCode.ReplaceAllString(text, " ")
			if lang == "en" {
				if w := crawlForeign(text, lang, "messages"); len(w) > 0 && !crawlMessageHan[code] {
					t.Errorf("%s %s %q shows %q", lang, code, m[code], w)
				}
				continue
			}
			// What a person types is kept in Latin letters: a command
			// ('minyi migrate up', the "estimate：" a command's message
			// starts with), a quoted or example value, an option's values
			// ("accept、flag 或 return"). Such a word is in the English
			// message too, and stands alone: two English words side by
			// side are a phrase left untranslated.
			en := map[string]bool{}
			for _, w := range crawlWord.FindAllString(english[code], -1) {
				en[w] = true
			}
			if run := crawlPhrase.FindString(text); run != "" {
				t.Errorf("%s %s %q shows the English phrase %q", lang, code, m[code], run)
			}
			for _, w := range crawlForeign(text, lang, "messages") {
				if !en[w] {
					t.Errorf("%s %s %q shows %q, which is not in the English message (a code would be)", lang, code, m[code], w)
				}
			}
		}
	}
}
