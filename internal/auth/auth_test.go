package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func init() { BcryptCost = bcrypt.MinCost }

func TestHashPassword(t *testing.T) {
	if _, err := HashPassword("short"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("short password: %v", err)
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("long password: %v", err)
	}
	h, err := HashPassword("correct horse battery")
	if err != nil || bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
		t.Fatalf("hash = %q, %v", h, err)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := GeneratePassword()
		if len(p) != 16 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("GeneratePassword = %q", p)
		}
		seen[p] = true
	}
}

func TestSessionsAndFirstAdmin(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pw, err := EnsureAdmin(ctx, db)
		if err != nil || len(pw) != 16 {
			t.Fatalf("EnsureAdmin = %q, %v", pw, err)
		}
		if again, err := EnsureAdmin(ctx, db); err != nil || again != "" {
			t.Fatalf("second EnsureAdmin = %q, %v; must not create or print again", again, err)
		}
		// The first admin is audited once, by the system, with its creation.
		es, err := db.AuditLog(ctx, 10)
		if err != nil || len(es) != 1 || es[0].Action != "user.create" || es[0].ObjectID != "admin" || es[0].Via != "system" {
			t.Fatalf("audit after EnsureAdmin twice = %+v, %v", es, err)
		}
		s := NewService(db, NewSecret(), time.Hour)
		if _, _, err := s.Login(ctx, store.Actor{Via: "test"}, "admin", "wrong-password", "t"); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, _, err := s.Login(ctx, store.Actor{Via: "test"}, "nobody", pw, "t"); !apperr.Is(err, apperr.Unauthenticated) || apperr.PublicMessage(err) != "wrong username or password" {
			t.Fatalf("unknown user: %v", err)
		}
		ck, u, err := s.Login(ctx, store.Actor{Via: "test"}, " admin ", pw, "t")
		if err != nil || u.Role != store.RoleAdmin {
			t.Fatalf("login: %v", err)
		}
		if got, err := s.User(ctx, ck); err != nil || got.ID != u.ID {
			t.Fatalf("User = %+v, %v", got, err)
		}
		// another secret does not accept the cookie
		other := NewService(db, NewSecret(), time.Hour)
		if _, err := other.User(ctx, ck); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("cookie under another secret: %v", err)
		}
		for _, bad := range []string{"", "nodot", ".sig", ck + "x"} {
			if _, err := s.User(ctx, bad); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("User(%q): %v", bad, err)
			}
		}
		if err := s.Logout(ctx, ck); err != nil {
			t.Fatal(err)
		}
		if _, err := s.User(ctx, ck); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("after logout: %v", err)
		}
	})
}

func TestAllowed(t *testing.T) {
	if !Allowed(store.RoleAdmin, store.RoleAnalyst) || !Allowed(store.RoleAnalyst, store.RoleAnalyst, store.RoleSupervisor) ||
		Allowed(store.RoleInterviewer, store.RoleAnalyst) {
		t.Fatal("Allowed is wrong")
	}
}
