package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// API tokens are "minyi_" followed by 32 random bytes in unpadded base64url
// (43 characters). The marker makes a leaked token easy to recognise (in a
// log, a script, a repository) and lets the server refuse anything else
// without a database read. Only the SHA-256 of the whole token is stored,
// with the first PrefixLen characters of its random part to tell tokens
// apart in listings.
const (
	TokenMarker = "minyi_"
	PrefixLen   = 8
	tokenLen    = len(TokenMarker) + 43
)

// Limits of a token's lifetime. A token that never expires must be asked
// for by name ("never"), not by a zero duration.
const (
	DefaultTokenTTL = 720 * time.Hour
	MinTokenTTL     = time.Minute
	MaxTokenTTL     = 8760 * time.Hour
	// SelfTokenMaxTTL bounds a token a user who is not an administrator
	// makes for themselves from a password session (the tablet's device
	// token): a lost tablet's token ends within it.
	SelfTokenMaxTTL = 720 * time.Hour
	// TokenTouchEvery is how often, at most, a token's last use is written.
	TokenTouchEvery = time.Minute
	maxTokenName    = 64
)

// TTLHelp explains the accepted lifetimes, for flag help and messages.
const TTLHelp = "a duration from 1m to 8760h (e.g. 720h for 30 days), or never"

// ParseTokenTTL reads a token lifetime: "" is DefaultTokenTTL, "never" is 0
// (no expiry), anything else a Go duration from MinTokenTTL to MaxTokenTTL.
// The error's message is TTLHelp, or says why zero is refused.
func ParseTokenTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return DefaultTokenTTL, nil
	case "never":
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d == 0 {
		return 0, apperr.New(apperr.Invalid, "0 is not a lifetime: say never for a token that does not expire")
	}
	if err != nil || d < MinTokenTTL || d > MaxTokenTTL {
		return 0, apperr.New(apperr.Invalid, "%s", TTLHelp)
	}
	return d, nil
}

// TokenRequest asks for a new token.
type TokenRequest struct {
	UserID int64
	Name   string        // e.g. "tablet 3"; may be empty
	TTL    time.Duration // 0: never expires
	// Self says the user makes it for themselves without being an
	// administrator: its lifetime is at most SelfTokenMaxTTL, never
	// unbounded.
	Self bool
}

// CreateToken makes a token for a user, stores its hash (audited as a's
// change) and returns the token, which is never shown again, with its
// stored description. An unknown or disabled user is Invalid (field
// user_id), a bad name Invalid (field name).
func CreateToken(ctx context.Context, db *store.DB, a store.Actor, req TokenRequest) (string, store.APIToken, error) {
	name := strings.TrimSpace(req.Name)
	switch {
	case utf8.RuneCountInString(name) > maxTokenName:
		return "", store.APIToken{}, apperr.WithFields("invalid token name", map[string]string{"name": "at most 64 characters"})
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", store.APIToken{}, apperr.WithFields("invalid token name", map[string]string{"name": "no control characters"})
	case req.TTL < 0 || req.TTL != 0 && (req.TTL < MinTokenTTL || req.TTL > MaxTokenTTL):
		return "", store.APIToken{}, apperr.WithFields("invalid token lifetime", map[string]string{"ttl": TTLHelp})
	case req.Self && (req.TTL == 0 || req.TTL > SelfTokenMaxTTL):
		return "", store.APIToken{}, apperr.WithFields("invalid token lifetime", map[string]string{"ttl": "a token you make for yourself lasts at most 720h (30 days); an administrator can make longer ones"})
	}
	u, err := db.User(ctx, req.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return "", store.APIToken{}, apperr.WithFields("no such user", map[string]string{"user_id": "no user with this id"})
	}
	if err != nil {
		return "", store.APIToken{}, err
	}
	if u.Disabled {
		return "", store.APIToken{}, apperr.WithFields("the account is disabled", map[string]string{"user_id": "user " + u.Username + " is disabled"})
	}
	token, prefix := newToken()
	nt := store.NewAPIToken{UserID: u.ID, Name: name, Hash: hashToken(token), Prefix: prefix}
	if req.TTL > 0 {
		e := time.Now().Add(req.TTL)
		nt.ExpiresAt = &e
	}
	t, err := db.CreateAPIToken(ctx, a, nt)
	if err != nil {
		return "", store.APIToken{}, err
	}
	return token, t, nil
}

// newToken returns a fresh token and its prefix.
func newToken() (token, prefix string) {
	raw := make([]byte, 32)
	rand.Read(raw)
	random := base64.RawURLEncoding.EncodeToString(raw)
	return TokenMarker + random, random[:PrefixLen]
}

// TokenPrefix returns the listing prefix of a prefix as a user may type it:
// with or without the marker, with or without a trailing ellipsis.
func TokenPrefix(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "…"), "...")
	return strings.TrimPrefix(s, TokenMarker)
}

// ShowPrefix is how a token is shown in listings: marker, prefix, ellipsis.
func ShowPrefix(prefix string) string { return TokenMarker + prefix + "…" }

// errBadToken is the answer to a token that is malformed or unknown.
var errBadToken = apperr.New(apperr.Unauthenticated, "invalid API token")

// TokenUser returns the user of a bearer token and the token's id. A
// malformed or unknown token, a revoked or expired one and a disabled
// user are Unauthenticated, each with its own message. The token's last
// use is written at most once per TokenTouchEvery; that write is best
// effort (a busy database skips it) and never fails the request.
func (s *Service) TokenUser(ctx context.Context, token string) (store.User, int64, error) {
	if len(token) != tokenLen || !strings.HasPrefix(token, TokenMarker) {
		return store.User{}, 0, errBadToken
	}
	ta, err := s.db.APITokenAuth(ctx, hashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return store.User{}, 0, errBadToken
	}
	if err != nil {
		return store.User{}, 0, err
	}
	now := time.Now()
	switch {
	case ta.RevokedAt != nil:
		return store.User{}, 0, apperr.New(apperr.Unauthenticated, "this API token was revoked")
	case ta.ExpiresAt != nil && !now.Before(*ta.ExpiresAt):
		return store.User{}, 0, apperr.New(apperr.Unauthenticated, "this API token expired on %s; create a new one", ta.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
	case ta.Disabled:
		return store.User{}, 0, apperr.New(apperr.Unauthenticated, "this account is disabled")
	}
	if ta.LastUsedAt == nil || now.Sub(*ta.LastUsedAt) >= TokenTouchEvery {
		// On SQLite the single writer may be busy with a long import: wait
		// a little, not for the import.
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = s.db.TouchAPIToken(tctx, ta.TokenID, now, now.Add(-TokenTouchEvery))
		cancel()
	}
	return ta.User, ta.TokenID, nil
}
