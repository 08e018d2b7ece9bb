package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// audits returns the audit entries of an action on a user, oldest first.
func audits(t *testing.T, db *store.DB, action, username string) []store.AuditEntry {
	t.Helper()
	es, err := db.AuditLog(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Action == action && es[i].ObjectType == "user" && es[i].ObjectID == username {
			out = append(out, es[i])
		}
	}
	return out
}

// live reports whether the session token is still accepted.
func live(t *testing.T, db *store.DB, token string) bool {
	t.Helper()
	_, err := db.SessionUser(context.Background(), token)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func session(t *testing.T, db *store.DB, token string, userID int64) {
	t.Helper()
	if err := db.CreateSession(context.Background(), token, userID, time.Now().Add(time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
}

// TestUserChanges: creating, disabling, enabling and changing users, each
// audited in its transaction (an entry after success, none after a
// refusal), ending sessions where rights change, keeping an active admin.
func TestUserChanges(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		street := storetest.Street(t, db, "城关街道")
		other := storetest.Street(t, db, "南湖街道")
		admin, err := db.CreateUser(ctx, store.NewUser{Username: "admin", Role: store.RoleAdmin, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		by := store.Actor{UserID: admin, Via: "api", RequestID: "req-1", IP: "192.0.2.7"}

		// Create: audited with the actor; refused creations leave no entry.
		id, err := db.CreateUser(ctx, store.NewUser{Username: "wangfang", DisplayName: "王芳", Role: store.RoleSupervisor, StreetID: &street, PasswordHash: "h"}, by)
		if err != nil {
			t.Fatal(err)
		}
		es := audits(t, db, "user.create", "wangfang")
		if len(es) != 1 || es[0].Via != "api" || es[0].Username != "admin" || es[0].RequestID != "req-1" || es[0].IP != "192.0.2.7" {
			t.Fatalf("user.create entries = %+v", es)
		}
		for _, nu := range []store.NewUser{
			{Username: "wangfang", Role: store.RoleAnalyst, PasswordHash: "h"},                               // taken
			{Username: "li", Role: store.RoleInterviewer, PasswordHash: "h"},                                 // no street
			{Username: "zhao", Role: store.RoleSupervisor, PasswordHash: "h"},                                // no street
			{Username: "qian", Role: store.RoleInterviewer, StreetID: new(int64(987654)), PasswordHash: "h"}, // unknown street
		} {
			if _, err := db.CreateUser(ctx, nu, by); err == nil {
				t.Errorf("CreateUser(%+v) succeeded", nu)
			}
			if n := len(audits(t, db, "user.create", nu.Username)); nu.Username != "wangfang" && n != 0 || nu.Username == "wangfang" && n != 1 {
				t.Errorf("a refused creation of %s left %d entries", nu.Username, n)
			}
		}
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "li", Role: store.RoleInterviewer, PasswordHash: "h"}, by); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["street"] == "" {
			t.Fatalf("interviewer without a street: %v", err)
		}

		// Disable ends sessions; enable lets the user log in again.
		session(t, db, "tok-wang", id)
		u, err := db.SetUserDisabled(ctx, id, true, by)
		if err != nil || !u.Disabled {
			t.Fatalf("disable = %+v, %v", u, err)
		}
		if live(t, db, "tok-wang") {
			t.Fatal("a disabled user's session still works")
		}
		if u, err = db.SetUserDisabled(ctx, id, false, by); err != nil || u.Disabled {
			t.Fatalf("enable = %+v, %v", u, err)
		}
		if len(audits(t, db, "user.disable", "wangfang")) != 1 || len(audits(t, db, "user.enable", "wangfang")) != 1 {
			t.Fatal("disable/enable not audited once each")
		}
		if _, err := db.SetUserDisabled(ctx, 987654, true, by); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("disable unknown: %v", err)
		}

		// A display name alone keeps sessions; a street or role change ends them.
		session(t, db, "tok-wang2", id)
		name := "王芳芳"
		if u, err = db.UpdateUser(ctx, id, store.UserChange{DisplayName: &name}, by); err != nil || u.DisplayName != name {
			t.Fatalf("rename = %+v, %v", u, err)
		}
		if !live(t, db, "tok-wang2") {
			t.Fatal("a new display name ended the session")
		}
		if u, err = db.UpdateUser(ctx, id, store.UserChange{StreetID: &other}, by); err != nil || u.StreetName != "南湖街道" || u.Role != store.RoleSupervisor {
			t.Fatalf("move street = %+v, %v", u, err)
		}
		if live(t, db, "tok-wang2") {
			t.Fatal("a street change kept the session")
		}
		interviewer := store.RoleInterviewer
		if u, err = db.UpdateUser(ctx, id, store.UserChange{Role: &interviewer}, by); err != nil || u.Role != interviewer || u.StreetName != "南湖街道" {
			t.Fatalf("supervisor → interviewer keeps the street: %+v, %v", u, err)
		}
		analyst := store.RoleAnalyst
		if u, err = db.UpdateUser(ctx, id, store.UserChange{Role: &analyst}, by); err != nil || u.StreetName != "" {
			t.Fatalf("analyst has no street: %+v, %v", u, err)
		}
		supervisor := store.RoleSupervisor
		if _, err = db.UpdateUser(ctx, id, store.UserChange{Role: &supervisor}, by); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("supervisor without a street: %v", err)
		}
		bad := int64(987654)
		if _, err = db.UpdateUser(ctx, id, store.UserChange{Role: &supervisor, StreetID: &bad}, by); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown street: %v", err)
		}
		es = audits(t, db, "user.update", "wangfang")
		if len(es) != 4 { // rename, street, role, role; not the two refusals
			t.Fatalf("%d user.update entries, want 4: %+v", len(es), es)
		}

		// The last active admin stays.
		session(t, db, "tok-admin", admin)
		if _, err := db.SetUserDisabled(ctx, admin, true, by); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("disable the last admin: %v", err)
		}
		if _, err := db.UpdateUser(ctx, admin, store.UserChange{Role: &analyst}, by); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("demote the last admin: %v", err)
		}
		if !live(t, db, "tok-admin") || len(audits(t, db, "user.disable", "admin")) != 0 || len(audits(t, db, "user.update", "admin")) != 0 {
			t.Fatal("a refused change to the last admin ended sessions or was audited")
		}
		admin2, err := db.CreateUser(ctx, store.NewUser{Username: "admin2", Role: store.RoleAdmin, PasswordHash: "h"}, by)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetUserDisabled(ctx, admin, true, by); err != nil {
			t.Fatalf("disable an admin while another is active: %v", err)
		}
		if _, err := db.UpdateUser(ctx, admin2, store.UserChange{Role: &analyst}, by); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a disabled admin does not count: %v", err)
		}

		// Password: audited, sessions ended; unknown user leaves no entry.
		session(t, db, "tok-wang3", id)
		if err := db.SetPassword(ctx, id, "h2", by); err != nil {
			t.Fatal(err)
		}
		if live(t, db, "tok-wang3") || len(audits(t, db, "user.passwd", "wangfang")) != 1 {
			t.Fatal("password change: session kept or not audited")
		}
	})
}

