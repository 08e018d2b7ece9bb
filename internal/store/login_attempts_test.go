package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestLoginCounters(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		actor := store.Actor{Via: "api", IP: "203.0.113.7", RequestID: "r1"}
		keys := []string{"user:ghost", "ip:203.0.113.7"}
		inc := func(c store.LoginCounter) store.LoginCounter {
			c.Failures++
			if c.Failures >= 2 {
				c.BlockedUntil = sql.NullTime{Time: t0.Add(time.Minute), Valid: true}
			}
			return c
		}
		var seen [][]store.LoginCounter
		blocked := func(cs []store.LoginCounter) (time.Time, bool) {
			seen = append(seen, cs)
			for _, c := range cs {
				if c.BlockedUntil.Valid && c.BlockedUntil.Time.After(t0) {
					return c.BlockedUntil.Time, true
				}
			}
			return time.Time{}, false
		}
		if cs, err := db.LoginCounters(ctx, keys...); err != nil || len(cs) != 0 {
			t.Fatalf("counters before any attempt = %v, %v", cs, err)
		}
		for i := 1; i <= 3; i++ {
			until, wait, err := db.ReserveLogin(ctx, keys, t0, blocked, inc)
			if err != nil {
				t.Fatal(err)
			}
			// The decision sees the counters in the order of keys, a new
			// key's at zero with its window starting now.
			cs := seen[len(seen)-1]
			if len(cs) != 2 || cs[0].Key != "user:ghost" || cs[1].Key != "ip:203.0.113.7" || cs[0].Failures != min(i-1, 2) || !cs[0].WindowStart.Equal(t0) {
				t.Fatalf("attempt %d decided on %+v", i, cs)
			}
			if (i == 3) != wait || (wait && !until.Equal(t0.Add(time.Minute))) {
				t.Fatalf("attempt %d: wait %v until %v", i, wait, until)
			}
		}
		cs, err := db.LoginCounters(ctx, "user:ghost", "user:nobody", "ip:203.0.113.7")
		if err != nil || len(cs) != 2 || cs[0].Key != "user:ghost" || cs[1].Key != "ip:203.0.113.7" {
			t.Fatalf("LoginCounters = %+v, %v", cs, err)
		}
		if c := cs[0]; c.Failures != 2 || !c.BlockedUntil.Valid || !c.BlockedUntil.Time.Equal(t0.Add(time.Minute)) || !c.UpdatedAt.Equal(t0) {
			t.Fatalf("stored counter = %+v (a refused attempt counts nothing)", c)
		}
		if err := db.LoginFailed(ctx, actor, "Ghost"); err != nil {
			t.Fatal(err)
		}
		es, err := db.AuditLog(ctx, 10)
		if err != nil || len(es) != 1 || es[0].Action != "login.failed" || es[0].ObjectID != "Ghost" || es[0].IP != "203.0.113.7" || es[0].Via != "api" {
			t.Fatalf("audit = %+v, %v", es, err)
		}

		// Reservations from several processes at once all count (the row
		// is locked from the decision to the count).
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				_, _, err := db.ReserveLogin(ctx, []string{"user:race"}, t0, func([]store.LoginCounter) (time.Time, bool) { return time.Time{}, false },
					func(c store.LoginCounter) store.LoginCounter { c.Failures++; return c })
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if cs, _ := db.LoginCounters(ctx, "user:race"); len(cs) != 1 || cs[0].Failures != 8 {
			t.Fatalf("concurrent reservations counted %+v, want 8", cs)
		}

		// A success settles each counter as told (kept changed, or
		// deleted) and is audited with the session.
		id, err := db.CreateUser(ctx, store.NewUser{Username: "ghost", DisplayName: "g", Role: store.RoleAnalyst, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := db.User(ctx, id)
		settle := func(c store.LoginCounter) (store.LoginCounter, bool) {
			if c.Key == "user:ghost" {
				return c, false
			}
			c.Failures--
			return c, true
		}
		if err := db.CreateLoginSession(ctx, actor, u, "tok", time.Now().Add(time.Hour), "ua", keys, settle); err != nil {
			t.Fatal(err)
		}
		if cs, _ := db.LoginCounters(ctx, keys...); len(cs) != 1 || cs[0].Key != "ip:203.0.113.7" || cs[0].Failures != 1 {
			t.Fatalf("after success: %+v", cs)
		}
		if su, err := db.SessionUser(ctx, "tok"); err != nil || su.ID != id {
			t.Fatalf("session = %+v, %v", su, err)
		}
		es, _ = db.AuditLog(ctx, 1)
		if es[0].Action != "login" || es[0].Username != "ghost" || es[0].IP != "203.0.113.7" {
			t.Fatalf("login audit = %+v", es[0])
		}

		// The sweep deletes quiet counters but keeps a running block.
		if n, err := db.DeleteStaleLoginCounters(ctx, t0.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1 (user:race; the address is blocked until t0+1m)", n, err)
		}
		if n, err := db.DeleteStaleLoginCounters(ctx, t0.Add(2*time.Minute)); err != nil || n != 1 {
			t.Fatalf("second sweep = %d, %v", n, err)
		}
	})
}
