package rounds_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestConcurrentResends sends copies of one submission at the same moment
// (a tablet retrying on a slow network, or two syncs of one outbox): one
// copy stores it, every other copy answers the stored response — never a
// conflict, which would tell the tablet to send a correction. The same
// holds for copies of a correction.
func TestConcurrentResends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 2, Households: 20, SampleCommunities: 2, PerCommunity: 10})
		f.AssignStreet(t, 1)
		as := assignments(t, f, "int1a")
		int1a := f.Caller("int1a")
		// burst sends copies of req at once and returns the id every copy
		// answered; it fails unless exactly one copy created it.
		burst := func(req rounds.ResponseRequest, copies int) int64 {
			start := make(chan struct{})
			var (
				mu      sync.Mutex
				created int
				ids     = map[int64]bool{}
				wg      sync.WaitGroup
			)
			for range copies {
				wg.Go(func() {
					<-start
					res, err := f.Service.Submit(ctx, int1a, req)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("copy of %s: %v", req.ClientID, err)
						return
					}
					ids[res.ID] = true
					if res.Created {
						created++
					}
				})
			}
			close(start)
			wg.Wait()
			if created != 1 || len(ids) != 1 {
				t.Fatalf("%d copies of %s: %d created, ids %v", copies, req.ClientID, created, ids)
			}
			for id := range ids {
				return id
			}
			return 0
		}
		first := make([]int64, len(as))
		for i, a := range as {
			first[i] = burst(rounds.ResponseRequest{
				ClientID: fmt.Sprintf("60000000-0000-4000-8000-%012d", i), AssignmentID: a.ID, QuestionnaireVersion: f.Round.QuestionnaireVersion,
				Answers: []byte(fieldtest.Answers(true, true, [4]int{1, 2, 3, 4})),
			}, 12)
		}
		for i, a := range as[:5] {
			burst(rounds.ResponseRequest{
				ClientID: fmt.Sprintf("61000000-0000-4000-8000-%012d", i), AssignmentID: a.ID, QuestionnaireVersion: f.Round.QuestionnaireVersion,
				Answers: []byte(fieldtest.Answers(false, true, [4]int{2, 2, 3, 4})), Supersedes: first[i],
			}, 8)
		}
		var accepted, superseded int
		r := db.Reader()
		if err := r.Get(&accepted, `SELECT COUNT(*) FROM responses WHERE status = 'accepted'`); err != nil {
			t.Fatal(err)
		}
		if err := r.Get(&superseded, `SELECT COUNT(*) FROM responses WHERE status = 'superseded'`); err != nil {
			t.Fatal(err)
		}
		if accepted != len(as) || superseded != 5 {
			t.Fatalf("%d accepted and %d superseded responses, want %d and 5", accepted, superseded, len(as))
		}
	})
}

// TestConcurrentVisits records four different visits to one household at
// the same moment (two tablets syncing, or one syncing twice): the
// assignment's state counts all four, and the replacement the rule
// releases after the third is released once.
func TestConcurrentVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 2, Households: 20, SampleCommunities: 2, PerCommunity: 5, Reserves: 5,
			Rule: `{"approval": "automatic"}`})
		f.AssignStreet(t, 1)
		as := assignments(t, f, "int1a")
		if len(as) != 10 {
			t.Fatalf("%d assignments, want 10", len(as))
		}
		for i, a := range as {
			start := make(chan struct{})
			var wg sync.WaitGroup
			for k := range 4 {
				wg.Go(func() {
					<-start
					_, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{
						ClientID: fmt.Sprintf("70000000-0000-4000-8000-%06d%06d", i, k), AssignmentID: a.ID,
						AttemptedAt: time.Date(2026, 11, 10+k, 11, 0, 0, 0, time.UTC), Outcome: "no_one_home", // 19:00 in Shanghai
					})
					if err != nil {
						t.Errorf("visit %d to %d: %v", k, a.ID, err)
					}
				})
			}
			close(start)
			wg.Wait()
			got, err := db.AssignmentByID(ctx, a.ID, store.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			var replacements int
			r := db.Reader()
			if err := r.Get(&replacements, r.Rebind(`SELECT COUNT(*) FROM assignments WHERE replaces_id = ?`), a.ID); err != nil {
				t.Fatal(err)
			}
			if got.Attempts != 4 || got.Replacement != "released" || replacements != 1 {
				t.Errorf("assignment %d after 4 concurrent visits: %d attempts, replacement %q, %d replacements; want 4, released, 1",
					a.ID, got.Attempts, got.Replacement, replacements)
			}
		}
	})
}

// TestConcurrentApprovals approves the due replacement of one household
// four times at the same moment (a double click, two supervisors): one
// reserve is released, the other approvals are conflicts.
func TestConcurrentApprovals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 2, Households: 20, SampleCommunities: 2, PerCommunity: 3, Reserves: 5})
		f.AssignStreet(t, 1)
		for i, a := range assignments(t, f, "int1a") {
			if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{
				ClientID: fmt.Sprintf("71000000-0000-4000-8000-%012d", i), AssignmentID: a.ID, AttemptedAt: time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC), Outcome: "refused",
			}); err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			var (
				wg                  sync.WaitGroup
				mu                  sync.Mutex
				released, conflicts int
			)
			for range 4 {
				wg.Go(func() {
					<-start
					_, err := f.Service.Replace(ctx, f.Caller("sup1"), a.ID, rounds.ReplaceRequest{})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						released++
					case apperr.Is(err, apperr.Conflict):
						conflicts++
					default:
						t.Errorf("approval of %d: %v", a.ID, err)
					}
				})
			}
			close(start)
			wg.Wait()
			var replacements int
			r := db.Reader()
			if err := r.Get(&replacements, r.Rebind(`SELECT COUNT(*) FROM assignments WHERE replaces_id = ?`), a.ID); err != nil {
				t.Fatal(err)
			}
			if released != 1 || conflicts != 3 || replacements != 1 {
				t.Errorf("4 approvals of %d: %d released, %d conflicts, %d replacements; want 1, 3, 1", a.ID, released, conflicts, replacements)
			}
		}
	})
}
