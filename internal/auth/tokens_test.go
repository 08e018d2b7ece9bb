package auth

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestParseTokenTTL(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "", want: DefaultTokenTTL},
		{in: "720h", want: 720 * time.Hour},
		{in: " 1m ", want: time.Minute},
		{in: "8760h", want: 8760 * time.Hour},
		{in: "never", want: 0},
		{in: "NEVER", want: 0},
		{in: "0", wantErr: "say never"},
		{in: "0s", wantErr: "say never"},
		{in: "59s", wantErr: "from 1m to 8760h"},
		{in: "8761h", wantErr: "from 1m to 8760h"},
		{in: "-5m", wantErr: "from 1m to 8760h"},
		{in: "30d", wantErr: "from 1m to 8760h"},
		{in: "soon", wantErr: "from 1m to 8760h"},
	}
	for _, tt := range tests {
		got, err := ParseTokenTTL(tt.in)
		if tt.wantErr != "" {
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTokenTTL(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseTokenTTL(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestTokenPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"abcdefgh": "abcdefgh", "minyi_abcdefgh": "abcdefgh", "minyi_abcdefgh…": "abcdefgh", " abcdefgh... ": "abcdefgh",
	} {
		if got := TokenPrefix(in); got != want {
			t.Errorf("TokenPrefix(%q) = %q, want %q", in, got, want)
		}
	}
	if ShowPrefix("abcdefgh") != "minyi_abcdefgh…" {
		t.Errorf("ShowPrefix = %q", ShowPrefix("abcdefgh"))
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := NewService(db, NewSecret(), time.Hour)
		uid, err := db.CreateUser(ctx, store.NewUser{Username: "zhang", Role: store.RoleInterviewer, StreetID: new(storetest.Street(t, db, "城关街道")), PasswordHash: "h"}, store.System)
		if err != nil {
			t.Fatal(err)
		}

		tok, st, err := CreateToken(ctx, db, store.CLI, TokenRequest{UserID: uid, Name: " tablet 3 ", TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		random, ok := strings.CutPrefix(tok, TokenMarker)
		if raw, err := base64.RawURLEncoding.DecodeString(random); !ok || err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not minyi_ + 32 bytes base64url", tok)
		}
		if st.Prefix != random[:PrefixLen] || st.Name != "tablet 3" || st.ExpiresAt == nil ||
			st.ExpiresAt.Sub(time.Now().Add(time.Hour)).Abs() > time.Minute {
			t.Fatalf("stored = %+v", st)
		}
		if tok2, _, err := CreateToken(ctx, db, store.CLI, TokenRequest{UserID: uid, TTL: 0}); err != nil || tok2 == tok {
			t.Fatalf("a second token = %q, %v", tok2, err)
		}

		bad := []struct {
			name  string
			req   TokenRequest
			field string
		}{
			{"unknown user", TokenRequest{UserID: 999, TTL: time.Hour}, "user_id"},
			{"long name", TokenRequest{UserID: uid, Name: strings.Repeat("平", 65), TTL: time.Hour}, "name"},
			{"control in name", TokenRequest{UserID: uid, Name: "a\x00b", TTL: time.Hour}, "name"},
			{"short ttl", TokenRequest{UserID: uid, TTL: time.Second}, "ttl"},
			{"negative ttl", TokenRequest{UserID: uid, TTL: -time.Hour}, "ttl"},
			// Issue 23: a user's own token from a session is bounded.
			{"own token that never expires", TokenRequest{UserID: uid, TTL: 0, Self: true}, "ttl"},
			{"own token over 30 days", TokenRequest{UserID: uid, TTL: 721 * time.Hour, Self: true}, "ttl"},
		}
		if _, _, err := CreateToken(ctx, db, store.CLI, TokenRequest{UserID: uid, TTL: SelfTokenMaxTTL, Self: true}); err != nil {
			t.Errorf("own token of 30 days: %v", err)
		}
		for _, b := range bad {
			if _, _, err := CreateToken(ctx, db, store.CLI, b.req); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[b.field] == "" {
				t.Errorf("%s: %v, want a %s field error", b.name, err, b.field)
			}
		}

		u, id, err := svc.TokenUser(ctx, tok)
		if err != nil || u.ID != uid || u.Role != store.RoleInterviewer || id != st.ID {
			t.Fatalf("TokenUser = %+v, %d, %v", u, id, err)
		}
		// The first use is written, the next ones within the minute are not.
		got, _ := db.APIToken(ctx, st.ID, 0)
		if got.LastUsedAt == nil {
			t.Fatal("last use not written")
		}
		first := *got.LastUsedAt
		if _, _, err := svc.TokenUser(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.APIToken(ctx, st.ID, 0); !got.LastUsedAt.Equal(first) {
			t.Fatalf("last use rewritten within the minute: %v, then %v", first, got.LastUsedAt)
		}

		// Expired: stored with a past expiry (CreateToken refuses one).
		expiredTok, prefix := newToken()
		past := time.Now().Add(-time.Minute)
		if _, err := db.CreateAPIToken(ctx, store.CLI, store.NewAPIToken{UserID: uid, Hash: hashToken(expiredTok), Prefix: prefix, ExpiresAt: &past}); err != nil {
			t.Fatal(err)
		}
		unknown, _ := newToken()
		for _, tt := range []struct{ name, token, want string }{
			{"empty", "", "invalid API token"},
			{"no marker", strings.TrimPrefix(tok, TokenMarker) + "xxxxxx", "invalid API token"},
			{"truncated", tok[:len(tok)-1], "invalid API token"},
			{"unknown", unknown, "invalid API token"},
			{"session-shaped", tok[len(TokenMarker):], "invalid API token"},
			{"expired", expiredTok, "expired on"},
		} {
			if _, _, err := svc.TokenUser(ctx, tt.token); !apperr.Is(err, apperr.Unauthenticated) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want unauthenticated %q", tt.name, err, tt.want)
			}
		}

		// A disabled user's tokens stop working, and come back with the account.
		setDisabled := func(v bool) {
			if _, err := db.Writer().ExecContext(ctx, db.Writer().Rebind("UPDATE users SET disabled = ? WHERE id = ?"), v, uid); err != nil {
				t.Fatal(err)
			}
		}
		setDisabled(true)
		if _, _, err := svc.TokenUser(ctx, tok); !apperr.Is(err, apperr.Unauthenticated) || !strings.Contains(err.Error(), "disabled") {
			t.Fatalf("disabled user: %v", err)
		}
		if _, _, err := CreateToken(ctx, db, store.CLI, TokenRequest{UserID: uid, TTL: time.Hour}); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "disabled") {
			t.Fatalf("token for a disabled user: %v", err)
		}
		setDisabled(false)
		if _, _, err := svc.TokenUser(ctx, tok); err != nil {
			t.Fatalf("re-enabled user: %v", err)
		}

		if _, err := db.RevokeAPIToken(ctx, store.CLI, st.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.TokenUser(ctx, tok); !apperr.Is(err, apperr.Unauthenticated) || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("revoked token: %v", err)
		}
	})
}
