package rounds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func init() { auth.BcryptCost = bcrypt.MinCost }

// uuid returns a fixed, valid client id for n.
func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// evening is 19:30 Shanghai time on day d of November 2026.
func evening(d int) time.Time {
	return time.Date(2026, 11, d, 11, 30, 0, 0, time.UTC)
}

func assignments(t *testing.T, f *fieldtest.Field, who string) []store.Assignment {
	t.Helper()
	as, err := f.Service.Assignments(context.Background(), f.Caller(who), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func countRows(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Reader().Get(&n, db.Reader().Rebind(q), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestVisitsAndSubmissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		mine := assignments(t, f, "int1a")
		if len(mine) != 6 {
			t.Fatalf("int1a has %d assignments, want 6", len(mine))
		}
		if other, err := f.Service.Assignments(ctx, f.Caller("int1b"), f.Round.ID, store.AssignmentFilter{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("int1b, with no assignments, sees the round: %d assignments, %v", len(other), err)
		}
		if sup2 := assignments(t, f, "sup2"); len(sup2) != 6 || sup2[0].StreetID == mine[0].StreetID {
			t.Fatalf("sup2 sees %d assignments (street %d)", len(sup2), sup2[0].StreetID)
		}
		a := mine[0]
		int1a := f.Caller("int1a")

		// A visit, its resend and a conflicting resend.
		v := rounds.VisitRequest{ClientID: uuid(1), AssignmentID: a.ID, AttemptedAt: evening(20), Outcome: "interview"}
		res, err := f.Service.RecordVisit(ctx, int1a, v)
		if err != nil || !res.Created || res.Assignment.Status != "in_progress" {
			t.Fatalf("visit = %+v, %v", res, err)
		}
		again, err := f.Service.RecordVisit(ctx, int1a, v)
		if err != nil || again.Created || again.Visit.ID != res.Visit.ID {
			t.Fatalf("resend = %+v, %v", again, err)
		}
		v2 := v
		v2.Outcome = "refused"
		if _, err := f.Service.RecordVisit(ctx, int1a, v2); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("conflicting resend: %v", err)
		}
		// Another interviewer, of the street or not, cannot see the household.
		for _, who := range []string{"int1b", "int2a", "sup2"} {
			v3 := v
			v3.ClientID = uuid(2)
			if _, err := f.Service.RecordVisit(ctx, f.Caller(who), v3); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s visit: %v, want NotFound", who, err)
			}
		}

		// A response: invalid answers are refused by question code.
		start, end := evening(20), evening(20).Add(12*time.Minute)
		sub := rounds.ResponseRequest{ClientID: uuid(10), AssignmentID: a.ID, QuestionnaireVersion: 1,
			Answers: json.RawMessage(`{"S1":1,"A1":2,"A2":1,"B1":1,"Q1":9,"Q2":1,"Q3":1}`), StartedAt: &start, CompletedAt: &end}
		_, err = f.Service.Submit(ctx, int1a, sub)
		fields := apperr.FieldsOf(err)
		if !apperr.Is(err, apperr.Invalid) || fields["A2"] == "" || fields["Q4"] == "" {
			t.Fatalf("invalid answers: %v %v", err, fields)
		}
		sub.Answers = json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 3, 4}))
		sub.QuestionnaireVersion = 2
		if _, err := f.Service.Submit(ctx, int1a, sub); apperr.FieldsOf(err)["questionnaire_version"] == "" {
			t.Fatalf("wrong version: %v", err)
		}
		sub.QuestionnaireVersion = 1
		got, err := f.Service.Submit(ctx, int1a, sub)
		if err != nil || !got.Created || got.Status != "accepted" {
			t.Fatalf("submit = %+v, %v", got, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM response_values WHERE response_id = ?", got.ID); n != fieldtest.Indicators {
			t.Fatalf("%d value rows, want %d", n, fieldtest.Indicators)
		}
		// The same again: 200 with the same id; other content: conflict.
		again2, err := f.Service.Submit(ctx, int1a, sub)
		if err != nil || again2.Created || again2.ID != got.ID {
			t.Fatalf("resend = %+v, %v", again2, err)
		}
		changed := sub
		changed.Answers = json.RawMessage(fieldtest.Answers(false, true, [4]int{1, 2, 3, 4}))
		if _, err := f.Service.Submit(ctx, int1a, changed); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("changed resend: %v", err)
		}
		// A second response for the household under a new client id: conflict,
		// unless it is an explicit correction.
		changed.ClientID = uuid(11)
		if _, err := f.Service.Submit(ctx, int1a, changed); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second response: %v", err)
		}
		changed.Supersedes = got.ID
		corr, err := f.Service.Submit(ctx, int1a, changed)
		if err != nil || !corr.Created {
			t.Fatalf("correction = %+v, %v", corr, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM responses WHERE assignment_id = ? AND status = 'accepted'", a.ID); n != 1 {
			t.Fatalf("%d accepted responses after the correction", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM response_values WHERE response_id = ?", got.ID); n != 0 {
			t.Fatalf("the superseded response keeps %d value rows", n)
		}
		st, err := db.AssignmentByID(ctx, a.ID, store.Scope{})
		if err != nil || st.Status != "final" || st.Disposition != "complete" || st.Category != "I" {
			t.Fatalf("assignment after the interview = %+v, %v", st, err)
		}
		// Audit entries were written with each change.
		if n := countRows(t, db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('visit.record', 'response.submit', 'response.correct')"); n != 3 {
			t.Fatalf("%d audit entries, want 3", n)
		}

		// Closing the round freezes it.
		if _, err := f.Service.SetState(ctx, f.Caller("admin"), f.Round.ID, "close"); err != nil {
			t.Fatal(err)
		}
		late := rounds.VisitRequest{ClientID: uuid(20), AssignmentID: mine[1].ID, AttemptedAt: evening(21), Outcome: "no_one_home"}
		if _, err := f.Service.RecordVisit(ctx, int1a, late); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("visit in a closed round: %v", err)
		}
		if _, err := f.Service.SetState(ctx, f.Caller("admin"), f.Round.ID, "close"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("closing twice: %v", err)
		}
		if _, err := f.Service.SetState(ctx, f.Caller("admin"), f.Round.ID, "reopen"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.RecordVisit(ctx, int1a, late); err != nil {
			t.Fatalf("visit after reopening: %v", err)
		}
	})
}

