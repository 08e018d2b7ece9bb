package office_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestOfficeAPI checks what the office pages add to the API: the sample
// preview (the allocation, nothing stored, field errors), and a round's
// rule posted as YAML text (its problems named with their lines).
func TestOfficeAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		admin := servertest.LoginAs(t, base, "admin")
		analyst := servertest.LoginAs(t, base, "analyst")

		status, b := servertest.Call(t, analyst, "POST", base+"/api/v1/samples/preview", `{"n":8,"per_community":3,"reserves":1,"response_rate":0.5}`)
		var p struct {
			Streets []struct {
				Street                                 string
				N, PSUs, Issued, Reserves, Communities int
				Expected                               float64 `json:"expected_interviews"`
			}
			Total struct{ Issued int }
		}
		if status != http.StatusOK || json.Unmarshal(b, &p) != nil || len(p.Streets) != 2 {
			t.Fatalf("preview = %d %s", status, b)
		}
		// 8 split proportionally over two streets of 36 households: 4 each,
		// in ⌈4/3⌉ = 2 communities of 3, so 6 issued, 3 expected at 50 %.
		for _, s := range p.Streets {
			if s.N != 4 || s.PSUs != 2 || s.Issued != 6 || s.Reserves != 2 || s.Communities != 3 || s.Expected != 3 {
				t.Errorf("preview street %+v", s)
			}
		}
		if ss, _ := db.Samples(t.Context()); len(ss) != 1 {
			t.Errorf("the preview stored a sample: %d samples", len(ss))
		}
		for body, field := range map[string]string{
			`{"n":0}`:                          "n",
			`{"n":10,"per_community":0}`:       "per_community",
			`{"n":10,"response_rate":0}`:       "response_rate",
			`{"n":10,"response_rate":1.5}`:     "response_rate",
			`{"n":10,"allocation":"whatever"}`: "allocation",
		} {
			res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples/preview", body)
			if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields[field] == "" {
				t.Errorf("preview %s = %d %+v, want 422 on %s", body, res.StatusCode, eb, field)
			}
		}

		// A round's rule as the text of a YAML file.
		if res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"第二轮","n":6,"per_community":3,"seed":"5"}`); res.StatusCode != http.StatusCreated {
			t.Fatalf("draw = %d %+v", res.StatusCode, eb)
		}
		res, eb := servertest.PostJSON(t, admin, base+"/api/v1/rounds", `{"name":"R","questionnaire":"field","sample":"第二轮","rule":"days: 2\nattempts: 0\n"}`)
		if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields["rule.attempts"] != "line 2: must be between 1 and 20, got 0" || eb.Error.Fields["rule"] == "" {
			t.Errorf("a bad YAML rule = %d %+v, want 422 naming attempts on line 2", res.StatusCode, eb)
		}
		res, eb = servertest.PostJSON(t, admin, base+"/api/v1/rounds", `{"name":"R","questionnaire":"field","sample":"第二轮","rule":"attempts: 4 # more\napproval: automatic\n"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("a YAML rule = %d %+v", res.StatusCode, eb)
		}
		id, err := db.RoundIDByName(t.Context(), "R")
		if err != nil {
			t.Fatal(err)
		}
		ri, _ := db.RoundInfoByID(t.Context(), id)
		var rule fieldwork.Rule
		if json.Unmarshal([]byte(ri.ReplacementRule), &rule) != nil || rule.Attempts != 4 || rule.Approval != "automatic" || rule.Days != 2 {
			t.Errorf("stored rule = %s", ri.ReplacementRule)
		}
		_ = f
	})
}

