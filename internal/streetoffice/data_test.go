package streetoffice_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// streetFixture is the access fixture with, in street 1, a household with
// an appointment today and a too-fast (flagged) response beside the
// seeded response and refusal.
type streetFixture struct {
	f           *fieldtest.Field
	base        string
	mine        []store.Assignment // int1a's households
	response    int64              // the seeded response (not flagged)
	fast        int64              // the too-fast response
	appointment time.Time
}

func newStreetFixture(t *testing.T, db *store.DB) streetFixture {
	t.Helper()
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	mine, resp := servertest.SeedAccessObjects(t, f)
	ctx := context.Background()
	loc := fieldwork.DefaultRule().Location()
	now := time.Now()
	day := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	ap := day.Add(20 * time.Hour)
	if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{
		ClientID: "00000000-0000-4000-8000-000000000010", AssignmentID: mine[2].ID, AttemptedAt: now.Add(-time.Hour),
		Outcome: "appointment", AppointmentAt: &ap,
	}); err != nil {
		t.Fatal(err)
	}
	fast := submitFast(t, f, mine[3].ID, "00000000-0000-4000-8000-000000000011")
	return streetFixture{f: f, base: base, mine: mine, response: resp.ID, fast: fast, appointment: ap}
}

// submitFast submits a response of 20 s for an assignment of int1a's,
// which the quality checks flag too_fast.
func submitFast(t testing.TB, f *fieldtest.Field, assignment int64, clientID string) int64 {
	t.Helper()
	start := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	end := start.Add(20 * time.Second)
	res, err := f.Service.Submit(context.Background(), f.Caller("int1a"), rounds.ResponseRequest{
		ClientID: clientID, AssignmentID: assignment, QuestionnaireVersion: 1,
		Answers: json.RawMessage(fieldtest.Answers(true, false, [4]int{2, 3, 1, 2})), StartedAt: &start, CompletedAt: &end,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Flags) == 0 || res.Flags[0].Code != fieldwork.FlagTooFast {
		t.Fatalf("a 20 s interview has flags %+v, want too_fast", res.Flags)
	}
	return res.ID
}

// TestStreetQueries checks the street pages' store queries and that each
// keeps to its street.
func TestStreetQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newStreetFixture(t, db)
		ctx := context.Background()
		round := x.f.Round.ID
		s1, s2 := x.f.Streets[0].ID, x.f.Streets[1].ID

		rows, total, err := db.Board(ctx, round, s1, store.BoardFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if total != 6 || len(rows) != 6 {
			t.Fatalf("street 1's board: %d rows of %d, want 6", len(rows), total)
		}
		states := map[int64]string{}
		for _, r := range rows {
			states[r.ID] = r.Board
		}
		want := map[int64]string{x.mine[0].ID: "completed", x.mine[1].ID: "due", x.mine[2].ID: "appointment", x.mine[3].ID: "completed", x.mine[4].ID: "assigned"}
		for id, st := range want {
			if states[id] != st {
				t.Errorf("assignment %d is %q on the board, want %q", id, states[id], st)
			}
		}
		rows2, _, err := db.Board(ctx, round, s2, store.BoardFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows2 {
			if _, mine := states[r.ID]; mine {
				t.Errorf("street 2's board shows street 1's assignment %d", r.ID)
			}
		}
		page, total, err := db.Board(ctx, round, s1, store.BoardFilter{State: "completed", Limit: 1, Offset: 1})
		if err != nil || total != 2 || len(page) != 1 {
			t.Errorf("completed, second page of 1: %d rows of %d (%v), want 1 of 2", len(page), total, err)
		}
		if _, total, _ := db.Board(ctx, round, s1, store.BoardFilter{InterviewerID: -1, Limit: 10}); total != 0 {
			t.Errorf("street 1 has %d households given to nobody, want 0", total)
		}
		cs, err := db.BoardCommunities(ctx, round, s1)
		if err != nil || len(cs) != 2 || cs[0].Total+cs[1].Total != 6 || cs[0].Completed+cs[1].Completed != 2 || cs[0].Due+cs[1].Due != 1 {
			t.Errorf("street 1's communities = %+v (%v)", cs, err)
		}
		ivs, err := db.StreetInterviewers(ctx, round, s1)
		if err != nil || len(ivs) != 2 || ivs[0].Username != "int1a" || ivs[0].Households != 6 || ivs[1].Households != 0 {
			t.Errorf("street 1's interviewers = %+v (%v)", ivs, err)
		}

		day := x.appointment.Add(-20 * time.Hour)
		for _, c := range []struct {
			street int64
			n      int
		}{{s1, 1}, {s2, 0}, {0, 1}} {
			aps, err := db.Appointments(ctx, round, c.street, day, day.AddDate(0, 0, 1))
			if err != nil || len(aps) != c.n {
				t.Errorf("appointments today in street %d: %d (%v), want %d", c.street, len(aps), err, c.n)
			}
		}
		if aps, _ := db.Appointments(ctx, round, s1, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2)); len(aps) != 0 {
			t.Errorf("appointments tomorrow: %d, want 0", len(aps))
		}

		vs, err := db.DueVisits(ctx, round, s1, 10, 0)
		if err != nil || len(vs) != 1 || vs[0].AssignmentID != x.mine[1].ID || vs[0].Outcome != "refused" {
			t.Errorf("street 1's replacement visits = %+v (%v)", vs, err)
		}
		if as, n, err := db.DueAssignments(ctx, round, s1, 10, 0); err != nil || n != 1 || len(as) != 1 || as[0].ID != x.mine[1].ID {
			t.Errorf("street 1's replacement requests = %d of %d (%v), want the refused household", len(as), n, err)
		}
		if as, n, _ := db.DueAssignments(ctx, round, s1, 10, 1); n != 1 || len(as) != 0 {
			t.Errorf("street 1's second page of requests: %d of %d, want 0 of 1", len(as), n)
		}
		if vs, _ := db.DueVisits(ctx, round, s1, 10, 1); len(vs) != 0 {
			t.Errorf("street 1's second page of replacement visits: %d, want 0", len(vs))
		}
		if as, n, _ := db.DueAssignments(ctx, round, s2, 10, 0); n != 0 || len(as) != 0 {
			t.Errorf("street 2 sees %d replacement requests", n)
		}
		if vs, _ := db.DueVisits(ctx, round, s2, 10, 0); len(vs) != 0 {
			t.Errorf("street 2 sees %d replacement visits of street 1", len(vs))
		}

		q, total, err := db.ReviewQueue(ctx, round, s1, "pending", 10, 0)
		if err != nil || total != 1 || len(q) != 1 || q[0].ID != x.fast {
			t.Errorf("street 1's review queue = %+v (%v), want the too-fast response %d only", q, err, x.fast)
		}
		if q, _, _ := db.ReviewQueue(ctx, round, s2, "", 10, 0); len(q) != 0 {
			t.Errorf("street 2's review queue shows %d of street 1's responses", len(q))
		}
		if _, err := db.ResponsePlaceByID(ctx, x.fast, s2); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("street 2 reads the place of street 1's response: %v", err)
		}
		if p, err := db.ResponsePlaceByID(ctx, x.fast, s1); err != nil || p.Household == "" {
			t.Errorf("street 1's response place = %+v (%v)", p, err)
		}
		if sts, err := db.RoundStreets(ctx, round); err != nil || len(sts) != 2 || sts[0].ID != s1 {
			t.Errorf("round streets = %+v (%v)", sts, err)
		}
	})
}

