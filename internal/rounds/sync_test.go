package rounds_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestSyncStatus: the reconciliation call reports what the server holds,
// only within the caller's scope, and refuses malformed requests.
func TestSyncStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		f.AssignStreet(t, 2)
		mine := assignments(t, f, "int1a")
		start, end := evening(20), evening(20).Add(20*time.Minute)
		resp, err := f.Service.Submit(ctx, f.Caller("int1a"), rounds.ResponseRequest{
			ClientID: uuid(1), AssignmentID: mine[0].ID, QuestionnaireVersion: 1,
			Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 2, 1})), StartedAt: &start, CompletedAt: &end,
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{ClientID: uuid(2), AssignmentID: mine[1].ID, AttemptedAt: start, Outcome: "no_one_home"})
		if err != nil {
			t.Fatal(err)
		}
		// The office enters a visit on int1a's household (an exported
		// outbox uploaded by the supervisor): int1a's tablet sees it held.
		office, err := f.Service.RecordVisit(ctx, f.Caller("sup1"), rounds.VisitRequest{ClientID: uuid(4), AssignmentID: mine[2].ID, AttemptedAt: start, Outcome: "refused"})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{uuid(1), uuid(2), uuid(3), uuid(3), uuid(4)}
		all := []store.Held{
			{Type: "response", ClientID: uuid(1), ID: resp.ID, Status: "accepted"},
			{Type: "visit", ClientID: uuid(2), ID: v.Visit.ID},
			{Type: "visit", ClientID: uuid(4), ID: office.Visit.ID},
		}
		cases := []struct {
			who     string
			held    []store.Held
			missing []string
		}{
			{"int1a", all, []string{uuid(3)}},
			{"sup1", all, []string{uuid(3)}},
			{"admin", all, []string{uuid(3)}},
			// Another interviewer of the same street, and another street's
			// supervisor, learn nothing about these ids.
			{"int1b", []store.Held{}, []string{uuid(1), uuid(2), uuid(3), uuid(4)}},
			{"sup2", []store.Held{}, []string{uuid(1), uuid(2), uuid(3), uuid(4)}},
		}
		for _, tc := range cases {
			got, err := f.Service.SyncStatus(ctx, f.Caller(tc.who), rounds.StatusRequest{ClientIDs: ids})
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			if !slices.Equal(got.Held, tc.held) || !slices.Equal(got.Missing, tc.missing) {
				t.Errorf("%s: held %+v missing %v; want %+v, %v", tc.who, got.Held, got.Missing, tc.held, tc.missing)
			}
		}
		empty, err := f.Service.SyncStatus(ctx, f.Caller("int1a"), rounds.StatusRequest{})
		if err != nil || len(empty.Held) != 0 || len(empty.Missing) != 0 {
			t.Errorf("no ids: %+v, %v", empty, err)
		}
		bad := []rounds.StatusRequest{
			{ClientIDs: []string{uuid(1), "not-a-uuid"}},
			{ClientIDs: make([]string, rounds.MaxSyncItems+1)},
		}
		for i := range bad[1].ClientIDs {
			bad[1].ClientIDs[i] = uuid(i)
		}
		for _, req := range bad {
			if _, err := f.Service.SyncStatus(ctx, f.Caller("int1a"), req); !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) == 0 {
				t.Errorf("%d ids: err %v, want invalid with fields", len(req.ClientIDs), err)
			}
		}
	})
}