// TestOfficePagesShow checks what the office pages show, as each role:
// the rounds with their progress in the caller's street, a supervisor's
// waiting work on the workbench, the audit filters and their errors, and
// the English strings.
func TestOfficePagesShow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f) // a response and a refusal in street 1
		page := func(who, path string) string {
			t.Helper()
			status, _, _, body := servertest.GetPage(t, servertest.LoginAs(t, base, who), base+path)
			if status != http.StatusOK {
				t.Fatalf("%s %s = %d\n%.400s", who, path, status, body)
			}
			return body
		}
		rid := fmt.Sprint(f.Round.ID)
		// Households: 6 per street; sup1's street has one final (the
		// refusal) and one complete.
		row := func(body string) string {
			i := strings.Index(body, `data-round="`+rid+`"`)
			if i < 0 {
				t.Fatalf("no row of round %s in\n%s", rid, body)
			}
			return body[i:min(len(body), i+2500)]
		}
		if r := row(page("admin", "/rounds")); !strings.Contains(r, `<td class="num" data-count="assigned">12</td>`) || !strings.Contains(r, `data-action="close"`) {
			t.Errorf("admin's rounds row:\n%s", r)
		}
		r := row(page("sup1", "/rounds"))
		if !strings.Contains(r, `<td class="num" data-count="assigned">6</td>`) || strings.Contains(r, `data-action=`) || !strings.Contains(r, `/rounds/`+rid+`/board`) {
			t.Errorf("sup1's rounds row (6 households of the street, no state buttons, the board):\n%s", r)
		}
		if r := row(page("analyst", "/rounds")); strings.Contains(r, "/board") || !strings.Contains(r, "/rounds/"+rid+`"`) {
			t.Errorf("analyst's rounds row (the dashboard, not the board):\n%s", r)
		}
		home := row(page("sup1", "/"))
		if !strings.Contains(home, `/rounds/`+rid+`/replacements"><span class="badge warn">1</span>`) {
			t.Errorf("sup1's workbench does not show the replacement waiting:\n%s", home)
		}
		if home := page("sup2", "/"); strings.Contains(home, `/replacements"><span`) {
			t.Errorf("sup2's workbench shows street 1's waiting replacement")
		}
		if home := page("int1a", "/"); !strings.Contains(home, `href="/t/"`) {
			t.Errorf("an interviewer's workbench has no link to the tablet app")
		}

		audit := page("admin", "/audit?object_type=round&object_id="+rid)
		if strings.Count(audit, `data-action="round.`) != 2 || strings.Contains(audit, `data-action="sample.draw"`) {
			t.Errorf("audit of the round: want round.create and round.start only:\n%s", audit)
		}
		// The fixture's entries came "via" test, a way the catalog does not
		// name: shown as written, never as a key.
		if strings.Contains(audit, "office.audit.via.") || !strings.Contains(audit, `<q data-written>test</q>`) {
			t.Errorf("an unknown via is not shown as written:\n%s", audit)
		}
		if a := page("admin", "/audit?user=nosuch&from=2026-13-01"); !strings.Contains(a, `data-error-for="user"`) || !strings.Contains(a, `data-error-for="from"`) {
			t.Errorf("bad audit filters are not shown beside their fields")
		}
		if a := page("admin", "/audit?from=2030-01-01"); !strings.Contains(a, `class="empty"`) {
			t.Errorf("audit from 2030 is not empty")
		}
		// The friendly 404 and 403 pages keep the navigation and a way back.
		for who, path := range map[string]string{"admin": "/samples/nosuch", "sup1": "/users"} {
			status, _, _, body := servertest.GetPage(t, servertest.LoginAs(t, base, who), base+path)
			if status != http.StatusNotFound && status != http.StatusForbidden || !strings.Contains(body, `<nav aria-label=`) ||
				!strings.Contains(body, `href="/rounds"`) || !strings.Contains(body, `<p><a href="/">`) {
				t.Errorf("%s %s = %d without the navigation or the way back:\n%s", who, path, status, body)
			}
		}
		for _, path := range []string{"/rounds", "/registers", "/samples", "/samples/fieldtest", "/users", "/audit", "/", "/surveys"} {
			body := page("admin", path+"?lang=en")
			if !strings.Contains(body, `<html lang="en">`) || strings.Contains(body, "调查轮次</a>") {
				t.Errorf("%s in English is not in English", path)
			}
		}
	})
}
