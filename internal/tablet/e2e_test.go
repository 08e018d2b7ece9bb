package tablet_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/tablet"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// tabletSession is one browser tab on the tablet app.
type tabletSession struct {
	t   *testing.T
	b   *webtest.Browser
	ctx context.Context
}

func (s *tabletSession) run(what string, actions ...chromedp.Action) {
	s.t.Helper()
	webtest.Run(s.t, s.ctx, what, actions...)
}

// shot takes the screen at tablet size (800×1280) and phone size
// (360×740), and checks that nothing overflows the phone's width.
func (s *tabletSession) shot(name string) {
	s.t.Helper()
	s.b.Screenshot(s.ctx, name+"-800x1280")
	var overflow int
	s.run("phone size", webtest.Viewport(360, 740),
		chromedp.Evaluate(`document.documentElement.scrollWidth - window.innerWidth`, &overflow))
	if overflow > 0 {
		s.t.Errorf("%s: the page is %d px wider than a 360 px screen", name, overflow)
	}
	s.b.Screenshot(s.ctx, name+"-360x740")
	s.run("tablet size", webtest.Viewport(800, 1280))
}

// interview answers the questions shown, in order, from answers (code →
// option code or typed text), and returns the codes of the screens seen.
// It stops at the review page (finishing there) or at an end screen.
func (s *tabletSession) interview(answers map[string]string, shots bool) []string {
	s.t.Helper()
	var seen []string
	for range 20 {
		var code string
		s.run("next screen", webtest.WaitVisible(`#question, #finish`),
			chromedp.Evaluate(`(document.querySelector("#question")||{dataset:{}}).dataset.code || ""`, &code))
		if code == "" {
			return seen
		}
		seen = append(seen, code)
		v, ok := answers[code]
		if !ok {
			s.t.Fatalf("the interview shows %s, which the test has no answer for (seen %v)", code, seen)
		}
		sel := fmt.Sprintf(`#question[data-code=%q] input[value=%q]`, code, v)
		s.run("answer "+code, webtest.Click(sel))
		if shots && len(seen) == 2 {
			s.shot("3-question")
		}
		s.run("next from "+code, webtest.Click(`#next`),
			webtest.WaitJS(fmt.Sprintf(`!document.querySelector('#question[data-code=%q]')`, code)))
	}
	s.t.Fatal("the interview does not end")
	return nil
}

