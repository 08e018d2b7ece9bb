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
		inc := func(c store.LoginCounter) store.LoginCounter {
			c.Failures++
			if c.Failures >= 2 {
				c.BlockedUntil = sql.NullTime{Time: t0.Add(time.Minute), Valid: true}
			}
			return c
		}
		if cs, err := db.LoginCounters(ctx, "ip:203.0.113.7", "user:ghost"); err != nil || len(cs) != 0 {
			t.Fatalf("counters before any failure = %v, %v", cs, err)
		}
		for i := 1; i <= 2; i++ {
			cs, err := db.RecordLoginFailure(ctx, actor, "Ghost", []string{"ip:203.0.113.7", "user:ghost"}, t0, inc)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 2 || cs[0].Failures != i || cs[1].Failures != i || !cs[0].WindowStart.Equal(t0) {
				t.Fatalf("after failure %d: %+v", i, cs)
			}
		}
		cs, err := db.LoginCounters(ctx, "user:ghost", "user:nobody", "ip:203.0.113.7")
		if err != nil || len(cs) != 2 || cs[0].Key != "user:ghost" || cs[1].Key != "ip:203.0.113.7" {
			t.Fatalf("LoginCounters = %+v, %v", cs, err)
		}
		if c := cs[0]; c.Failures != 2 || !c.BlockedUntil.Valid || !c.BlockedUntil.Time.Equal(t0.Add(time.Minute)) || !c.UpdatedAt.Equal(t0) {
			t.Fatalf("stored counter = %+v", c)
		}
		es, err := db.AuditLog(ctx, 10)
		if err != nil || len(es) != 2 || es[0].Action != "login.failed" || es[0].ObjectID != "Ghost" || es[0].IP != "203.0.113.7" || es[0].Via != "api" {
			t.Fatalf("audit = %+v, %v", es, err)
		}

		// Failures from several processes at once all count (the row is
		// locked while it is rewritten).
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.RecordLoginFailure(ctx, actor, "race", []string{"user:race"}, t0, func(c store.LoginCounter) store.LoginCounter { c.Failures++; return c })
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if cs, _ := db.LoginCounters(ctx, "user:race"); len(cs) != 1 || cs[0].Failures != 8 {
			t.Fatalf("concurrent failures counted %+v, want 8", cs)
		}

		// A success clears the user's counter, not the address's, and is audited with the session.
		id, err := db.CreateUser(ctx, store.NewUser{Username: "ghost", DisplayName: "g", Role: store.RoleAnalyst, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := db.User(ctx, id)
		if err := db.CreateLoginSession(ctx, actor, u, "tok", time.Now().Add(time.Hour), "ua", "user:ghost"); err != nil {
			t.Fatal(err)
		}
		if cs, _ := db.LoginCounters(ctx, "user:ghost", "ip:203.0.113.7"); len(cs) != 1 || cs[0].Key != "ip:203.0.113.7" {
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