func TestReplacements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sz := fieldtest.Small
		sz.Rule = `{"attempts": 3, "days": 2, "evening": 1, "on_refusal": true, "approval": "supervisor"}`
		f := fieldtest.New(t, db, sz)
		f.AssignStreet(t, 1)
		mine := assignments(t, f, "int1a")
		int1a := f.Caller("int1a")
		a := mine[0]
		// Three unsuccessful attempts on two days, one in the evening: final
		// non-contact, replacement due.
		times := []time.Time{
			time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC), // 10:00 Shanghai
			time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC), // 14:00
			evening(21),
		}
		for i, at := range times {
			res, err := f.Service.RecordVisit(ctx, int1a, rounds.VisitRequest{ClientID: uuid(100 + i), AssignmentID: a.ID, AttemptedAt: at, Outcome: "no_one_home"})
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 && res.Assignment.Status != "in_progress" {
				t.Fatalf("after %d attempts: %+v", i+1, res.Assignment)
			}
			if i == 2 && (res.Assignment.Status != "final" || res.Assignment.Disposition != "non_contact" || res.Assignment.Replacement != "due" || res.Assignment.Category != "UH") {
				t.Fatalf("after 3 attempts: %+v", res.Assignment)
			}
		}
		// The interviewer cannot release it; the other street's supervisor
		// does not see it; the street's supervisor does.
		if _, err := f.Service.Replace(ctx, f.Caller("sup2"), a.ID, rounds.ReplaceRequest{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("sup2 replace: %v", err)
		}
		got, err := f.Service.Replace(ctx, f.Caller("sup1"), a.ID, rounds.ReplaceRequest{})
		if err != nil || got.Replacement != "released" {
			t.Fatalf("replace = %+v, %v", got, err)
		}
		if _, err := f.Service.Replace(ctx, f.Caller("sup1"), a.ID, rounds.ReplaceRequest{}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second release: %v", err)
		}
		after := assignments(t, f, "int1a")
		if len(after) != len(mine)+1 {
			t.Fatalf("%d assignments after the release, want %d", len(after), len(mine)+1)
		}
		var repl store.Assignment
		for _, x := range after {
			if x.ReplacesID.Valid {
				repl = x
			}
		}
		if repl.ReplacesID.Int64 != a.ID || repl.CommunityID != a.CommunityID || !repl.ReserveRank.Valid || repl.ReserveRank.Int64 != 1 ||
			repl.BaseWeight.Float64 != a.BaseWeight.Float64 || repl.Interviewer != "int1a" {
			t.Fatalf("replacement = %+v, replaced %+v", repl, a)
		}
		// A refusal at the door is final at once.
		res, err := f.Service.RecordVisit(ctx, int1a, rounds.VisitRequest{ClientID: uuid(200), AssignmentID: mine[1].ID, AttemptedAt: evening(21), Outcome: "refused"})
		if err != nil || res.Assignment.Disposition != "refusal" || res.Assignment.Replacement != "due" {
			t.Fatalf("refusal = %+v, %v", res.Assignment, err)
		}
		declined, err := f.Service.Replace(ctx, f.Caller("sup1"), mine[1].ID, rounds.ReplaceRequest{Approve: new(bool), Reason: "will revisit"})
		if err != nil || declined.Replacement != "declined" {
			t.Fatalf("decline = %+v, %v", declined, err)
		}
		// A completed interview cannot be replaced.
		done := mine[2]
		start := evening(21)
		end := start.Add(15 * time.Minute)
		if _, err := f.Service.Submit(ctx, int1a, rounds.ResponseRequest{ClientID: uuid(300), AssignmentID: done.ID, QuestionnaireVersion: 1,
			Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 1, 2})), StartedAt: &start, CompletedAt: &end}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.Replace(ctx, f.Caller("sup1"), done.ID, rounds.ReplaceRequest{}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("replacing a complete: %v", err)
		}
	})
}