func countOf(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Reader().Get(&n, db.Reader().Rebind(q), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTabletInBrowser runs the interviewer's day in a real Chromium against
// a real server on a temporary database: a visit, an interview with skip
// logic, two interviews offline with a reload in between, the export file
// uploaded twice by the office, the outbox draining when the network is
// back, a forced duplicate, a 422 on its question, and a second
// interviewer who sees only their own household. Screenshots of each
// screen go to the test output folder (webtest.Browser.Dir).
func TestTabletInBrowser(t *testing.T) {
	b := webtest.Start(t)
	db := storetest.Open(t, store.SQLite)
	// DevTools' offline emulation covers the page but not its service
	// worker's own fetches, so the tablet's network is also cut at the
	// server: while offline, every request from the browser is dropped
	// unanswered, as a lost signal does (the office, a Go client, still
	// gets through).
	var offline atomic.Bool
	cut := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if offline.Load() && strings.Contains(r.UserAgent(), "Chrome") {
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						return
					}
				}
				http.Error(w, "offline", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	f, base := servertest.NewFieldServerWith(t, db, fieldtest.Small, cut)
	f.AssignStreet(t, 1)
	bg := context.Background()
	mine, err := f.Service.Assignments(bg, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil || len(mine) != 6 {
		t.Fatalf("int1a's households: %d, %v", len(mine), err)
	}
	// The last household goes to a second interviewer of the street.
	if _, err := f.Service.Assign(bg, f.Caller("sup1"), f.Round.ID, rounds.AssignRequest{Interviewer: "int1b", AssignmentIDs: []int64{mine[5].ID}}); err != nil {
		t.Fatal(err)
	}
	s := &tabletSession{t: t, b: b, ctx: b.Tab(90 * time.Second)}
	downloads := t.TempDir()
	// idle waits until no sync is running: a sync may redraw the screen.
	idle := webtest.WaitJS(`document.body.dataset.sync !== "busy"`)

	// Log in; the service worker takes control (the app works offline).
	s.run("open", webtest.Viewport(800, 1280), webtest.Download(downloads), chromedp.Navigate(base+"/t/"), webtest.WaitVisible(`input[name=username]`))
	s.shot("1-login")
	s.run("log in", webtest.Login(base+"/t/", "int1a", fieldtest.Password), webtest.WaitVisible(`a.household`),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`))
	var n int
	s.run("count households", chromedp.Evaluate(`document.querySelectorAll("a.household").length`, &n))
	if n != 5 {
		t.Fatalf("int1a's list shows %d households, want 5", n)
	}
	s.shot("2-assignments")

	// A no-one-home visit at the first household.
	house := func(a store.Assignment) chromedp.Action {
		return chromedp.Tasks{idle, webtest.Click(fmt.Sprintf(`a[href="#/h/%d"]`, a.ID)), webtest.WaitVisible(`#start`)}
	}
	s.run("household 1", house(mine[0]))
	s.shot("4-household")
	s.run("no one home", webtest.Click(`button[data-outcome=no_one_home]`), webtest.WaitVisible(`a.household`),
		webtest.WaitJS(`document.querySelector("#outbox-link").classList.contains("zero")`))

	// An interview whose skip logic hides A2 (not aware of the campaign).
	notAware := map[string]string{"S1": "1", "A1": "2", "B1": "1", "Q1": "2", "Q2": "2", "Q3": "1", "Q4": "3"}
	s.run("household 2", house(mine[1]), webtest.Click(`#start`))
	seen := s.interview(notAware, true)
	if want := []string{"S1", "A1", "B1", "Q1", "Q2", "Q3", "Q4"}; !slices.Equal(seen, want) {
		t.Errorf("screens %v, want %v (A2 hidden)", seen, want)
	}
	s.shot("5-review")
	s.run("finish 2", webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`),
		webtest.WaitJS(`document.querySelector("#outbox-link").classList.contains("zero")`))
	s.shot("6-saved")
	s.run("back", webtest.Click(`#to-list`), webtest.WaitVisible(`a.household`))

	// Offline: two more interviews, with a reload in the middle of the first.
	offline.Store(true)
	s.run("offline", webtest.Offline(true), webtest.WaitJS(`!navigator.onLine`))
	aware := map[string]string{"S1": "1", "A1": "1", "A2": "2", "B1": "1", "Q1": "1", "Q2": "1", "Q3": "2", "Q4": "1"}
	s.run("household 3", house(mine[2]), webtest.Click(`#start`))
	for _, code := range []string{"S1", "A1"} {
		s.run("answer "+code, webtest.Click(fmt.Sprintf(`#question[data-code=%q] input[value=%q]`, code, aware[code])),
			webtest.Click(`#next`), webtest.WaitJS(fmt.Sprintf(`!document.querySelector('#question[data-code=%q]')`, code)))
	}
	var at string
	s.run("reload offline", chromedp.Reload(), webtest.WaitVisible(`#question`),
		chromedp.Evaluate(`document.querySelector("#question").dataset.code`, &at))
	if at != "A2" {
		t.Fatalf("after a reload the interview is at %q, want A2 (the next question after A1)", at)
	}
	s.run("back to A1", webtest.Click(`.nav button[type=button]`), webtest.WaitVisible(`#question[data-code=A1]`))
	var checked bool
	s.run("A1 kept", chromedp.Evaluate(`document.querySelector('#question input[value="1"]').checked`, &checked))
	if !checked {
		t.Error("the answer to A1 did not survive the reload")
	}
	s.run("forward", webtest.Click(`#next`), webtest.WaitVisible(`#question[data-code=A2]`))
	seen = s.interview(aware, false)
	if want := []string{"A2", "B1", "Q1", "Q2", "Q3", "Q4"}; !slices.Equal(seen, want) {
		t.Errorf("after the reload: screens %v", seen)
	}
	s.run("finish 3", webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`), webtest.Click(`#to-list`), webtest.WaitVisible(`a.household`))
	// The second offline interview ends at screening: not eligible.
	s.run("household 4", house(mine[3]), webtest.Click(`#start`))
	if seen := s.interview(map[string]string{"S1": "2"}, false); !slices.Equal(seen, []string{"S1"}) {
		t.Errorf("not eligible: screens %v, want only S1", seen)
	}
	s.shot("5b-end-not-eligible")
	s.run("finish 4", webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`))
	// After a reload the app has started when its first sync has given up
	// (offline): the header then counts what the outbox holds.
	s.run("reload offline", chromedp.Reload(), webtest.WaitVisible(`#outbox-link`), webtest.WaitJS(`document.body.dataset.sync === "idle"`))
	var unsent string
	s.run("unsent", chromedp.Navigate(base+"/t/#/outbox"), webtest.WaitVisible(`#export`), webtest.Text(`#outbox-link`, &unsent))
	if !strings.Contains(unsent, "2") {
		t.Errorf("offline after a reload the header says %q, want 2 unsent", unsent)
	}
	s.shot("7-outbox-offline")
	if got := countOf(t, db, `SELECT COUNT(*) FROM responses`); got != 1 {
		t.Fatalf("offline, the server holds %d responses, want 1", got)
	}

	// The office uploads the exported outbox twice: the first adds the two
	// interviews, the second nothing.
	s.run("export", webtest.Click(`#export`))
	file, err := webtest.WaitFile(s.ctx, filepath.Join(downloads, "minyi-outbox-int1a-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	office := servertest.LoginAs(t, base, "sup1")
	for i, want := range []string{`"status":201`, `"status":200`} {
		status, body := servertest.Call(t, office, "POST", base+"/api/v1/sync", string(file))
		if status != 200 || strings.Count(string(body), want) != 2 {
			t.Fatalf("upload %d: %d %s, want two items with %s", i+1, status, body, want)
		}
	}
	if got := countOf(t, db, `SELECT COUNT(*) FROM responses`); got != 3 {
		t.Fatalf("after the office's uploads the server holds %d responses, want 3", got)
	}

	// Online again: the outbox drains, each item with a receipt.
	offline.Store(false)
	s.run("online", webtest.Offline(false), webtest.WaitJS(`navigator.onLine`),
		webtest.WaitJS(`document.querySelector("#outbox-link").classList.contains("zero")`),
		webtest.WaitJS(`document.querySelectorAll('li[data-state="sent"]').length === 4`))
	s.shot("8-outbox-receipts")
	check := func(when string) {
		t.Helper()
		if got := countOf(t, db, `SELECT COUNT(*) FROM responses`); got != 3 {
			t.Errorf("%s: %d responses, want 3", when, got)
		}
		if got := countOf(t, db, `SELECT COUNT(*) FROM visits`); got != 1 {
			t.Errorf("%s: %d visits, want 1", when, got)
		}
	}
	check("after the sync")

	// A forced duplicate: an item sent again is recognised (200), not added.
	s.run("force a resend", webtest.Eval(`(async () => {
		const m = await import("/t/idb.js");
		for (const it of await m.all("outbox")) { it.state = "pending"; it.receipt = null; it.next_at = 0; await m.put("outbox", it); }
		return true;
	})()`, nil), chromedp.Reload(), webtest.WaitVisible(`#export`),
		webtest.WaitJS(`document.querySelectorAll('li[data-state="sent"]').length === 4`))
	check("after a forced resend")

	// A 422 is shown on its household and question: an interview whose A2
	// is not an option (as a tablet with a stale questionnaire might send).
	s.run("inject an invalid interview", webtest.Eval(fmt.Sprintf(`(async () => {
		const m = await import("/t/idb.js"), o = await import("/t/outbox.js");
		const s = await m.get("kv", "session");
		const now = new Date().toISOString();
		await m.commit(o.newItem("response", { client_id: o.uuid(), assignment_id: %d, questionnaire_version: 1,
			answers: {S1: 1, A1: 1, A2: 7, B1: 1, Q1: 1, Q2: 1, Q3: 1, Q4: 1}, started_at: now, completed_at: now }, s.user.id));
		return true;
	})()`, mine[4].ID), nil), chromedp.Navigate(base+"/t/#/"), chromedp.Reload(),
		webtest.WaitVisible(`.st.attention`))
	s.run("open it", idle, webtest.Click(fmt.Sprintf(`a[href="#/h/%d"]`, mine[4].ID)), webtest.WaitVisible(`.problem [data-field=A2]`))
	s.shot("9-household-422")
	var msg string
	s.run("fix", webtest.Click(`#fix`), webtest.WaitVisible(`#question[data-code=A2] #q-error`), webtest.Text(`#q-error`, &msg))
	if !strings.Contains(msg, "7") {
		t.Errorf("the question shows %q, want the server's message about code 7", msg)
	}
	s.shot("10-question-422")
	s.run("correct it", webtest.Click(`#question input[value="1"]`), webtest.Click(`#next`),
		webtest.WaitJS(`!document.querySelector('#question[data-code="A2"]')`))
	s.interview(aware, false)
	s.run("finish 5", webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`),
		webtest.WaitJS(`document.querySelector("#outbox-link").classList.contains("zero")`))
	if got := countOf(t, db, `SELECT COUNT(*) FROM responses`); got != 4 {
		t.Errorf("after the correction: %d responses, want 4", got)
	}

	// English, then a second interviewer who sees only their household.
	s.run("english", webtest.Click(`#to-list`), webtest.WaitVisible(`a.household`), idle,
		webtest.Click(`#lang`),
		webtest.WaitJS(`document.documentElement.lang === "en"`))
	s.shot("11-assignments-en")

	b2 := webtest.Start(t)
	s2 := &tabletSession{t: t, b: b2, ctx: b2.Tab(30 * time.Second)}
	var hrefs []string
	s2.run("second interviewer", webtest.Viewport(800, 1280), webtest.Login(base+"/t/", "int1b", fieldtest.Password),
		webtest.WaitVisible(`a.household`),
		chromedp.Evaluate(`[...document.querySelectorAll("a.household")].map(a => a.getAttribute("href"))`, &hrefs))
	if want := []string{fmt.Sprintf("#/h/%d", mine[5].ID)}; !slices.Equal(hrefs, want) {
		t.Errorf("int1b sees %v, want only %v", hrefs, want)
	}
	var title string
	s2.run("another's household", chromedp.Navigate(fmt.Sprintf("%s/t/#/h/%d", base, mine[0].ID)),
		webtest.WaitVisible(`#screen-title`), webtest.Text(`#screen-title`, &title))
	if !strings.Contains(title, "找不到") {
		t.Errorf("int1b opening int1a's household sees %q", title)
	}
	t.Logf("screenshots in %s", b.Dir)
}

// TestTabletFirstLoadSlow3G measures (and logs, without asserting) how
// long a first visit to /t/ takes until the login form is shown, on
// DevTools' Slow 3G profile with an empty cache, and then a second visit
// served by the service worker.
func TestTabletFirstLoadSlow3G(t *testing.T) {
	b := webtest.Start(t)
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	ctx := b.Tab(60 * time.Second)
	webtest.Run(t, ctx, "throttle", webtest.Viewport(800, 1280), webtest.NoCache(), webtest.Slow3G())
	start := time.Now()
	webtest.Run(t, ctx, "first load", chromedp.Navigate(base+"/t/"), webtest.WaitVisible(`input[name=username]`))
	first := time.Since(start)
	var bytes int
	webtest.Run(t, ctx, "transferred", chromedp.Evaluate(`performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation")).reduce((s, e) => s + (e.transferSize || 0), 0)`, &bytes),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`))
	start = time.Now()
	webtest.Run(t, ctx, "second load", chromedp.Reload(), webtest.WaitVisible(`input[name=username]`))
	second := time.Since(start)
	t.Logf("Slow 3G (2 s latency, 400 kbit/s): first load to the login form %v (%d bytes over the network), again with the service worker %v",
		first.Round(10*time.Millisecond), bytes, second.Round(10*time.Millisecond))
}

// TestTabletUpdateKeepsOutbox deploys a new app version while the outbox
// holds an unsent visit (the server's sync is down): the new service worker
// installs and waits, the interviewer is told, the visit stays; once the
// visit is safe on the server the new version takes over, and the outbox
// with its receipt is still there.
func TestTabletUpdateKeepsOutbox(t *testing.T) {
	b := webtest.Start(t)
	db := storetest.Open(t, store.SQLite)
	f := fieldtest.New(t, db, fieldtest.Small)
	f.AssignStreet(t, 1)
	mine, err := f.Service.Assignments(context.Background(), f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}, db,
		auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	build, err := tablet.Build()
	if err != nil {
		t.Fatal(err)
	}
	var deployed, syncDown atomic.Bool
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case syncDown.Load() && r.URL.Path == "/api/v1/sync":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"unavailable","message":"down for maintenance"}}`)
		case deployed.Load() && r.URL.Path == "/t/sw.js":
			// The next version: the same files under another build.
			r2 := r.Clone(r.Context())
			r2.Header.Del("If-None-Match")
			r2.Header.Del("Accept-Encoding") // the plain script, to rewrite
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r2)
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			io.WriteString(w, strings.ReplaceAll(rec.Body.String(), build, build+"-next"))
		default:
			h.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	base := ts.URL

	s := &tabletSession{t: t, b: b, ctx: b.Tab(60 * time.Second)}
	workerBuild := `new Promise((ok) => { const c = new MessageChannel(); c.port1.onmessage = (e) => ok(e.data);
		navigator.serviceWorker.controller.postMessage({ type: "build" }, [c.port2]); })`
	var got string
	s.run("log in", webtest.Viewport(800, 1280), webtest.Login(base+"/t/", "int1a", fieldtest.Password), webtest.WaitVisible(`a.household`),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`), webtest.Eval(workerBuild, &got))
	if got != build {
		t.Fatalf("the worker runs build %q, want %q", got, build)
	}
	syncDown.Store(true)
	s.run("visit while sync is down", webtest.Click(fmt.Sprintf(`a[href="#/h/%d"]`, mine[0].ID)), webtest.WaitVisible(`#start`),
		webtest.Click(`button[data-outcome=refused]`), webtest.WaitVisible(`a.household`),
		webtest.WaitJS(`document.querySelector("#outbox-link").textContent.includes("1")`))

	deployed.Store(true)
	var banner string
	s.run("new version", webtest.Eval(`navigator.serviceWorker.getRegistration("/t/").then((r) => r.update()).then(() => true)`, nil),
		webtest.WaitJS(`(async () => !!(await navigator.serviceWorker.getRegistration("/t/")).waiting)()`),
		webtest.WaitJS(`!document.querySelector("#banner").hidden`), webtest.Text(`#banner`, &banner),
		webtest.Eval(workerBuild, &got))
	if got != build || !strings.Contains(banner, "新版本") {
		t.Fatalf("while a visit is unsent: worker %q (want the old %q), banner %q", got, build, banner)
	}
	s.shot("12-update-waiting")
	if n := countOf(t, db, `SELECT COUNT(*) FROM visits`); n != 0 {
		t.Fatalf("the server holds %d visits while its sync is down", n)
	}

	// The sync comes back. The app sends the visit and only then, with the
	// outbox empty and no send in flight, takes the new version: it reloads
	// itself, once. The step waits for that navigation, not for a time, and
	// records what the server held when it came.
	var reloads, visitsAtReload atomic.Int64
	chromedp.ListenTarget(s.ctx, func(ev any) {
		if e, ok := ev.(*cdppage.EventFrameNavigated); ok && e.Frame.ParentID == "" {
			reloads.Add(1)
			visitsAtReload.Store(int64(countOf(t, db, `SELECT COUNT(*) FROM visits`)))
		}
	})
	s.run("sync, then the update", webtest.Navigation(
		chromedp.ActionFunc(func(context.Context) error { syncDown.Store(false); return nil }),
		// The app retries by itself after its backoff; "online" makes it now.
		webtest.Eval(`dispatchEvent(new Event("online")), true`, nil)),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`), webtest.Eval(workerBuild, &got))
	if got != build+"-next" {
		t.Fatalf("after the reload the worker runs build %q, want %q", got, build+"-next")
	}
	s.run("the outbox after the update", chromedp.Navigate(base+"/t/#/outbox"), webtest.WaitVisible(`li[data-state="sent"]`),
		webtest.WaitJS(`document.body.dataset.sync === "idle"`))
	if n := reloads.Load(); n != 1 {
		t.Errorf("the app reloaded %d times for the update, want once", n)
	}
	if n := visitsAtReload.Load(); n != 1 {
		t.Errorf("the app reloaded for the update while the server held %d visits: the visit was not yet safe", n)
	}
	if n := countOf(t, db, `SELECT COUNT(*) FROM visits`); n != 1 {
		t.Errorf("after the update the server holds %d visits, want 1", n)
	}
	var items int
	s.run("outbox kept", webtest.Eval(`import("/t/idb.js").then((m) => m.all("outbox")).then((a) => a.filter((x) => x.state === "sent" && x.receipt).length)`, &items))
	if items != 1 {
		t.Errorf("after the update the outbox holds %d sent items with receipts, want 1", items)
	}
}
