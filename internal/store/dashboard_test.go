package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// The dashboard's reads: final assignments by local day (a visit late in
// the UTC evening counts on the next day in Beijing), flagged interviews
// waiting for review, and streets and communities within a scope.
func TestDashboardReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		f.AssignStreet(t, 2)
		interview := func(who string, a store.Assignment, n int, at time.Time, sat [4]int) {
			t.Helper()
			c := f.Caller(who)
			if _, err := f.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n), AssignmentID: a.ID, AttemptedAt: at, Outcome: "interview"}); err != nil {
				t.Fatal(err)
			}
			end := at.Add(20 * time.Minute)
			if _, err := f.Service.Submit(ctx, c, rounds.ResponseRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n+1), AssignmentID: a.ID,
				QuestionnaireVersion: 1, Answers: json.RawMessage(fieldtest.Answers(true, true, sat)), StartedAt: &at, CompletedAt: &end}); err != nil {
				t.Fatal(err)
			}
		}
		mine1, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		mine2, err := f.Service.Assignments(ctx, f.Caller("int2a"), f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		day1 := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC) // 19:00 in Beijing, the 20th
		late := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) // 01:00 in Beijing, the 21st
		interview("int1a", mine1[0], 1, day1, [4]int{1, 2, 2, 1})
		interview("int1a", mine1[1], 2, late, [4]int{1, 1, 1, 1}) // straight-lined: flagged
		interview("int2a", mine2[0], 3, day1, [4]int{2, 2, 2, 2}) // flagged
		if _, err := f.Service.RecordVisit(ctx, f.Caller("int2a"), rounds.VisitRequest{ClientID: "00000000-0000-4000-8000-000000000099", AssignmentID: mine2[1].ID, AttemptedAt: day1, Outcome: "refused"}); err != nil {
			t.Fatal(err)
		}
		s1, s2 := f.Streets[0].ID, f.Streets[1].ID

		rows, err := db.ProgressByDay(ctx, f.Round.ID, 8*3600, store.Scope{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range rows {
			got[fmt.Sprintf("%d %s %s", r.StreetID, r.Day, r.Category)] += r.N
		}
		want := map[string]int{
			fmt.Sprintf("%d 2026-11-20 I", s1): 1, fmt.Sprintf("%d 2026-11-21 I", s1): 1,
			fmt.Sprintf("%d 2026-11-20 I", s2): 1, fmt.Sprintf("%d 2026-11-20 R", s2): 1,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("by day = %v, want %v", got, want)
		}
		rows, err = db.ProgressByDay(ctx, f.Round.ID, 0, store.Scope{StreetID: s1})
		if err != nil || len(rows) != 1 || rows[0].Day != "2026-11-20" || rows[0].N != 2 || rows[0].StreetID != s1 {
			t.Errorf("street 1 by UTC day = %+v (%v)", rows, err)
		}

		flags, err := db.PendingFlags(ctx, f.Round.ID, store.Scope{})
		if err != nil || len(flags) != 2 {
			t.Fatalf("pending flags %+v (%v)", flags, err)
		}
		flags, err = db.PendingFlags(ctx, f.Round.ID, store.Scope{StreetID: s2})
		if err != nil || len(flags) != 1 || flags[0].StreetID != s2 || flags[0].N != 1 {
			t.Errorf("street 2's pending flags %+v (%v)", flags, err)
		}

		if st, err := db.RoundStreet(ctx, f.Round.ID, s2, store.Scope{}); err != nil || st.Name != "街道2" {
			t.Errorf("street 2 = %+v (%v)", st, err)
		}
		if _, err := db.RoundStreet(ctx, f.Round.ID, s2, store.Scope{StreetID: s1}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("street 2 in street 1's scope: %v", err)
		}
		comms, err := db.RoundCommunities(ctx, f.Round.ID, store.Scope{StreetID: s1})
		if err != nil || len(comms) != 2 || comms[0].StreetID != s1 || comms[1].StreetID != s1 {
			t.Fatalf("street 1's communities %+v (%v)", comms, err)
		}
		if c, err := db.RoundCommunity(ctx, f.Round.ID, comms[0].ID, store.Scope{StreetID: s1}); err != nil || c.Name != comms[0].Name {
			t.Errorf("community = %+v (%v)", c, err)
		}
		if _, err := db.RoundCommunity(ctx, f.Round.ID, comms[0].ID, store.Scope{StreetID: s2}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("street 1's community in street 2's scope: %v", err)
		}
	})
}

