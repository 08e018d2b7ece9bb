package webtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// recorder is a testing.TB that records Skip and Fatal instead of acting.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = toString(args)
}
func (r *recorder) Fatal(args ...any)    { r.failed = toString(args) }
func (r *recorder) Skipf(string, ...any) { r.skipped = "skipf" }

func toString(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if s, ok := a.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

func TestChromiumLookup(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "my-chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	saved := browsers
	t.Cleanup(func() { browsers = saved })
	browsers = []string{filepath.Join(t.TempDir(), "none")}

	cases := []struct {
		name, env, ci   string
		want            string
		skipped, failed bool
	}{
		{"named by MINYI_CHROMIUM", fake, "", fake, false, false},
		{"none, not in CI: skip saying so", "", "", "", true, false},
		{"none, in CI: fail", "", "true", "", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("MINYI_CHROMIUM", c.env)
			t.Setenv("CI", c.ci)
			r := &recorder{TB: t}
			got := Chromium(r)
			if got != c.want || (r.skipped != "") != c.skipped || (r.failed != "") != c.failed {
				t.Errorf("Chromium = %q, skipped %q, failed %q", got, r.skipped, r.failed)
			}
			if c.skipped && !strings.Contains(r.skipped, "no chromium found") {
				t.Errorf("the skip does not say why: %q", r.skipped)
			}
		})
	}
}

// selfReloading serves pages that change by themselves, as minyi's pages
// do: /reload reloads itself once, a moment after it loads (as the tablet
// app does for a new version); /redraw replaces its button every few
// milliseconds (as a sync or a refresh redraws a screen) and counts the
// clicks it receives; /go navigates to /reload when its button is clicked.
func selfReloading(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/reload", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>reload</title><p id="n"></p><script>
const n = Number(sessionStorage.getItem("loads") || 0) + 1;
sessionStorage.setItem("loads", String(n));
document.getElementById("n").textContent = String(n);
if (n === 1) setTimeout(() => location.reload(), 30);
</script>`)
	})
	mux.HandleFunc("/redraw", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>redraw</title><div id="box"></div><p id="clicks">0</p><script>
let clicks = 0;
const draw = () => {
  const b = document.createElement("button");
  b.id = "b"; b.textContent = "press";
  b.onclick = () => { clicks++; document.getElementById("clicks").textContent = String(clicks); };
  document.getElementById("box").replaceChildren(b);
};
draw();
setInterval(draw, 3);
</script>`)
	})
	mux.HandleFunc("/go", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>go</title><button id="go" onclick="setTimeout(() => location.href = '/reload', 20)">go</button>`)
	})
	// A form page that sends itself to a login page holding an input of
	// the same name, as an office page does when its session has ended.
	mux.HandleFunc("/expired", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>expired</title><form><input name="u"></form><script>setTimeout(() => location.assign("/login"), 5)</script>`)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>login</title><form id="login"><input name="u"></form>`)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestWaitsAcrossTheirOwnNavigations checks the waits the browser tests
// rely on against pages that navigate and redraw by themselves: WaitJS
// holds across a reload the page makes on its own, Navigation sees the
// navigation a click causes and returns on the new document, Click
// clicks exactly once a button that a redraw keeps replacing, and Type
// types into the page a redirect has just loaded.
func TestWaitsAcrossTheirOwnNavigations(t *testing.T) {
	b := Start(t)
	base := selfReloading(t)
	for i := range 5 {
		ctx := b.Tab(30 * time.Second)
		var loads string
		Run(t, ctx, "wait across a reload", chromedp.Navigate(base+"/reload"),
			WaitJS(`document.getElementById("n").textContent === "2" && document.readyState === "complete"`),
			chromedp.Evaluate(`sessionStorage.getItem("loads")`, &loads))
		if loads != "2" {
			t.Fatalf("run %d: the page loaded %s times, want 2", i, loads)
		}

		var before, after float64
		Run(t, ctx, "navigation by a click", chromedp.Navigate(base+"/go"), chromedp.Evaluate(`performance.timeOrigin`, &before),
			Navigation(Click(`#go`)), chromedp.Evaluate(`performance.timeOrigin`, &after), WaitVisible(`#n`))
		if after == before {
			t.Fatalf("run %d: Navigation returned on the document it started on", i)
		}

		var clicks string
		Run(t, ctx, "click a redrawn button", chromedp.Navigate(base+"/redraw"))
		for range 10 {
			Run(t, ctx, "click", Click(`#b`))
		}
		Run(t, ctx, "count", chromedp.Text(`#clicks`, &clicks, chromedp.ByQuery))
		if clicks != "10" {
			t.Fatalf("run %d: 10 clicks on a redrawn button registered %s", i, clicks)
		}

		var typed string
		Run(t, ctx, "type after a redirect", chromedp.Navigate(base+"/expired"), WaitVisible(`#login`),
			Type(`#login input[name=u]`, "admin"), Eval(`document.querySelector("#login input[name=u]").value`, &typed))
		if typed != "admin" {
			t.Fatalf("run %d: typed %q into the login page's input", i, typed)
		}
	}
}
