package store_test

import (
	"context"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Usernames are stored in NFC, refused with control or bidirectional
// characters, unique without regard to case and found without regard to
// case, on both databases.
func TestUsernamesCaseInsensitive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id, err := db.CreateUser(ctx, store.NewUser{Username: "admin", Role: store.RoleAdmin, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		for _, dup := range []string{"ADMIN", "Admin", " admin "} {
			if _, err := db.CreateUser(ctx, store.NewUser{Username: dup, Role: store.RoleAdmin, PasswordHash: "h"}, store.System); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("CreateUser(%q) next to admin = %v, want Conflict", dup, err)
			}
		}
		for _, bad := range []string{"nul\x00", "bad\xff", "admin\u202e", "\u2066x", "a\nb", "  "} {
			_, err := db.CreateUser(ctx, store.NewUser{Username: bad, Role: store.RoleAdmin, PasswordHash: "h"}, store.System)
			if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["username"] == "" {
				t.Errorf("CreateUser(%q) = %v, want Invalid naming username", bad, err)
			}
		}
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "x", DisplayName: "a\x00", Role: store.RoleAdmin, PasswordHash: "h"}, store.System); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("display name with NUL = %v, want Invalid", err)
		}
		u, err := db.UserByUsername(ctx, "ADMIN")
		if err != nil || u.ID != id || u.Username != "admin" {
			t.Fatalf("UserByUsername(ADMIN) = %+v, %v; want admin (%d)", u, err, id)
		}
		// Decomposed and composed é are the same name.
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "jose\u0301", Role: store.RoleAnalyst, PasswordHash: "h"}, store.System); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "josé", Role: store.RoleAnalyst, PasswordHash: "h"}, store.System); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("josé (NFC) next to jose+U+0301 = %v, want Conflict", err)
		}
		if u, err := db.UserByUsername(ctx, "josé"); err != nil || u.Username != "josé" {
			t.Errorf("UserByUsername(josé) = %q, %v", u.Username, err)
		}
		if _, err := db.UserByUsername(ctx, "a\x00"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("UserByUsername with NUL = %v, want NotFound", err)
		}
	})
}
