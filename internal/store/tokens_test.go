package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		admin, err := db.CreateUser(ctx, store.NewUser{Username: "admin", Role: store.RoleAdmin, PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		zhang, err := db.CreateUser(ctx, store.NewUser{Username: "zhang", Role: store.RoleInterviewer, StreetID: new(storetest.Street(t, db, "城关街道")), PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}
		hash := func(c byte) string { return strings.Repeat(string(c), 64) }
		expires := time.Now().Add(30 * 24 * time.Hour)

		t1, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: zhang, Name: "tablet 3", Hash: hash('a'), Prefix: "abcdefgh", ExpiresAt: &expires})
		if err != nil {
			t.Fatal(err)
		}
		if t1.ID == 0 || t1.UserID != zhang || t1.Username != "zhang" || t1.Name != "tablet 3" || t1.Prefix != "abcdefgh" ||
			t1.CreatedBy.Valid || t1.LastUsedAt != nil || t1.RevokedAt != nil {
			t.Fatalf("created = %+v", t1)
		}
		if t1.ExpiresAt == nil || t1.ExpiresAt.Sub(expires).Abs() > time.Millisecond || time.Since(t1.CreatedAt).Abs() > time.Minute {
			t.Fatalf("times did not round-trip: expires %v (want %v), created %v", t1.ExpiresAt, expires, t1.CreatedAt)
		}
		if t1.State(time.Now()) != "active" || t1.State(expires.Add(time.Second)) != "expired" {
			t.Fatalf("State = %s now, %s after expiry", t1.State(time.Now()), t1.State(expires.Add(time.Second)))
		}
		api := store.Actor{UserID: admin, Via: "api", RequestID: "req-7", IP: "10.0.0.9"}
		t2, err := db.CreateAPIToken(ctx, api, store.NewAPIToken{UserID: admin, Hash: hash('b'), Prefix: "bcdefghi"})
		if err != nil {
			t.Fatal(err)
		}
		if !t2.CreatedBy.Valid || t2.CreatedBy.Int64 != admin || t2.ExpiresAt != nil || t2.Name != "" {
			t.Fatalf("second token = %+v", t2)
		}

		// The hash is unique and has the length of a SHA-256 in hex.
		if _, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: zhang, Hash: hash('a'), Prefix: "x"}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate hash: %v", err)
		}
		if _, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: zhang, Hash: "short", Prefix: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("short hash: %v", err)
		}
		if _, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: 999, Hash: hash('c'), Prefix: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown user: %v", err)
		}

		all, err := db.APITokens(ctx, 0)
		if err != nil || len(all) != 2 || all[0].Username != "admin" || all[1].Username != "zhang" {
			t.Fatalf("all tokens = %+v, %v", all, err)
		}
		own, err := db.APITokens(ctx, zhang)
		if err != nil || len(own) != 1 || own[0].ID != t1.ID {
			t.Fatalf("zhang's tokens = %+v, %v", own, err)
		}
		none, err := db.APITokens(ctx, 12345)
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("tokens of nobody = %#v, %v; want an empty list", none, err)
		}
		byPrefix, err := db.APITokensByPrefix(ctx, "bcdefghi")
		if err != nil || len(byPrefix) != 1 || byPrefix[0].ID != t2.ID {
			t.Fatalf("by prefix = %+v, %v", byPrefix, err)
		}
		if _, err := db.APIToken(ctx, t1.ID, admin); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another user's token by id: %v", err)
		}
		if got, err := db.APIToken(ctx, t1.ID, 0); err != nil || got.ID != t1.ID {
			t.Fatalf("APIToken = %+v, %v", got, err)
		}

		// A bearer check reads the user and the token's state.
		ta, err := db.APITokenAuth(ctx, hash('a'))
		if err != nil || ta.User.ID != zhang || ta.Role != store.RoleInterviewer || ta.TokenID != t1.ID || ta.RevokedAt != nil || ta.ExpiresAt == nil {
			t.Fatalf("APITokenAuth = %+v, %v", ta, err)
		}
		if _, err := db.APITokenAuth(ctx, hash('z')); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown hash: %v", err)
		}

		// Use is written at most once per interval.
		t0 := time.Now()
		for i, step := range []struct {
			at    time.Time
			wrote bool
		}{{t0, true}, {t0.Add(30 * time.Second), false}, {t0.Add(61 * time.Second), true}} {
			wrote, err := db.TouchAPIToken(ctx, t1.ID, step.at, step.at.Add(-time.Minute))
			if err != nil || wrote != step.wrote {
				t.Fatalf("touch %d = %v, %v; want %v", i, wrote, err, step.wrote)
			}
		}
		if got, _ := db.APIToken(ctx, t1.ID, 0); got.LastUsedAt == nil || got.LastUsedAt.Sub(t0.Add(61*time.Second)).Abs() > time.Millisecond {
			t.Fatalf("last used = %v", got.LastUsedAt)
		}

		// Revoking: another user's token is not found; twice is a conflict.
		if _, err := db.RevokeAPIToken(ctx, api, t1.ID, admin); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("revoke another user's token: %v", err)
		}
		r, err := db.RevokeAPIToken(ctx, store.Actor{UserID: zhang, Via: "api"}, t1.ID, zhang)
		if err != nil || r.RevokedAt == nil || r.State(time.Now()) != "revoked" {
			t.Fatalf("revoke = %+v, %v", r, err)
		}
		if _, err := db.RevokeAPIToken(ctx, store.CLI, t1.ID, 0); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "already revoked") {
			t.Fatalf("second revoke: %v", err)
		}
		if _, err := db.RevokeAPIToken(ctx, store.CLI, 4242, 0); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("revoke unknown: %v", err)
		}
		if ta, err := db.APITokenAuth(ctx, hash('a')); err != nil || ta.RevokedAt == nil {
			t.Fatalf("auth of a revoked token = %+v, %v", ta, err)
		}

		// Every change is audited, with its actor.
		es, err := db.AuditLog(ctx, 20)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Action+" "+e.ObjectID+" "+e.Via+" "+e.Username+" "+e.RequestID+" "+e.IP)
		}
		want := []string{
			"token.revoke 1 api zhang  ",
			"token.create 2 api admin req-7 10.0.0.9",
			"token.create 1 cli   ",
			"user.create zhang system   ",
			"user.create admin system   ",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(es[2].Detail, `"prefix":"abcdefgh"`) || !strings.Contains(es[2].Detail, `"name":"tablet 3"`) || strings.Contains(es[2].Detail, hash('a')) {
			t.Fatalf("create detail = %s", es[2].Detail)
		}
	})
}