// TestLastAdminUnderConcurrency: two admins disabling each other at the
// same time cannot both succeed, so one active admin always remains.
func TestLastAdminUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			for round := range 5 { // a fresh database each round: exactly two active admins
				db := storetest.Open(t, d)
				a, err := db.CreateUser(ctx, store.NewUser{Username: "a", Role: store.RoleAdmin, PasswordHash: "h"}, store.CLI)
				if err != nil {
					t.Fatal(err)
				}
				b, err := db.CreateUser(ctx, store.NewUser{Username: "b", Role: store.RoleAdmin, PasswordHash: "h"}, store.CLI)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				errs := make([]error, 2)
				wg.Go(func() { _, errs[0] = db.SetUserDisabled(ctx, a, true, store.Actor{UserID: b, Via: "api"}) })
				wg.Go(func() { _, errs[1] = db.SetUserDisabled(ctx, b, true, store.Actor{UserID: a, Via: "api"}) })
				wg.Wait()
				ok := 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case !apperr.Is(err, apperr.Conflict):
						t.Fatalf("round %d: %v", round, err)
					}
				}
				if ok != 1 {
					t.Fatalf("round %d: %d of the two disables succeeded (%v), want exactly 1", round, ok, errs)
				}
			}
		})
	}
}

// A password reset, a change of role or street and disabling end every
// session and revoke every active API token of the account (issue 23 item
// 3: a tablet's token kept answering after its user's password was reset);
// a change of display name alone ends nothing. The audit entry counts the
// tokens revoked.
func TestAccessEndsWithRights(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s1, s2 := storetest.Street(t, db, "城关街道"), storetest.Street(t, db, "南湖街道")
		id, err := db.CreateUser(ctx, store.NewUser{Username: "tablet", DisplayName: "t", Role: store.RoleInterviewer, StreetID: &s1, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		newToken := func() int64 {
			n++
			tok, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: id, Name: "tablet", Hash: fmt.Sprintf("%064d", n), Prefix: fmt.Sprintf("p%07d", n)})
			if err != nil {
				t.Fatal(err)
			}
			return tok.ID
		}
		active := func(tid int64) bool {
			tok, err := db.APIToken(ctx, tid, 0)
			if err != nil {
				t.Fatal(err)
			}
			return tok.State(time.Now()) == "active"
		}
		name := "新名字"
		interviewer := store.RoleInterviewer
		for _, c := range []struct {
			what  string
			do    func() error
			ended bool
		}{
			{"display name", func() error {
				_, err := db.UpdateUser(ctx, id, store.UserChange{DisplayName: &name}, store.CLI)
				return err
			}, false},
			{"password reset", func() error { return db.SetPassword(ctx, id, "h2", store.CLI) }, true},
			{"street", func() error { _, err := db.UpdateUser(ctx, id, store.UserChange{StreetID: &s2}, store.CLI); return err }, true},
			{"role", func() error {
				sup := store.RoleSupervisor
				_, err := db.UpdateUser(ctx, id, store.UserChange{Role: &sup}, store.CLI)
				if err == nil {
					_, err = db.UpdateUser(ctx, id, store.UserChange{Role: &interviewer}, store.CLI)
				}
				return err
			}, true},
			{"disable", func() error { _, err := db.SetUserDisabled(ctx, id, true, store.CLI); return err }, true},
		} {
			tid := newToken()
			session(t, db, "sess-"+c.what, id)
			if err := c.do(); err != nil {
				t.Fatalf("%s: %v", c.what, err)
			}
			if active(tid) == c.ended || live(t, db, "sess-"+c.what) == c.ended {
				t.Errorf("after a change of %s: token active %v, session live %v; want both ended %v", c.what, active(tid), live(t, db, "sess-"+c.what), c.ended)
			}
		}
		es, err := db.AuditLog(ctx, 1)
		if err != nil || es[0].Action != "user.disable" || !strings.Contains(es[0].Detail, `"tokens_revoked":1`) {
			t.Errorf("audit %+v, %v", es, err)
		}
	})
}
