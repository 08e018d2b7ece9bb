package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestAuditPage checks the audit log's filters (user, object type and id,
// time range) and its keyset pages, newest first.
func TestAuditPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		uid, err := db.CreateUser(ctx, store.NewUser{Username: "wang", DisplayName: "王", Role: store.RoleAnalyst, PasswordHash: "x"}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			a := store.Actor{Via: "api"}
			if i%2 == 0 {
				a.UserID = uid
			}
			if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				return db.AuditIn(ctx, tx, a, "x.do", []string{"round", "sample"}[i%2], fmt.Sprint(i%3), nil)
			}); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.AuditPage(ctx, store.AuditFilter{Limit: 100})
		if err != nil || len(all) != 8 { // the user's creation and 7
			t.Fatalf("all = %d entries, %v", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID {
				t.Fatalf("not newest first: %d after %d", all[i].ID, all[i-1].ID)
			}
		}
		count := func(f store.AuditFilter) int {
			t.Helper()
			f.Limit = 100
			es, err := db.AuditPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		if n := count(store.AuditFilter{UserID: uid}); n != 4 {
			t.Errorf("by user: %d, want 4", n)
		}
		if n := count(store.AuditFilter{ObjectType: "round"}); n != 4 {
			t.Errorf("rounds: %d, want 4", n)
		}
		if n := count(store.AuditFilter{ObjectType: "round", ObjectID: "0"}); n != 2 { // i = 0, 6
			t.Errorf("round 0: %d, want 2", n)
		}
		if n := count(store.AuditFilter{UserID: uid, ObjectType: "sample"}); n != 0 {
			t.Errorf("the user's samples: %d, want 0", n)
		}
		now := time.Now()
		if n := count(store.AuditFilter{From: now.Add(-time.Hour), To: now.Add(time.Hour)}); n != 8 {
			t.Errorf("within the hour: %d, want 8", n)
		}
		if n := count(store.AuditFilter{From: now.Add(time.Hour)}); n != 0 {
			t.Errorf("from an hour ahead: %d, want 0", n)
		}
		if n := count(store.AuditFilter{To: now.Add(-time.Hour)}); n != 0 {
			t.Errorf("until an hour ago: %d, want 0", n)
		}
		// Pages of 3: 3, 3, 2, every entry once.
		seen := map[int64]bool{}
		var before int64
		for page := 0; ; page++ {
			es, err := db.AuditPage(ctx, store.AuditFilter{Before: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				break
			}
			for _, e := range es {
				if seen[e.ID] {
					t.Fatalf("entry %d on two pages", e.ID)
				}
				seen[e.ID] = true
			}
			before = es[len(es)-1].ID
			if page > 3 {
				t.Fatal("too many pages")
			}
		}
		if len(seen) != 8 {
			t.Errorf("pages held %d entries, want 8", len(seen))
		}
		types, err := db.AuditObjectTypes(ctx)
		if err != nil || fmt.Sprint(types) != "[round sample user]" {
			t.Errorf("object types = %v, %v", types, err)
		}
	})
}
