package rounds_test

import (
	"context"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestHouseholds checks the one definition of the household counts on
// both databases: the main sample and its reserves as drawn, a reserve
// released after a refusal, the households to visit (main + released),
// closed and pending, in all and within one street.
func TestHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		get := func(sc store.Scope) fieldwork.Households {
			t.Helper()
			h, err := f.Service.RoundHouseholds(ctx, f.Round, sc)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		// 2 streets × 2 communities × 3 households, 3 reserves a community.
		if got, want := get(store.Scope{}), (fieldwork.Households{Drawn: 12, Reserves: 12, Assigned: 12, Pending: 12}); got != want {
			t.Fatalf("started: %+v, want %+v", got, want)
		}
		c := f.Caller("int1a")
		mine, err := f.Service.Assignments(ctx, c, f.Round.ID, store.AssignmentFilter{})
		if err != nil || len(mine) != 6 {
			t.Fatalf("%d assignments, %v", len(mine), err)
		}
		if _, err := f.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: "00000000-0000-4000-8900-000000000001",
			AssignmentID: mine[0].ID, AttemptedAt: time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC), Outcome: "refused"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.Replace(ctx, f.Caller("sup1"), mine[0].ID, rounds.ReplaceRequest{}); err != nil {
			t.Fatal(err)
		}
		all := get(store.Scope{})
		if want := (fieldwork.Households{Drawn: 12, Reserves: 12, Released: 1, Assigned: 13, Closed: 1, Pending: 12}); all != want {
			t.Fatalf("after a replacement: %+v, want %+v", all, want)
		}
		if got, want := get(store.Scope{StreetID: f.Streets[1].ID}), (fieldwork.Households{Drawn: 6, Reserves: 6, Assigned: 6, Pending: 6}); got != want {
			t.Fatalf("street 2: %+v, want %+v", got, want)
		}
		if got, want := get(store.Scope{StreetID: f.Streets[0].ID}), (fieldwork.Households{Drawn: 6, Reserves: 6, Released: 1, Assigned: 7, Closed: 1, Pending: 6}); got != want {
			t.Fatalf("street 1: %+v, want %+v", got, want)
		}
		// Every sample: the same counts under the sample's id.
		hs, err := f.Service.Households(ctx, store.Scope{}, 0)
		if err != nil || len(hs) != 1 || hs[f.Round.SampleID.Int64] != all {
			t.Fatalf("every sample: %+v, %v", hs, err)
		}
	})
}
