package tablet_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/tablet"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/web"
)

// tabletFile returns an embedded file of the tablet app.
func tabletFile(t *testing.T, name string) []byte {
	t.Helper()
	files, err := ui.StaticFiles()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := files["tablet/"+name]
	if !ok {
		t.Fatalf("no tablet/%s", name)
	}
	return f.Body
}

// tabletShell returns the paths the service worker keeps for offline use.
func tabletShell(t *testing.T) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)const SHELL = \[(.*?)\];`).FindSubmatch(tabletFile(t, "sw.js"))
	if m == nil {
		t.Fatal("sw.js has no SHELL list")
	}
	var out []string
	for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllSubmatch(m[1], -1) {
		out = append(out, string(q[1]))
	}
	return out
}

// TestTabletWeight: the JavaScript and CSS the tablet loads stay under
// 100 KB uncompressed. What it loads is what the page and the modules
// reference, followed from index.html through every import; each of those
// must also be in the service worker's shell, or the app would not start
// offline.
func TestTabletWeight(t *testing.T) {
	shell := tabletShell(t)
	refRE := regexp.MustCompile(`(?:src|href)="(/t/[^"]+\.(?:js|css))"|from "\./([^"]+\.js)"`)
	loaded := map[string]bool{}
	queue := []string{"index.html"}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, m := range refRE.FindAllSubmatch(tabletFile(t, name), -1) {
			ref := strings.TrimPrefix(string(m[1]), "/t/") + string(m[2])
			if !loaded[ref] {
				loaded[ref] = true
				queue = append(queue, ref)
			}
		}
	}
	total := 0
	for ref := range loaded {
		total += len(tabletFile(t, ref))
		if !slices.Contains(shell, "/t/"+ref) {
			t.Errorf("%s is loaded but not in sw.js's SHELL: the app would not start offline", ref)
		}
	}
	for _, want := range []string{"app.js", "app.css", "engine.js", "outbox.js", "idb.js", "ui.js"} {
		if !loaded[want] {
			t.Errorf("%s is not reached from index.html", want)
		}
	}
	t.Logf("the tablet loads %d files of JavaScript and CSS: %d bytes", len(loaded), total)
	if total >= 100*1024 {
		t.Errorf("the tablet's JavaScript and CSS weigh %d bytes, over 100 KB", total)
	}
}

// TestTabletStrings: every interface string the app uses exists in both
// tables (the parity test then keeps them in step).
func TestTabletStrings(t *testing.T) {
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range regexp.MustCompile(`t\("((?:tablet|login|nav)\.[a-z0-9_]+)"`).FindAllSubmatch(tabletFile(t, "app.js"), -1) {
		keys = append(keys, string(m[1]))
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d string keys in app.js", len(keys))
	}
	// Keys the app builds from values: outcomes, rules, dispositions, types.
	families := map[string][]string{
		"tablet.out_":  {"interview", "no_one_home", "refused", "not_eligible_vacant", "not_eligible_no_adult", "not_eligible_short_residence", "language_barrier", "appointment", "other", "not_eligible"},
		"tablet.rule_": {"unknown_question", "hidden", "after_end", "required", "type", "invalid_code", "duplicate_code", "exclusive", "out_of_range", "too_long"},
		"tablet.disp_": {"complete", "partial", "refusal", "non_contact", "not_eligible", "other"},
		"tablet.type_": {"visit", "response"},
		"tablet.err_":  {"422", "409", "other"},
		"tablet.end_":  {"not_eligible", "other"},
	}
	for prefix, names := range families {
		for _, n := range names {
			keys = append(keys, prefix+n)
		}
	}
	for _, lang := range web.Languages {
		var table map[string]string
		if err := json.Unmarshal(pages.StringsJSON(lang), &table); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.TrimSpace(table[k]) == "" {
				t.Errorf("%s: string %q missing", lang, k)
			}
		}
	}
}

// TestTabletServed: the app's page, modules, manifest and worker under
// /t/, the worker stamped with the build so that a new deployment is
// installed, and the modules' tests not served.
func TestTabletServed(t *testing.T) {
	_, base, _ := servertest.NewTestServer(t, storetest.Open(t, store.SQLite))
	get := func(path string) (int, http.Header, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
	cases := []struct{ path, ctype, contains string }{
		{"/t/", "text/html", `<script type="module" src="/t/app.js">`},
		{"/t/app.js", "javascript", "import * as db"},
		{"/t/app.css", "text/css", ".bar"},
		{"/t/manifest.webmanifest", "application/manifest+json", `"scope": "/t/"`},
		{"/t/sw.js", "javascript", "minyi-tablet-"},
	}
	for _, c := range cases {
		status, h, body := get(c.path)
		if status != 200 || !strings.Contains(h.Get("Content-Type"), c.ctype) || !strings.Contains(body, c.contains) || h.Get("ETag") == "" {
			t.Errorf("GET %s = %d %q ETag %q, want 200 %s with %q", c.path, status, h.Get("Content-Type"), h.Get("ETag"), c.ctype, c.contains)
		}
	}
	build, err := tablet.Build()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, sw := get("/t/sw.js"); strings.Contains(sw, "__BUILD__") || !strings.Contains(sw, `"`+build+`"`) {
		t.Errorf("sw.js is not stamped with the build %s", build)
	}
	for _, p := range []string{"/t/engine.test.mjs", "/t/nope.js", "/t/../static/css/minyi.css"} {
		if status, _, _ := get(p); status != 404 {
			t.Errorf("GET %s = %d, want 404", p, status)
		}
	}
}
