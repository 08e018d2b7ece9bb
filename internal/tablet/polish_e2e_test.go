package tablet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
	"github.com/minyi-survey/minyi/surveys"
)

// shippedRound serves the fieldtest district in the field with a shipped
// questionnaire (surveys/NAME) in place of the fixture's, every household
// of street 1 given to int1a.
func shippedRound(t *testing.T, name string) (*fieldtest.Field, *questionnaire.Definition, string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	f := fieldtest.Prepare(t, db, fieldtest.Small)
	data, err := fs.ReadFile(surveys.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	def, err := questionnaire.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := survey.Import(ctx, db, name, data, store.System); err != nil {
		t.Fatal(err)
	}
	if _, err := survey.Publish(ctx, db, def.ID, store.System); err != nil {
		t.Fatal(err)
	}
	admin := f.Caller("admin")
	r, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "2026Q4 " + def.ID, Questionnaire: def.ID, Sample: "fieldtest", Kind: "mock"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Round, err = f.Service.SetState(ctx, admin, r.ID, "start"); err != nil {
		t.Fatal(err)
	}
	f.AssignStreet(t, 1)
	srv, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}, db,
		auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return f, def, ts.URL
}

// navReachable checks that the button sel (下一题, 完成) is on the screen as
// it is drawn, without scrolling: the page is at its top, the button's box
// lies inside the viewport, and it is what a finger there would touch.
func (s *tabletSession) navReachable(where, sel string) {
	s.t.Helper()
	var got struct {
		ScrollY                  float64
		Top, Bottom, Left, Right float64
		W, H                     float64
		OnTop                    bool
	}
	s.run("measure "+sel+" at "+where, webtest.Rendered(), webtest.Eval(`(() => {
		const b = document.querySelector(`+webtest.JSON(sel)+`), r = b.getBoundingClientRect();
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return { ScrollY: scrollY, Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right, W: innerWidth, H: innerHeight,
			OnTop: hit === b || b.contains(hit) };
	})()`, &got))
	if got.ScrollY != 0 || got.Top < 0 || got.Left < 0 || got.Bottom > got.H || got.Right > got.W || !got.OnTop {
		s.t.Errorf("%s: %s is not reachable without scrolling at %.0f×%.0f: %+v", where, sel, got.W, got.H, got)
	}
}

