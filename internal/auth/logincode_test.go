package auth

import (
	"context"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestLoginCode: a code opens a session once, within its 24 hours (the
// service's clock moved past them refuses it), as a login does (audited);
// the password then chosen clears the one-time flag, ends the other
// sessions and deletes the user's unused codes.
func TestLoginCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := storetest.Street(t, db, "城关街道")
		clock := time.Now()
		svc := NewService(db, NewSecret(), time.Hour)
		svc.Now = func() time.Time { return clock }
		hash, _ := HashPassword("one-time-pw-x7")
		codes := make([]string, 3)
		us := make([]store.ImportedUser, 2)
		for i := range us {
			var h string
			codes[i], h = NewLoginCode()
			us[i] = store.ImportedUser{NewUser: store.NewUser{Username: []string{"li", "wang"}[i], DisplayName: "李", Role: store.RoleInterviewer,
				StreetID: &st, PasswordHash: hash, MustChangePassword: true}, CodeHash: h}
		}
		ids, err := db.CreateUsers(ctx, us, clock.Add(LoginCodeTTL), store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		a := store.Actor{Via: "api", IP: "192.0.2.7"}
		cookie, u, err := svc.LoginWithCode(ctx, a, codes[0], "test")
		if err != nil || u.ID != ids[0] || !u.MustChangePassword {
			t.Fatalf("first use = %+v, %v", u, err)
		}
		if su, err := svc.User(ctx, cookie); err != nil || su.ID != ids[0] {
			t.Fatalf("session of the code = %+v, %v", su, err)
		}
		_, _, err = svc.LoginWithCode(ctx, a, codes[0], "test")
		if apperr.CodeOf(err) != store.CodeLoginCodeUsed || !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("second use = %v", err)
		}
		_, _, err = svc.LoginWithCode(ctx, a, "no-such-code-at-all", "test")
		if apperr.CodeOf(err) != store.CodeLoginCodeUnknown {
			t.Errorf("unknown code = %v", err)
		}
		clock = clock.Add(LoginCodeTTL + time.Second)
		_, _, err = svc.LoginWithCode(ctx, a, codes[1], "test")
		if apperr.CodeOf(err) != store.CodeLoginCodeExpired {
			t.Errorf("expired code = %v", err)
		}
		clock = clock.Add(-2 * time.Second) // just inside the 24 hours: good, but not after a failed use
		if _, u, err := svc.LoginWithCode(ctx, a, codes[1], "test"); err != nil || u.ID != ids[1] {
			t.Errorf("code at 23:59:59 = %v", err)
		}
		// The password change: the one-time one is refused, a weak one too.
		other, _, err := svc.Login(ctx, a, "li", "one-time-pw-x7", "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.ChangePassword(ctx, u, cookie, "", "one-time-pw-x7", store.CLI); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("same password: %v", err)
		}
		if err := svc.ChangePassword(ctx, u, cookie, "", "1234567890", store.CLI); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("weak password: %v", err)
		}
		if err := svc.ChangePassword(ctx, u, cookie, "", "lantern-Orchid-4417", store.CLI); err != nil {
			t.Fatal(err)
		}
		if su, err := svc.User(ctx, cookie); err != nil || su.MustChangePassword {
			t.Errorf("after the change: %+v, %v (the session in use stays, the flag is gone)", su, err)
		}
		if _, err := svc.User(ctx, other); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("the other session: %v, want ended", err)
		}
		// Changing again asks for the current password.
		su, _ := db.User(ctx, ids[0])
		if err := svc.ChangePassword(ctx, su, cookie, "wrong", "another-Quiet-9981", store.CLI); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("without the current password: %v", err)
		}
		var n int
		if err := db.Reader().Get(&n, db.Reader().Rebind("SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND detail LIKE '%login_code%'")); err != nil || n != 2 {
			t.Errorf("code logins audited: %d (%v), want 2", n, err)
		}
	})
}
