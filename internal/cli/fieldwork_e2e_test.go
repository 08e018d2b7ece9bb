package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// api is a logged-in HTTP client of the test server.
type api struct {
	t    *testing.T
	base string
	c    *http.Client
}

func apiLogin(t *testing.T, base, user string) *api {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &api{t: t, base: base, c: &http.Client{Jar: jar, Transport: servertest.SameOrigin(nil)}}
	if st, body := a.do("POST", "/api/v1/login", fmt.Sprintf(`{"username":%q,"password":%q}`, user, fieldtest.Password)); st != 200 {
		t.Fatalf("login %s = %d %s", user, st, body)
	}
	return a
}

func (a *api) do(method, path, body string) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, a.base+path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := a.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// want calls the API and fails unless the status is status; it decodes
// the answer into out (if not nil).
func (a *api) want(status int, method, path, body string, out any) {
	a.t.Helper()
	st, b := a.do(method, path, body)
	if st != status {
		a.t.Fatalf("%s %s = %d, want %d: %s", method, path, st, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

type assignmentJSON struct {
	ID          int64  `json:"id"`
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Status      string `json:"status"`
	Disposition string `json:"disposition"`
	Replacement string `json:"replacement"`
	Interviewer string `json:"interviewer"`
}

func clientID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestFieldworkEndToEnd runs a small round over real HTTP on both
// databases: the admin creates and starts it, a supervisor assigns, two
// interviewers record visits and submit (with resends, a conflict and a
// correction), a replacement is released under the rule, the response
// rates equal hand-computed ones, and the round's estimates equal 'minyi
// estimate' on the round's export.
func TestFieldworkEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fieldtest.Prepare(t, db, fieldtest.Small)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 2}, db, auth.NewService(db, auth.NewSecret(), time.Hour), log)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		defer ts.Close()

		admin := apiLogin(t, ts.URL, "admin")
		var round struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		admin.want(422, "POST", "/api/v1/rounds", `{"name":"x","questionnaire":"field","sample":"fieldtest","rule":{"attempts":0}}`, nil)
		admin.want(201, "POST", "/api/v1/rounds", `{"name":"2026Q4 模拟入户","questionnaire":"field@1","sample":"fieldtest","kind":"mock",
			"starts_on":"2026-11-20","ends_on":"2026-11-30","rule":{"attempts":2,"days":2,"evening":1,"approval":"supervisor"}}`, &round)
		if round.Status != "planned" {
			t.Fatalf("new round: %+v", round)
		}
		rp := fmt.Sprintf("/api/v1/rounds/%d", round.ID)

		sup := apiLogin(t, ts.URL, "sup1")
		var list struct{ Assignments []assignmentJSON }
		sup.want(200, "GET", rp+"/assignments", "", &list)
		if len(list.Assignments) != 6 {
			t.Fatalf("sup1 sees %d assignments", len(list.Assignments))
		}
		comm := map[int64]bool{}
		for _, a := range list.Assignments {
			comm[a.CommunityID] = true
		}
		var communities []int64
		for c := range comm {
			communities = append(communities, c)
		}
		if len(communities) != 2 {
			t.Fatalf("communities %v", communities)
		}
		sup.want(200, "POST", rp+"/assignments", fmt.Sprintf(`{"interviewer":"int1a","community_id":%d}`, communities[0]), nil)
		sup.want(200, "POST", rp+"/assignments", fmt.Sprintf(`{"interviewer":"int1b","community_id":%d}`, communities[1]), nil)
		sup.want(422, "POST", rp+"/assignments", fmt.Sprintf(`{"interviewer":"int2a","community_id":%d}`, communities[1]), nil)

		ia, ib := apiLogin(t, ts.URL, "int1a"), apiLogin(t, ts.URL, "int1b")
		var mineA, mineB struct {
			Questionnaire struct{ Version int }
			Assignments   []assignmentJSON
		}
		// Not started yet: recording is refused.
		ia.want(200, "GET", fmt.Sprintf("/api/v1/me/assignments?round=%d", round.ID), "", &mineA)
		ib.want(200, "GET", fmt.Sprintf("/api/v1/me/assignments?round=%d", round.ID), "", &mineB)
		if len(mineA.Assignments) != 3 || len(mineB.Assignments) != 3 || mineA.Questionnaire.Version != 1 {
			t.Fatalf("assignments: %d and %d, version %d", len(mineA.Assignments), len(mineB.Assignments), mineA.Questionnaire.Version)
		}
		visit := func(n int, a int64, at, outcome string) string {
			return fmt.Sprintf(`{"client_id":%q,"assignment_id":%d,"attempted_at":%q,"outcome":%q,"gps":{"lat":30.1,"lon":120.2,"accuracy_m":8}}`, clientID(n), a, at, outcome)
		}
		response := func(n int, a int64, answers string, extra string) string {
			return fmt.Sprintf(`{"client_id":%q,"assignment_id":%d,"questionnaire_version":1,"answers":%s,
				"started_at":"2026-11-21T19:00:00+08:00","completed_at":"2026-11-21T19:14:00+08:00","device_id":"tablet-7","app_version":"1.0"%s}`,
				clientID(n), a, answers, extra)
		}
		ia.want(409, "POST", "/api/v1/visits", visit(1, mineA.Assignments[0].ID, "2026-11-21T19:00:00+08:00", "interview"), nil)
		admin.want(200, "POST", rp+"/start", "", nil)

		// int1a: three interviews (one of them corrected), one not eligible.
		a0, a1, a2 := mineA.Assignments[0].ID, mineA.Assignments[1].ID, mineA.Assignments[2].ID
		ia.want(201, "POST", "/api/v1/visits", visit(1, a0, "2026-11-21T19:00:00+08:00", "interview"), nil)
		ia.want(200, "POST", "/api/v1/visits", visit(1, a0, "2026-11-21T19:00:00+08:00", "interview"), nil)
		ia.want(409, "POST", "/api/v1/visits", visit(1, a0, "2026-11-21T19:00:00+08:00", "refused"), nil)
		var first, again struct{ ID int64 }
		ia.want(201, "POST", "/api/v1/responses", response(10, a0, fieldtest.Answers(true, true, [4]int{1, 2, 2, 1}), ""), &first)
		ia.want(200, "POST", "/api/v1/responses", response(10, a0, fieldtest.Answers(true, true, [4]int{1, 2, 2, 1}), ""), &again)
		if again.ID != first.ID {
			t.Fatalf("resend got id %d, first %d", again.ID, first.ID)
		}
		ia.want(409, "POST", "/api/v1/responses", response(10, a0, fieldtest.Answers(false, true, [4]int{1, 2, 2, 1}), ""), nil)
		ia.want(409, "POST", "/api/v1/responses", response(11, a0, fieldtest.Answers(false, true, [4]int{1, 2, 2, 1}), ""), nil)
		ia.want(201, "POST", "/api/v1/responses", response(11, a0, fieldtest.Answers(false, true, [4]int{1, 2, 2, 1}), fmt.Sprintf(`,"supersedes":%d`, first.ID)), nil)
		st, body := ia.do("POST", "/api/v1/responses", response(12, a1, `{"S1":1,"A1":1,"B1":1,"Q1":1,"Q2":1,"Q3":1,"Q4":7}`, ""))
		if st != 422 || !strings.Contains(string(body), `"A2"`) || !strings.Contains(string(body), `"Q4"`) {
			t.Fatalf("invalid answers = %d %s", st, body)
		}
		// The other interviewer's household does not exist for int1a.
		ia.want(404, "POST", "/api/v1/responses", response(13, mineB.Assignments[0].ID, fieldtest.Answers(true, true, [4]int{1, 1, 1, 1}), ""), nil)
		// A tablet's outbox: one good interview, one refused item, one resend.
		var synced struct {
			Results []struct {
				Index, Status int
				ID            int64
				Error         *struct{ Fields map[string]string }
			}
		}
		outbox := fmt.Sprintf(`{"items":[{"type":"response","response":%s},{"type":"response","response":%s},{"type":"visit","visit":%s}]}`,
			response(14, a1, fieldtest.Answers(true, false, [4]int{2, 2, 3, 2}), ""),
			response(15, a2, `{"S1":1}`, ""),
			visit(1, a0, "2026-11-21T19:00:00+08:00", "interview"))
		ia.want(200, "POST", "/api/v1/sync", outbox, &synced)
		if len(synced.Results) != 3 || synced.Results[0].Status != 201 || synced.Results[1].Status != 422 ||
			synced.Results[1].Error == nil || synced.Results[1].Error.Fields["A1"] == "" || synced.Results[2].Status != 200 {
			t.Fatalf("sync = %+v", synced.Results)
		}
		ia.want(201, "POST", "/api/v1/responses", response(16, a2, `{"S1":2}`, ""), nil) // not eligible

		// int1b: a refusal and a replacement, two attempts without contact,
		// one interview.
		b0, b1, b2 := mineB.Assignments[0].ID, mineB.Assignments[1].ID, mineB.Assignments[2].ID
		ib.want(201, "POST", "/api/v1/visits", visit(20, b0, "2026-11-21T19:30:00+08:00", "refused"), nil)
		ib.want(403, "POST", fmt.Sprintf("/api/v1/assignments/%d/replace", b0), "", nil)
		var replaced assignmentJSON
		sup.want(200, "POST", fmt.Sprintf("/api/v1/assignments/%d/replace", b0), `{"reason":"refused at the door"}`, &replaced)
		if replaced.Replacement != "released" || replaced.Disposition != "refusal" {
			t.Fatalf("replaced = %+v", replaced)
		}
		ib.want(200, "GET", fmt.Sprintf("/api/v1/me/assignments?round=%d", round.ID), "", &mineB)
		if len(mineB.Assignments) != 4 {
			t.Fatalf("int1b has %d assignments after the replacement", len(mineB.Assignments))
		}
		var reserve int64
		for _, a := range mineB.Assignments {
			if a.ID != b0 && a.ID != b1 && a.ID != b2 {
				reserve = a.ID
			}
		}
		ib.want(201, "POST", "/api/v1/responses", response(21, reserve, fieldtest.Answers(true, true, [4]int{1, 1, 2, 5}), ""), nil)
		ib.want(201, "POST", "/api/v1/visits", visit(22, b1, "2026-11-21T10:00:00+08:00", "no_one_home"), nil)
		var nc struct{ Assignment assignmentJSON }
		ib.want(201, "POST", "/api/v1/visits", visit(23, b1, "2026-11-22T19:00:00+08:00", "no_one_home"), &nc)
		if nc.Assignment.Status != "final" || nc.Assignment.Disposition != "non_contact" || nc.Assignment.Replacement != "due" {
			t.Fatalf("two attempts on two days, one in the evening: %+v", nc.Assignment)
		}
		ib.want(201, "POST", "/api/v1/responses", response(24, b2, fieldtest.Answers(false, false, [4]int{3, 4, 2, 2}), ""), nil)

		// Response rates, by hand: I = 4 (a0, a1, reserve, b2), NE = 1 (a2),
		// R = 1 (b0), UH = 1 (b1); RR1 = 4/6, e = (4+1)/(4+1+1) = 5/6,
		// RR3 = 4/(4 + 1 + e·1),
		// COOP1 = 4/5, REF1 = 1/6, CON1 = 5/6.
		var prog struct {
			Total struct {
				Dispositions map[string]int
				Rates        map[string]float64
			}
			Groups []struct{ Name string }
		}
		sup.want(200, "GET", rp+"/progress?by=interviewer", "", &prog)
		d := prog.Total.Dispositions
		if d["i"] != 4 || d["ne"] != 1 || d["r"] != 1 || d["uh"] != 1 || d["pending"] != 0 || len(prog.Groups) != 2 {
			t.Fatalf("progress = %+v", prog)
		}
		for name, want := range map[string]float64{"rr1": 4.0 / 6, "e": 5.0 / 6, "rr3": 4 / (5 + 5.0/6), "coop1": 0.8, "ref1": 1.0 / 6, "con1": 5.0 / 6} {
			if got := prog.Total.Rates[name]; math.Abs(got-want) > 1e-12 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		// Review: a flagged response stays counted; one sent back leaves the
		// estimates and reopens its household.
		var resps struct{ Responses []struct{ ID int64 } }
		sup.want(200, "GET", rp+"/responses?status=accepted", "", &resps)
		if len(resps.Responses) != 5 {
			t.Fatalf("%d accepted responses", len(resps.Responses))
		}
		sup.want(422, "POST", fmt.Sprintf("/api/v1/responses/%d/review", resps.Responses[0].ID), `{"action":"return"}`, nil)
		sup.want(200, "POST", fmt.Sprintf("/api/v1/responses/%d/review", resps.Responses[0].ID), `{"action":"flag","reason":"check the address"}`, nil)

		// The estimates equal 'minyi estimate' on the round's export: the
		// four respondents (the screened-out interview is a household found
		// not eligible, in no estimate).
		analyst := apiLogin(t, ts.URL, "analyst")
		st, data := analyst.do("GET", rp+"/data", "")
		if st != 200 || strings.Count(string(data), "\n") != 5 {
			t.Fatalf("data = %d\n%s", st, data)
		}
		file := filepath.Join(t.TempDir(), "data.csv")
		os.WriteFile(file, data, 0o600)
		out, _, err := runCLI(t, nil, "", "estimate", "--data", file, "--strata", "street", "--cluster", "psu", "--weight", "weight",
			"--vars", "aware,support,satisfied", "--format", "json", "--lonely-psu", "adjust")
		if err != nil {
			t.Fatal(err)
		}
		var cli struct {
			Estimates []struct {
				Variable string
				Estimate float64
				SE       float64 `json:"se"`
			}
		}
		if err := json.Unmarshal([]byte(out), &cli); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		var rep struct {
			Estimates []struct {
				Variable string
				Domain   *string
				Estimate *float64
				SE       *float64 `json:"se"`
			}
		}
		analyst.want(200, "GET", rp+"/estimates?lonely_psu=adjust&variance=wr", "", &rep) // minyi estimate treats PSUs as drawn with replacement
		checked := 0
		for _, c := range cli.Estimates {
			for _, e := range rep.Estimates {
				if e.Variable == c.Variable && e.Domain == nil {
					checked++
					if e.Estimate == nil || math.Abs(*e.Estimate-c.Estimate) > 1e-12 || e.SE == nil || math.Abs(*e.SE-c.SE) > 1e-12 {
						t.Errorf("%s: API %v ± %v, minyi estimate %v ± %v", c.Variable, e.Estimate, e.SE, c.Estimate, c.SE)
					}
				}
			}
		}
		if checked != 3 {
			t.Fatalf("compared %d estimates: CLI %s", checked, out)
		}

		// Closing freezes the round.
		admin.want(200, "POST", rp+"/close", `{"force":true}`, nil) // flags and a replacement still open
		ia.want(409, "POST", "/api/v1/responses", response(30, a1, fieldtest.Answers(true, true, [4]int{1, 1, 1, 1}), fmt.Sprintf(`,"supersedes":%d`, resps.Responses[1].ID)), nil)
		var n int
		if err := db.Reader().GetContext(ctx, &n, "SELECT COUNT(*) FROM response_values"); err != nil || n != 4*fieldtest.Indicators {
			t.Fatalf("%d value rows (%v), want %d (the 4 respondents; the screened-out interview has none)", n, err, 4*fieldtest.Indicators)
		}
	})
}