// TestDistrictZone: a rule that names no time zone counts days and
// evenings in the district's (here Asia/Kolkata, UTC+5:30) and stores its
// name; a rule that names one keeps it.
func TestDistrictZone(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, kolkata) }
	for _, tt := range []struct {
		name, rule, zone string
		// status after 10:00 and 16:00 (18:30 in Shanghai), and after
		// 10:00 and 22:00 (00:30 of the next day in Shanghai), Kolkata time
		afternoon, night string
	}{
		{"district zone", `{"attempts": 2, "days": 1, "evening": 1}`, "Asia/Kolkata", "in_progress", "final"},
		{"rule's own zone", "attempts: 2\ndays: 1\nevening: 1\ntime_zone: Asia/Shanghai\n", "Asia/Shanghai", "final", "in_progress"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				sz := fieldtest.Small
				sz.Zone, sz.Rule = "Asia/Kolkata", tt.rule
				if tt.rule[0] != '{' { // the rule's YAML as a form's text box posts it
					b, _ := json.Marshal(tt.rule)
					sz.Rule = string(b)
				}
				f := fieldtest.New(t, db, sz)
				var stored fieldwork.Rule
				if err := json.Unmarshal([]byte(f.Round.ReplacementRule), &stored); err != nil || stored.TimeZone != tt.zone {
					t.Fatalf("stored rule %s (%v): want time_zone %s", f.Round.ReplacementRule, err, tt.zone)
				}
				f.AssignStreet(t, 1)
				mine := assignments(t, f, "int1a")
				int1a := f.Caller("int1a")
				for i, c := range []struct {
					a    store.Assignment
					late time.Time
					want string
				}{{mine[0], at(16, 0), tt.afternoon}, {mine[1], at(22, 0), tt.night}} {
					var res rounds.VisitResult
					for j, when := range []time.Time{at(10, 0), c.late} {
						res, err = f.Service.RecordVisit(ctx, int1a, rounds.VisitRequest{ClientID: uuid(10*i + j), AssignmentID: c.a.ID, AttemptedAt: when.UTC(), Outcome: "no_one_home"})
						if err != nil {
							t.Fatal(err)
						}
					}
					if res.Assignment.Status != c.want {
						t.Errorf("visits at 10:00 and %s Kolkata time: %s (%s), want %s", c.late.Format("15:04"), res.Assignment.Status, res.Assignment.Reason, c.want)
					}
				}
			})
		})
	}
}