// TestTabletShippedQuestionnaires walks every question of both shipped
// questionnaires on a phone (360×740): 下一题 is on the screen without
// scrolling on each, an out-of-range number shows the app's own message
// (the form has novalidate: no browser bubble), and a question tapped on
// the review page is changed there and leads back to the review. Screens
// in both languages at 360×740 and 1280×800 go to the test's folder.
func TestTabletShippedQuestionnaires(t *testing.T) {
	b := webtest.Start(t)
	files, err := fs.Glob(surveys.FS, "*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("shipped questionnaires: %v %v", files, err)
	}
	for i, name := range files {
		f, def, base := shippedRound(t, name)
		mine, err := f.Service.Assignments(context.Background(), f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
		if err != nil || len(mine) == 0 {
			t.Fatalf("%s: int1a's households: %d %v", name, len(mine), err)
		}
		s := &tabletSession{t: t, b: b, ctx: b.Tab(3 * time.Minute)}
		// The first questionnaire in Chinese, the next in English.
		lang := []string{"zh-CN", "en"}[i%2]
		s.run("log in", webtest.Viewport(360, 740), webtest.Login(base+"/t/", "int1a", fieldtest.Password), webtest.WaitVisible(`a.household`))
		if lang == "en" {
			s.run("english", webtest.Click(`#lang`), webtest.WaitJS(`document.documentElement.lang === "en"`), webtest.WaitVisible(`a.household`))
		}
		s.run("start", webtest.WaitJS(`document.body.dataset.sync !== "busy"`), webtest.Click(fmt.Sprintf(`a[href="#/h/%d"]`, mine[0].ID)),
			webtest.Click(`#start`))

		var want []string
		for _, sec := range def.Sections {
			for _, q := range sec.Questions {
				want = append(want, q.Code)
			}
		}
		// The first ordinary option answers a choice, except where a
		// later question is shown only after another answer.
		override := map[string]string{"W6": "4"}
		var seen []string
		for range len(want) + 2 {
			var q struct{ Code, Kind, Value, Min, Max string }
			s.run("next screen", webtest.WaitVisible(`#question, #finish`), webtest.Eval(`(() => {
				const f = document.querySelector("#question");
				if (!f) return { Code: "" };
				const num = f.querySelector("input[type=number]"), text = f.querySelector("textarea");
				if (num) return { Code: f.dataset.code, Kind: "integer", Min: num.min, Max: num.max };
				if (text) return { Code: f.dataset.code, Kind: "text" };
				return { Code: f.dataset.code, Kind: "choice", Value: f.querySelector(".opt:not(.special) input").value };
			})()`, &q))
			if q.Code == "" {
				break
			}
			seen = append(seen, q.Code)
			where := name + " " + q.Code
			s.navReachable(where, "#next")
			if len(seen) == 1 {
				var noValidate bool
				s.run("novalidate", webtest.Eval(`document.querySelector("#question").noValidate`, &noValidate))
				if !noValidate {
					t.Errorf("%s: the question's form lacks novalidate: the browser shows its own bubbles", where)
				}
			}
			switch q.Kind {
			case "integer":
				// Too large: the app says what is allowed, in its words.
				var msg string
				s.run("out of range "+q.Code, webtest.Type(`#question input[type=number]`, "999"), webtest.Click(`#next`),
					webtest.Text(`#q-error`, &msg))
				wantMsg := map[string]string{"zh-CN": "请输入 %s 到 %s 之间的整数", "en": "Enter a whole number from %s to %s"}[lang]
				if wantMsg == "" || msg != fmt.Sprintf(wantMsg, q.Min, q.Max) {
					t.Errorf("%s: 999 shows %q, want the app's message %q", where, msg, fmt.Sprintf(wantMsg, q.Min, q.Max))
				}
				if !strings.Contains(msg, q.Max) {
					t.Errorf("%s: the message %q does not name the largest answer %s", where, msg, q.Max)
				}
				s.b.Screenshot(s.ctx, fmt.Sprintf("tablet-out-of-range-%s-%s-360x740", lang, q.Code))
				s.run("clear "+q.Code, webtest.Eval(`(() => { const el = document.querySelector("#question input[type=number]");
					el.value = ""; el.dispatchEvent(new Event("input")); return true; })()`, nil),
					webtest.Type(`#question input[type=number]`, q.Min))
			case "text":
				s.run("type "+q.Code, webtest.Type(`#question textarea`, "好"))
			default:
				v := q.Value
				if o, ok := override[q.Code]; ok {
					v = o
				}
				s.run("answer "+q.Code, webtest.Click(fmt.Sprintf(`#question input[value=%q]`, v)))
			}
			if q.Code == "D1" || q.Code == "W3" { // a satisfaction item, the longest screens
				s.b.Screenshot(s.ctx, fmt.Sprintf("tablet-question-%s-360x740", lang))
				s.run("wide", webtest.Viewport(1280, 800))
				s.navReachable(where+" at 1280", "#next")
				s.b.Screenshot(s.ctx, fmt.Sprintf("tablet-question-%s-1280x800", lang))
				s.run("narrow", webtest.Viewport(360, 740))
			}
			s.run("next from "+q.Code, webtest.Click(`#next`),
				webtest.WaitJS(fmt.Sprintf(`!document.querySelector('#question[data-code=%q]')`, q.Code)))
		}
		if !slices.Equal(seen, want) {
			t.Errorf("%s: the walk showed %v, want every question %v", name, seen, want)
		}

		// The review: tap the first satisfaction item, change it, and come
		// back to the review with the new answer.
		s.navReachable(name+" review", "#finish")
		var item string
		for _, c := range seen {
			if c == "D1" || c == "W2" {
				item = c
			}
		}
		if item == "" {
			t.Fatalf("%s: no satisfaction item to change", name)
		}
		row := fmt.Sprintf(`.review a[data-code=%q]`, item)
		var before, after, label string
		s.run("tap "+item, webtest.Text(row+" .ans", &before), webtest.Click(row),
			webtest.WaitVisible(fmt.Sprintf(`#question[data-code=%q]`, item)), webtest.Text(`#next`, &label))
		if wantLabel := map[string]string{"zh-CN": "确定，返回核对", "en": "OK, back to review"}[lang]; label != wantLabel {
			t.Errorf("%s: opened from the review, the button says %q, want %q", name, label, wantLabel)
		}
		s.navReachable(name+" change "+item, "#next")
		s.run("change "+item, webtest.Click(`#question input[value="3"]`), webtest.Click(`#next`),
			webtest.WaitVisible(`#finish`), webtest.Text(row+" .ans", &after))
		if after == before || after == "" {
			t.Errorf("%s: after changing %s the review shows %q (was %q)", name, item, after, before)
		}
		s.b.Screenshot(s.ctx, fmt.Sprintf("tablet-review-%s-360x740", lang))
		s.run("wide review", webtest.Viewport(1280, 800))
		s.b.Screenshot(s.ctx, fmt.Sprintf("tablet-review-%s-1280x800", lang))
		s.run("finish", webtest.Viewport(360, 740), webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`))
	}
	t.Logf("screenshots in %s", b.Dir)
}

// syncLog records, in order, the sync requests the browser sent: which
// items each carried, and whether the server answered (false: dropped,
// as by a stopped server).
type syncLog struct {
	mu   sync.Mutex
	reqs []syncReq
}

type syncReq struct {
	ids      []string
	answered bool
	status   int
}

func (l *syncLog) add(r syncReq) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, r)
}

func (l *syncLog) all() []syncReq {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

// syncIDs reads the client ids of a POST /api/v1/sync body.
func syncIDs(body []byte) []string {
	var b struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(body, &b)
	var ids []string
	for _, it := range b.Items {
		for k, v := range it {
			if k == "type" {
				continue
			}
			var x struct {
				ClientID string `json:"client_id"`
			}
			if json.Unmarshal(v, &x) == nil && x.ClientID != "" {
				ids = append(ids, x.ClientID)
			}
		}
	}
	return ids
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// TestTabletServerDownAndOrder: a visit and then an interview recorded
// offline at one household wait calmly ("saved on this device"); when the
// network is back but the server is stopped, the header says 连不上服务器
// and the failed sends carry the visit only; once the server is back the
// two arrive in the order they were recorded.
func TestTabletServerDownAndOrder(t *testing.T) {
	b := webtest.Start(t)
	db := storetest.Open(t, store.SQLite)
	// offline: the device has no network (DevTools' emulation, and the
	// server drops the browser's requests, its service worker's too);
	// stopped: the network is up, the server does not answer.
	var offline, stopped atomic.Bool
	var log syncLog
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fromTablet := strings.Contains(r.UserAgent(), "Chrome")
			var ids []string
			if fromTablet && r.Method == http.MethodPost && r.URL.Path == "/api/v1/sync" {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				ids = syncIDs(body)
			}
			if fromTablet && (offline.Load() || stopped.Load()) {
				if ids != nil {
					log.add(syncReq{ids: ids})
				}
				if hj, ok := w.(http.Hijacker); ok {
					if conn, _, err := hj.Hijack(); err == nil {
						conn.Close()
						return
					}
				}
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			h.ServeHTTP(sw, r)
			if ids != nil {
				log.add(syncReq{ids: ids, answered: true, status: sw.status})
			}
		})
	}
	f, base := servertest.NewFieldServerWith(t, db, fieldtest.Small, wrap)
	f.AssignStreet(t, 1)
	mine, err := f.Service.Assignments(context.Background(), f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil || len(mine) == 0 {
		t.Fatalf("int1a's households: %d, %v", len(mine), err)
	}
	a := mine[0]
	s := &tabletSession{t: t, b: b, ctx: b.Tab(2 * time.Minute)}
	idle := webtest.WaitJS(`document.body.dataset.sync !== "busy"`)
	netIs := func(state string) chromedp.Action {
		return webtest.WaitJS(fmt.Sprintf(`document.querySelector("#net").dataset.state === %q`, state))
	}
	s.run("log in", webtest.Viewport(360, 740), webtest.Login(base+"/t/", "int1a", fieldtest.Password), webtest.WaitVisible(`a.household`),
		webtest.WaitJS(`navigator.serviceWorker.controller !== null`), idle, netIs("online"))

	// Offline: a visit (nobody home), then the interview when they come.
	offline.Store(true)
	s.run("offline", webtest.Offline(true), netIs("offline"))
	house := fmt.Sprintf(`a[href="#/h/%d"]`, a.ID)
	s.run("visit", idle, webtest.Click(house), webtest.WaitVisible(`#start`), webtest.Click(`button[data-outcome=no_one_home]`),
		webtest.WaitVisible(`a.household`))
	s.run("interview", idle, webtest.Click(house), webtest.Click(`#start`))
	s.interview(map[string]string{"S1": "1", "A1": "2", "B1": "1", "Q1": "2", "Q2": "2", "Q3": "1", "Q4": "3"}, false)
	s.run("finish", webtest.Click(`#finish`), webtest.WaitVisible(`#to-list`))
	var ids struct{ Visit, Response string }
	s.run("client ids", webtest.Eval(`import("/t/idb.js").then((m) => m.all("outbox")).then((xs) => ({
		Visit: (xs.find((x) => x.type === "visit") || {}).client_id || "", Response: (xs.find((x) => x.type === "response") || {}).client_id || "" }))`, &ids))
	if ids.Visit == "" || ids.Response == "" {
		t.Fatalf("the outbox holds %+v, want a visit and an interview", ids)
	}
	var net string
	var calm []string
	s.run("outbox offline", chromedp.Navigate(base+"/t/#/outbox"), webtest.WaitVisible(`#export`), netIs("offline"), webtest.Text(`#net`, &net),
		webtest.Eval(`[...document.querySelectorAll("ul.outbox li")].map((li) => li.querySelector(".queued") ? li.querySelector(".queued").textContent : "NOT CALM: " + li.innerText)`, &calm))
	if net != "离线" {
		t.Errorf("offline, the header says %q, want 离线", net)
	}
	if len(calm) != 2 || calm[0] != "已保存在本机，联网后自动发送" || calm[1] != calm[0] {
		t.Errorf("offline, the outbox says %q, want twice 已保存在本机，联网后自动发送", calm)
	}
	var export string
	s.run("export label", webtest.Text(`#export`, &export))
	if !strings.Contains(export, "入户记录") || !strings.Contains(export, "问卷") {
		t.Errorf("the export button says %q: it exports visits and interviews", export)
	}
	s.b.Screenshot(s.ctx, "tablet-outbox-offline-zh-CN-360x740")

	// The network comes back, the server does not: the app's sends fail,
	// and it says so.
	stopped.Store(true)
	offline.Store(false)
	s.run("network up, server stopped", webtest.Offline(false), webtest.WaitJS(`navigator.onLine`), netIs("unreachable"), idle,
		webtest.Text(`#net`, &net), webtest.Eval(`[...document.querySelectorAll("ul.outbox li .queued")].map((x) => x.textContent)`, &calm))
	if net != "连不上服务器" {
		t.Errorf("with the server stopped the header says %q, want 连不上服务器", net)
	}
	if len(calm) != 2 || calm[0] != "已保存在本机，连上服务器后自动发送" {
		t.Errorf("with the server stopped the outbox says %q", calm)
	}
	if n := countOf(t, db, `SELECT COUNT(*) FROM visits`); n != 0 {
		t.Fatalf("the stopped server holds %d visits", n)
	}
	s.b.Screenshot(s.ctx, "tablet-outbox-server-down-zh-CN-360x740")
	failed := log.all()
	if len(failed) == 0 {
		t.Fatal("no send was tried while the server was stopped")
	}

	// The server is back: everything arrives, in the order recorded.
	stopped.Store(false)
	s.run("server back", webtest.Click(`#sync-now`), netIs("online"),
		webtest.WaitJS(`document.querySelectorAll('li[data-state="sent"]').length === 2`), idle)
	reqs := log.all()
	sentOK := func(r syncReq) bool { return r.answered && r.status == http.StatusOK }
	visitAt, responseAt, early := -1, -1, -1
	for i, r := range reqs {
		if slices.Contains(r.ids, ids.Response) && visitAt < 0 && early < 0 {
			early = i
			t.Errorf("sync request %d of %d carried the interview before the visit had reached the server (answered %v): %v",
				i+1, len(reqs), r.answered, r.ids)
		}
		if slices.Contains(r.ids, ids.Visit) && sentOK(r) && visitAt < 0 {
			visitAt = i
		}
		if slices.Contains(r.ids, ids.Response) && sentOK(r) && responseAt < 0 {
			responseAt = i
		}
	}
	if !slices.ContainsFunc(reqs, func(r syncReq) bool { return !r.answered && slices.Contains(r.ids, ids.Visit) }) {
		t.Errorf("no send of the visit failed during the outage (%d sync requests)", len(reqs))
	}
	if visitAt < 0 || responseAt <= visitAt {
		t.Errorf("the visit was stored by sync request %d, the interview by %d: want the visit first", visitAt+1, responseAt+1)
	}
	// The server's own record agrees: the visit was received first.
	var visitRecv, responseRecv time.Time
	if err := db.Reader().Get(&visitRecv, db.Reader().Rebind(`SELECT received_at FROM visits WHERE client_id = ?`), ids.Visit); err != nil {
		t.Fatal(err)
	}
	if err := db.Reader().Get(&responseRecv, db.Reader().Rebind(`SELECT received_at FROM responses WHERE client_id = ?`), ids.Response); err != nil {
		t.Fatal(err)
	}
	if !visitRecv.Before(responseRecv) {
		t.Errorf("the server received the visit at %v and the interview at %v: want the visit first", visitRecv, responseRecv)
	}
	s.b.Screenshot(s.ctx, "tablet-outbox-sent-zh-CN-360x740")

	// The household: its address once, its visits counted once.
	var addr, state string
	s.run("household", chromedp.Navigate(fmt.Sprintf("%s/t/#/h/%d", base, mine[1].ID)), webtest.Text(`#address`, &addr), webtest.Text(`#household-state`, &state))
	if strings.Count(addr, mine[1].Building) != 1 {
		t.Errorf("the household's address %q repeats the building %q", addr, mine[1].Building)
	}
	if strings.Contains(state, "未访问") && strings.Contains(state, "已访") {
		t.Errorf("the household says %q", state)
	}
}

// TestTabletOneLogin: an interviewer signed in on the office site opens
// /t/ without signing in again (the app exchanges the session for its
// device token); a supervisor's session is not taken.
func TestTabletOneLogin(t *testing.T) {
	b := webtest.Start(t)
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	f.AssignStreet(t, 1)
	s := &tabletSession{t: t, b: b, ctx: b.Tab(time.Minute)}
	tokens := func(user string) int {
		return countOf(t, db, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ?`, f.Users[user].ID)
	}
	s.run("office login", webtest.Viewport(360, 740), webtest.Login(base+"/login", "int1a", fieldtest.Password),
		webtest.WaitJS(`location.pathname !== "/login"`))
	var login int
	s.run("open the app", chromedp.Navigate(base+"/t/"), webtest.WaitVisible(`a.household`),
		webtest.Eval(`document.querySelectorAll("input[name=password]").length`, &login))
	if login != 0 || tokens("int1a") != 1 {
		t.Errorf("after the office login the app shows a password field (%d) and int1a has %d tokens, want none and 1", login, tokens("int1a"))
	}
	var user string
	s.run("device token kept", webtest.Eval(`import("/t/idb.js").then((m) => m.get("kv", "session")).then((s) => s && s.token ? s.user.username : "")`, &user))
	if user != "int1a" {
		t.Errorf("the app's session is for %q, want int1a", user)
	}

	// An appointment: the household moves to the top of the list, with
	// the time agreed.
	mine, err := f.Service.Assignments(context.Background(), f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil || len(mine) < 3 {
		t.Fatalf("int1a's households: %d, %v", len(mine), err)
	}
	last := mine[len(mine)-1]
	var first, when string
	s.run("appointment", webtest.WaitJS(`document.body.dataset.sync !== "busy"`), webtest.Click(fmt.Sprintf(`a[href="#/h/%d"]`, last.ID)),
		webtest.WaitVisible(`#appt`), webtest.Eval(`(() => { const el = document.querySelector("#appt"); el.value = "2026-12-07T14:30";
			el.dispatchEvent(new Event("input")); return true; })()`, nil),
		webtest.Click(`button[data-outcome=appointment]`), webtest.WaitVisible(`#appointments time.appt-at`),
		webtest.Eval(`document.querySelector("#groups > section").id + " " + document.querySelector("#groups > section a.household").getAttribute("href")`, &first),
		webtest.Text(`#appointments time.appt-at`, &when))
	if want := fmt.Sprintf("appointments #/h/%d", last.ID); first != want || !strings.Contains(when, "14:30") {
		t.Errorf("after an appointment the list starts with %q at %q, want %q at 14:30", first, when, want)
	}
	s.run("appointment sent", webtest.WaitJS(`document.querySelector("#outbox-link").classList.contains("zero") &&
		!document.querySelector("#appointments").innerText.includes("待发送")`))
	s.b.Screenshot(s.ctx, "tablet-list-zh-CN-360x740")
	s.run("wide", webtest.Viewport(1280, 800))
	s.b.Screenshot(s.ctx, "tablet-list-zh-CN-1280x800")

	b2 := webtest.Start(t)
	s2 := &tabletSession{t: t, b: b2, ctx: b2.Tab(time.Minute)}
	s2.run("supervisor", webtest.Viewport(360, 740), webtest.Login(base+"/login", "sup1", fieldtest.Password),
		webtest.WaitJS(`location.pathname !== "/login"`), chromedp.Navigate(base+"/t/"), webtest.WaitVisible(`input[name=username]`))
	if n := tokens("sup1"); n != 0 {
		t.Errorf("a supervisor's office session made %d tablet tokens", n)
	}
}
