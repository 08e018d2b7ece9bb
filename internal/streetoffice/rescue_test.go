package streetoffice_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/streetoffice"
)

// rescueFile is a tablet's export: a new visit and a new interview on
// street 1, the interview the server already holds, a visit on street 2's
// household (outside sup1's street) and a visit with an unknown outcome.
func rescueFile(x streetFixture, other int64) string {
	return fmt.Sprintf(`{
 "items": [
  {"type": "visit", "visit": {"client_id": "00000000-0000-4000-8000-0000000000a1", "assignment_id": %[1]d, "attempted_at": "2026-11-22T19:00:00+08:00", "outcome": "interview"}},
  {"type": "response", "response": {"client_id": "00000000-0000-4000-8000-0000000000a2", "assignment_id": %[1]d, "questionnaire_version": 1,
    "answers": %[2]s, "started_at": "2026-11-22T19:00:00+08:00", "completed_at": "2026-11-22T19:14:00+08:00", "device_id": "tablet-07"}},
  {"type": "response", "response": {"client_id": "00000000-0000-4000-8000-000000000001", "assignment_id": %[3]d, "questionnaire_version": 1,
    "answers": %[4]s, "started_at": "2026-11-20T11:00:00Z", "completed_at": "2026-11-20T11:15:00Z"}},
  {"type": "visit", "visit": {"client_id": "00000000-0000-4000-8000-0000000000a3", "assignment_id": %[5]d, "attempted_at": "2026-11-22T19:30:00+08:00", "outcome": "no_one_home"}},
  {"type": "visit", "visit": {"client_id": "00000000-0000-4000-8000-0000000000a4", "assignment_id": %[1]d, "attempted_at": "2026-11-22T19:40:00+08:00", "outcome": "asleep"}}
 ]
}`, x.mine[4].ID, `{"S1":1,"A1":1,"A2":1,"B1":1,"Q1":1,"Q2":2,"Q3":2,"Q4":3}`, x.mine[0].ID, `{"S1":1,"A1":1,"A2":2,"B1":1,"Q1":1,"Q2":2,"Q3":2,"Q4":1}`, other)
}

func TestRescue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newStreetFixture(t, db)
		ctx := context.Background()
		theirs, err := x.f.Service.Assignments(ctx, x.f.Caller("sup2"), x.f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		file := rescueFile(x, theirs[0].ID)
		sup1 := servertest.LoginAs(t, x.base, "sup1")
		want := []string{"received", "received", "held", "refused", "refused"}
		for round, want := range [][]string{want, {"held", "held", "held", "refused", "refused"}} {
			status, body := servertest.UploadTo(t, sup1, x.base+"/rescue", "minyi-outbox-int1a-20261122-2000.json", file, nil)
			if status != http.StatusOK {
				t.Fatalf("upload %d = %d %s", round+1, status, body)
			}
			var res streetoffice.RescueResult
			if err := json.Unmarshal(body, &res); err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != len(want) {
				t.Fatalf("upload %d: %d items, want %d", round+1, len(res.Items), len(want))
			}
			for i, it := range res.Items {
				if it.Outcome != want[i] {
					t.Errorf("upload %d, item %d: %s (%d %+v), want %s", round+1, i, it.Outcome, it.Status, it.Error, want[i])
				}
			}
			if res.Items[3].Status != http.StatusNotFound || res.Items[4].Status != http.StatusUnprocessableEntity || res.Items[4].Error.Fields["outcome"] == "" {
				t.Errorf("upload %d: refusals %+v %+v, want 404 (another street) and 422 on outcome", round+1, res.Items[3], res.Items[4])
			}
		}
		a, err := db.AssignmentByID(ctx, x.mine[4].ID, store.Scope{})
		if err != nil || a.Status != "final" || a.Disposition != "complete" {
			t.Errorf("the rescued interview's household: %s %s (%v), want final complete", a.Status, a.Disposition, err)
		}
		sup := x.f.Users["sup1"].ID
		if n := auditCount(t, db, "visit.record", sup, "rescue"); n != 1 {
			t.Errorf("%d rescued visits audited as sup1's rescue, want 1", n)
		}
		if n := auditCount(t, db, "response.submit", sup, "rescue"); n != 1 {
			t.Errorf("%d rescued interviews audited as sup1's rescue, want 1", n)
		}
		// The rescued visits are the interviewer's, not the supervisor's.
		var bySup int
		if err := db.Reader().Get(&bySup, db.Reader().Rebind("SELECT COUNT(*) FROM visits WHERE interviewer_id = ?"), sup); err != nil || bySup != 0 {
			t.Errorf("%d visits recorded as sup1's (%v), want 0: a rescue enters the interviewer's visits", bySup, err)
		}

		// No file at all: a 422 naming the file field.
		if status, body := servertest.Call(t, sup1, "POST", x.base+"/rescue", `{"items":[]}`); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"file"`) {
			t.Errorf("rescue without a file = %d %s, want 422 on the file field", status, body)
		}

		// A broken file: nothing is stored, the problem has its line.
		status, body := servertest.UploadTo(t, sup1, x.base+"/rescue", "x.json", "{\n \"items\": [\n  {\"type\": \"visit\", \"bogus\": 1}\n ]\n}", nil)
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"line":3`) || !strings.Contains(string(body), "bogus") {
			t.Errorf("broken file = %d %s, want 422 naming line 3", status, body)
		}
		if status, body := servertest.UploadTo(t, sup1, x.base+"/rescue", "x.json", `{"items": []}`, nil); status != http.StatusUnprocessableEntity {
			t.Errorf("empty file = %d %s, want 422", status, body)
		}
	})
}

// TestRescueAccess posts a file to /rescue as every caller: supervisors
// and admins only, the others refused before anything is read.
func TestRescueAccess(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	x := newStreetFixture(t, db)
	file := `{"items": [{"type": "visit", "visit": {"client_id": "00000000-0000-4000-8000-0000000000b1", "assignment_id": 999999, "attempted_at": "2026-11-22T19:00:00+08:00", "outcome": "interview"}}]}`
	want := map[string]int{"": 401, "int1a": 403, "int2a": 403, "sup1": 200, "sup2": 200, "analyst": 403, "admin": 200}
	for _, who := range servertest.AccessCallers {
		c := servertest.Client(t)
		if who != "" {
			c = servertest.LoginAs(t, x.base, who)
		}
		if status, body := servertest.UploadTo(t, c, x.base+"/rescue", "f.json", file, nil); status != want[who] {
			t.Errorf("POST /rescue as %q = %d %s, want %d", who, status, body, want[who])
		}
	}
}