func TestAutomaticReplacementAndNotEligible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sz := fieldtest.Small
		sz.Reserves = 1
		sz.Rule = `{"approval": "automatic", "on_not_eligible": true}`
		f := fieldtest.New(t, db, sz)
		f.AssignStreet(t, 1)
		mine := assignments(t, f, "int1a")
		int1a := f.Caller("int1a")
		// A screened-out respondent: the response ends as not eligible and,
		// since this rule replaces not-eligible households (the default
		// does not), a reserve of the community is released at once.
		start := evening(22)
		end := start.Add(2 * time.Minute)
		r, err := f.Service.Submit(ctx, int1a, rounds.ResponseRequest{ClientID: uuid(1), AssignmentID: mine[0].ID, QuestionnaireVersion: 1,
			Answers: json.RawMessage(`{"S1":2}`), StartedAt: &start, CompletedAt: &end})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := db.AssignmentByID(ctx, mine[0].ID, store.Scope{})
		if a.Disposition != "not_eligible" || a.Category != "NE" || a.Replacement != "released" {
			t.Fatalf("not eligible = %+v", a)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM response_values WHERE response_id = ? AND value IS NOT NULL", r.ID); n != 0 {
			t.Fatalf("a not-eligible response has %d non-missing values", n)
		}
		// The community had one reserve: the next refusal there finds none.
		var same store.Assignment
		for _, x := range mine[1:] {
			if x.CommunityID == mine[0].CommunityID {
				same = x
				break
			}
		}
		res, err := f.Service.RecordVisit(ctx, int1a, rounds.VisitRequest{ClientID: uuid(2), AssignmentID: same.ID, AttemptedAt: evening(22), Outcome: "refused"})
		if err != nil || res.Assignment.Replacement != "due" {
			t.Fatalf("refusal without reserves = %+v, %v", res.Assignment, err)
		}
	})
}

func TestProgressRates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sz := fieldtest.Small
		sz.Rule = `{"attempts": 1, "days": 1, "evening": 0, "on_non_contact": false, "on_refusal": false, "on_not_eligible": false}`
		f := fieldtest.New(t, db, sz)
		f.AssignStreet(t, 1)
		mine := assignments(t, f, "int1a")
		int1a := f.Caller("int1a")
		start := evening(23)
		end := start.Add(15 * time.Minute)
		submit := func(i int, answers string) {
			t.Helper()
			if _, err := f.Service.Submit(ctx, int1a, rounds.ResponseRequest{ClientID: uuid(i), AssignmentID: mine[i].ID, QuestionnaireVersion: 1,
				Answers: json.RawMessage(answers), StartedAt: &start, CompletedAt: &end}); err != nil {
				t.Fatal(err)
			}
		}
		visit := func(i int, outcome string) {
			t.Helper()
			if _, err := f.Service.RecordVisit(ctx, int1a, rounds.VisitRequest{ClientID: uuid(50 + i), AssignmentID: mine[i].ID, AttemptedAt: evening(23), Outcome: outcome}); err != nil {
				t.Fatal(err)
			}
		}
		submit(0, fieldtest.Answers(true, true, [4]int{1, 1, 2, 3}))   // I
		submit(1, fieldtest.Answers(false, false, [4]int{2, 2, 1, 3})) // I
		submit(2, `{"S1":2}`)                                          // NE
		visit(3, "refused")                                            // R
		visit(4, "no_one_home")                                        // UH (1 attempt is final under this rule)
		visit(5, "appointment")                                        // NC: contacted, never interviewed
		p, err := f.Service.Progress(ctx, f.Caller("sup1"), f.Round.ID, "street")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Groups) != 1 {
			t.Fatalf("sup1 sees %d streets", len(p.Groups))
		}
		c := p.Total.Counts
		want := fieldwork.Counts{I: 2, R: 1, NC: 1, UH: 1, NE: 1}
		if c != want {
			t.Fatalf("counts = %+v, want %+v", c, want)
		}
		// By hand: RR1 = 2/(2+1+1+1) = 0.4; e = 4/5; RR3 = 2/(2+1+1+0.8);
		// COOP1 = 2/3; REF1 = 1/5; CON1 = 3/5.
		r := p.Total.Rates
		for name, pair := range map[string][2]float64{
			"RR1": {*r.RR1, 0.4}, "RR3": {*r.RR3, 2 / 4.8}, "COOP1": {*r.COOP1, 2.0 / 3}, "REF1": {*r.REF1, 0.2}, "CON1": {*r.CON1, 0.6}, "e": {*r.E, 0.8},
		} {
			if d := pair[0] - pair[1]; d > 1e-12 || d < -1e-12 {
				t.Errorf("%s = %v, want %v", name, pair[0], pair[1])
			}
		}
		all, err := f.Service.Progress(ctx, f.Caller("analyst"), f.Round.ID, "interviewer")
		if err != nil || len(all.Groups) != 2 { // int1a, and street 2's unassigned households
			t.Fatalf("analyst by interviewer = %+v, %v", all.Groups, err)
		}
	})
}

