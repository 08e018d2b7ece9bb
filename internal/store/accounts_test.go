package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestFilterUsers: role, street, state and search are the SQL's, and a
// page is bounded; a LIKE wildcard in the search is a plain character.
func TestFilterUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s1, s2 := storetest.Street(t, db, "城关街道"), storetest.Street(t, db, "东城街道")
		for i := range 30 {
			st, role := &s1, store.RoleInterviewer
			if i%2 == 1 {
				st = &s2
			}
			if i%5 == 0 {
				role = store.RoleSupervisor
			}
			id, err := db.CreateUser(ctx, store.NewUser{Username: fmt.Sprintf("user%02d", i), DisplayName: fmt.Sprintf("王%d", i), Role: role, StreetID: st, PasswordHash: "x"}, store.CLI)
			if err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				if _, err := db.SetUserDisabled(ctx, id, true, store.CLI); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "a_b", DisplayName: "100%", Role: store.RoleAnalyst, PasswordHash: "x"}, store.CLI); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			f          store.UserFilter
			total, got int
		}{
			{store.UserFilter{}, 31, 31},
			{store.UserFilter{Limit: 10}, 31, 10},
			{store.UserFilter{Limit: 10, Offset: 30}, 31, 1},
			{store.UserFilter{Role: store.RoleSupervisor}, 6, 6},
			{store.UserFilter{StreetID: s2}, 15, 15},
			{store.UserFilter{StreetID: s1, Role: store.RoleInterviewer}, 12, 12},
			{store.UserFilter{State: "disabled"}, 10, 10},
			{store.UserFilter{State: "active", StreetID: s1}, 10, 10},
			{store.UserFilter{Search: "USER1"}, 10, 10},
			{store.UserFilter{Search: "王2"}, 11, 11},
			{store.UserFilter{Search: "_"}, 1, 1},
			{store.UserFilter{Search: "%"}, 1, 1},
		}
		for _, tc := range tests {
			us, total, err := db.FilterUsers(ctx, tc.f)
			if err != nil || total != tc.total || len(us) != tc.got {
				t.Errorf("%+v = %d of %d (%v), want %d of %d", tc.f, len(us), total, err, tc.got, tc.total)
			}
		}
	})
}

// TestResetEndsLoginCode: a password reset (as a disable or a change of
// role) deletes the account's unused login code: a slip printed before
// opens nothing.
func TestResetEndsLoginCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := storetest.Street(t, db, "城关街道")
		hash := fmt.Sprintf("%064d", 7)
		u := store.ImportedUser{NewUser: store.NewUser{Username: "li", Role: store.RoleInterviewer, StreetID: &st, PasswordHash: "x", MustChangePassword: true}, CodeHash: hash}
		ids, err := db.CreateUsers(ctx, []store.ImportedUser{u}, time.Now().Add(time.Hour), store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, ids[0], "y", store.CLI); err != nil {
			t.Fatal(err)
		}
		keep := func(c store.LoginCounter) (store.LoginCounter, bool) { return c, false }
		_, err = db.LoginWithCode(ctx, store.CLI, hash, time.Now(), fmt.Sprintf("%064d", 1), time.Now().Add(time.Hour), "", nil, keep)
		if apperr.CodeOf(err) != store.CodeLoginCodeUnknown {
			t.Errorf("the code after a reset: %v", err)
		}
	})
}