// ProgressByDay draws the days in the district's zone also where its
// offset is not whole hours: in Asia/Kolkata (+05:30) the UTC hour
// 18:00-19:00 is 23:30-00:30, so of two visits in it one counts on each
// day; in Asia/Kathmandu (+05:45) the day turns at 18:15 UTC.
func TestProgressByDayHalfHourZones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		f.AssignStreet(t, 2)
		n := 0
		interview := func(who string, a store.Assignment, at time.Time) {
			t.Helper()
			c := f.Caller(who)
			n++
			if _, err := f.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n), AssignmentID: a.ID, AttemptedAt: at, Outcome: "interview"}); err != nil {
				t.Fatal(err)
			}
			end := at.Add(20 * time.Minute)
			if _, err := f.Service.Submit(ctx, c, rounds.ResponseRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", 2*n+1), AssignmentID: a.ID,
				QuestionnaireVersion: 1, Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 2, 1})), StartedAt: &at, CompletedAt: &end}); err != nil {
				t.Fatal(err)
			}
		}
		mine1, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
		if err != nil || len(mine1) < 3 {
			t.Fatalf("int1a has %d assignments (%v)", len(mine1), err)
		}
		mine2, err := f.Service.Assignments(ctx, f.Caller("int2a"), f.Round.ID, store.AssignmentFilter{})
		if err != nil || len(mine2) < 1 {
			t.Fatalf("int2a has %d assignments (%v)", len(mine2), err)
		}
		utc := func(h, m int) time.Time { return time.Date(2026, 11, 20, h, m, 0, 0, time.UTC) }
		interview("int1a", mine1[0], utc(11, 0))  // Kolkata 16:30 the 20th
		interview("int1a", mine1[1], utc(18, 10)) // Kolkata 23:40 the 20th; Kathmandu 23:55 the 20th
		interview("int1a", mine1[2], utc(18, 40)) // Kolkata 00:10 the 21st; Kathmandu 00:25 the 21st
		interview("int2a", mine2[0], utc(19, 0))  // Kolkata 00:30 the 21st
		s1, s2 := f.Streets[0].ID, f.Streets[1].ID
		for _, tc := range []struct {
			zone string
			want map[string]int
		}{
			{"Asia/Kolkata", map[string]int{fmt.Sprintf("%d 2026-11-20 I", s1): 2, fmt.Sprintf("%d 2026-11-21 I", s1): 1, fmt.Sprintf("%d 2026-11-21 I", s2): 1}},
			{"Asia/Kathmandu", map[string]int{fmt.Sprintf("%d 2026-11-20 I", s1): 2, fmt.Sprintf("%d 2026-11-21 I", s1): 1, fmt.Sprintf("%d 2026-11-21 I", s2): 1}},
			{"Asia/Shanghai", map[string]int{fmt.Sprintf("%d 2026-11-20 I", s1): 1, fmt.Sprintf("%d 2026-11-21 I", s1): 2, fmt.Sprintf("%d 2026-11-21 I", s2): 1}},
			{"UTC", map[string]int{fmt.Sprintf("%d 2026-11-20 I", s1): 3, fmt.Sprintf("%d 2026-11-20 I", s2): 1}},
			{"America/St_Johns", map[string]int{fmt.Sprintf("%d 2026-11-20 I", s1): 3, fmt.Sprintf("%d 2026-11-20 I", s2): 1}}, // -03:30
		} {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			_, offset := utc(12, 0).In(loc).Zone()
			rows, err := db.ProgressByDay(ctx, f.Round.ID, offset, store.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, r := range rows {
				got[fmt.Sprintf("%d %s %s", r.StreetID, r.Day, r.Category)] += r.N
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: by day = %v, want %v", tc.zone, got, tc.want)
			}
			// A street's scope holds the assignments read one by one too.
			rows, err = db.ProgressByDay(ctx, f.Round.ID, offset, store.Scope{StreetID: s2})
			if err != nil || len(rows) != 1 || rows[0].StreetID != s2 || rows[0].N != 1 {
				t.Errorf("%s: street 2 by day = %+v (%v)", tc.zone, rows, err)
			}
		}
	})
}
