package rounds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestFieldworkCounts checks, on both databases, that the fieldwork counts
// the assignments' triggers keep (fieldwork_counts, fieldwork_hours) equal
// a recount of the assignments after the round starts, after assignment,
// visits and submissions (a released reserve among them), after a
// response is returned, and after a reassignment.
func TestFieldworkCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		round := f.Round.ID
		check := func(stage string, wantFinal int) {
			t.Helper()
			if !t.Run(stage, func(t *testing.T) { fieldtest.CheckCounts(t, db, round) }) {
				t.FailNow()
			}
			final := 0
			rows, err := db.Progress(ctx, round, "street", store.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if r.Category != "" {
					final += r.N
				}
			}
			if final != wantFinal {
				t.Fatalf("%s: %d final assignments by street, want %d", stage, final, wantFinal)
			}
		}
		check("started", 0)
		f.AssignStreet(t, 1)
		f.AssignStreet(t, 2)
		check("assigned", 0)

		var accepted []int64
		for s, who := range []string{"int1a", "int2a"} {
			c := f.Caller(who)
			mine, err := f.Service.Assignments(ctx, c, round, store.AssignmentFilter{})
			if err != nil || len(mine) != 6 {
				t.Fatalf("%s: %d assignments, %v", who, len(mine), err)
			}
			for i, a := range mine[:4] {
				at := time.Date(2026, 11, 10+i, 11+2*i, 30, 0, 0, time.UTC) // evenings, one near midnight in Shanghai
				if i == 3 {                                                 // a refusal: a reserve is released
					if _, err := f.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8100-%06d%06d", s, i),
						AssignmentID: a.ID, AttemptedAt: at, Outcome: "refused"}); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if _, err := f.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8200-%06d%06d", s, i),
					AssignmentID: a.ID, AttemptedAt: at.Add(-24 * time.Hour), Outcome: "no_one_home"}); err != nil {
					t.Fatal(err)
				}
				end := at.Add(15 * time.Minute)
				res, err := f.Service.Submit(ctx, c, rounds.ResponseRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8300-%06d%06d", s, i),
					AssignmentID: a.ID, QuestionnaireVersion: 1, StartedAt: &at, CompletedAt: &end,
					Answers: json.RawMessage(fieldtest.Answers(i%2 == 0, true, [4]int{1, 2, 2, 3}))})
				if err != nil {
					t.Fatal(err)
				}
				accepted = append(accepted, res.ID)
			}
		}
		check("after submissions", 8)

		if _, err := f.Service.Review(ctx, f.Caller("sup1"), accepted[0], rounds.ReviewRequest{Action: "return", Reason: "答案前后矛盾"}); err != nil {
			t.Fatal(err)
		}
		check("after a return", 7)

		mine, err := f.Service.Assignments(ctx, f.Caller("int1a"), round, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.Assign(ctx, f.Caller("sup1"), round, rounds.AssignRequest{Interviewer: "int1b",
			AssignmentIDs: []int64{mine[1].ID, mine[len(mine)-1].ID}}); err != nil {
			t.Fatal(err)
		}
		check("after a reassignment", 7)
	})
}