// auditCount counts the audit entries of an action by a user through a
// door (via).
func auditCount(t testing.TB, db *store.DB, action string, userID int64, via string) int {
	t.Helper()
	var n int
	q := db.Reader().Rebind("SELECT COUNT(*) FROM audit_log WHERE action = ? AND user_id = ? AND via = ?")
	if err := db.Reader().Get(&n, q, action, userID, via); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStreetProgressScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newStreetFixture(t, db)
		ctx := context.Background()
		p, err := x.f.Service.StreetProgress(ctx, x.f.Caller("admin"), x.f.Round.ID, "community", x.f.Streets[1].ID)
		if err != nil || p.Total.Assignments != 6 || p.Total.Counts.I != 0 {
			t.Errorf("admin, street 2: %+v (%v), want 6 households, no interview", p.Total, err)
		}
		if _, err := x.f.Service.StreetProgress(ctx, x.f.Caller("sup2"), x.f.Round.ID, "community", x.f.Streets[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("sup2 reads street 1's progress: %v", err)
		}
		p, err = x.f.Service.StreetProgress(ctx, x.f.Caller("sup1"), x.f.Round.ID, "interviewer", 0)
		if err != nil || p.Total.Assignments != 6 || p.Total.Counts.I != 2 {
			t.Errorf("sup1: %+v (%v), want 6 households, 2 interviews", p.Total, err)
		}
	})
}