// TestReassignment: an interview recorded before the household was given to
// another interviewer is accepted from the previous one, and flagged; the
// new interviewer sees the household, the old one no longer does.
func TestReassignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		a := assignments(t, f, "int1a")[0]
		started := time.Now().Add(-time.Hour)
		ended := started.Add(15 * time.Minute)
		if _, err := f.Service.Assign(ctx, f.Caller("sup1"), f.Round.ID, rounds.AssignRequest{Interviewer: "int1b", AssignmentIDs: []int64{a.ID}}); err != nil {
			t.Fatal(err)
		}
		if got := assignments(t, f, "int1b"); len(got) != 1 || got[0].ID != a.ID {
			t.Fatalf("int1b's assignments after the reassignment: %+v", got)
		}
		req := rounds.ResponseRequest{ClientID: uuid(1), AssignmentID: a.ID, QuestionnaireVersion: 1,
			Answers: json.RawMessage(fieldtest.Answers(true, false, [4]int{1, 2, 3, 2})), StartedAt: &started, CompletedAt: &ended}
		// Another interviewer of the street never held it.
		other := req
		other.ClientID = uuid(2)
		if _, err := f.Service.Submit(ctx, f.Caller("int2a"), other); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("int2a: %v", err)
		}
		// Recorded after the reassignment: refused.
		late := req
		late.ClientID = uuid(3)
		lateStart, lateEnd := time.Now().Add(time.Minute), time.Now().Add(2*time.Minute)
		late.StartedAt, late.CompletedAt = &lateStart, &lateEnd
		if _, err := f.Service.Submit(ctx, f.Caller("int1a"), late); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("after the reassignment: %v", err)
		}
		res, err := f.Service.Submit(ctx, f.Caller("int1a"), req)
		if err != nil || !res.Created || len(res.Flags) == 0 || res.Flags[0].Code != "reassigned" {
			t.Fatalf("before the reassignment = %+v, %v", res, err)
		}
		flagged, err := f.Service.Responses(ctx, f.Caller("sup1"), f.Round.ID, store.ResponseFilter{Flagged: true})
		if err != nil || len(flagged) != 1 || flagged[0].Flags[0].Code != "reassigned" || flagged[0].Interviewer != "int1a" {
			t.Fatalf("flagged responses = %+v, %v", flagged, err)
		}
	})
}

// TestRoundNames: round names are normalised (NFC, trimmed), refuse
// bidirectional overrides, and are unique without regard to case.
func TestRoundNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.Prepare(t, db, fieldtest.Small)
		admin := f.Caller("admin")
		_, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "R\u202eound", Questionnaire: "field", Sample: "fieldtest"})
		if apperr.FieldsOf(err)["name"] == "" {
			t.Fatalf("bidi override accepted: %v", err)
		}
		r, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "  Cafe\u0301 Q4 ", Questionnaire: "field", Sample: "fieldtest"})
		if err != nil || r.Name != "Café Q4" {
			t.Fatalf("created %q, %v", r.Name, err)
		}
		if got, err := f.Service.RoundByRef(ctx, "Café Q4"); err != nil || got.ID != r.ID {
			t.Fatalf("by the composed name: %+v, %v", got, err)
		}
		// A second sample, so that only the name can conflict.
		if _, err := draw.Draw(ctx, db, draw.Spec{Name: "second", Design: "two-stage", N: 12, Allocation: "equal", PerCommunity: 3, Seed: 9}, store.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "café q4", Questionnaire: "field", Sample: "second"}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a name differing only in case: %v", err)
		}
		if _, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "Café Q5", Questionnaire: "field", Sample: "second"}); err != nil {
			t.Fatalf("another name on the second sample: %v", err)
		}
	})
}
