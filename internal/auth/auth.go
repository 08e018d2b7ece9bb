// Package auth owns authentication: password hashing (bcrypt), generated
// passwords, login sessions and their signed cookies, and the first admin
// account. Authorisation by role is checked by the server with Require.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// BcryptCost is the work factor of new password hashes. Tests lower it.
var BcryptCost = 12

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// HashPassword returns the bcrypt hash of pw after checking its length
// (in characters; a chosen password is checked by CheckPassword first).
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return "", apperr.WithFields("password too short", map[string]string{"password": "at least 10 characters"})
	}
	if len(pw) > 72 {
		return "", apperr.WithFields("password too long", map[string]string{"password": "at most 72 bytes"})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	if err != nil {
		return "", apperr.Wrap(apperr.Internal, err, "hash password")
	}
	return string(h), nil
}

// GeneratePassword returns a random 16-character password from an alphabet
// without look-alike characters, easy to read out to an interviewer.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	// Bytes at or above the largest multiple of the alphabet's length are
	// drawn again, so every character is equally likely.
	const limit = 256 - 256%len(alphabet)
	out := make([]byte, 0, 16)
	var buf [32]byte
	for len(out) < 16 {
		rand.Read(buf[:])
		for _, c := range buf {
			if int(c) < limit && len(out) < 16 {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// dummyHash is compared against when a username is unknown, so that a login
// takes the same time whether or not the user exists. It is made on first
// use, at the cost real hashes have then (tests lower BcryptCost).
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("minyi-no-such-user"), BcryptCost)
	return h
})

// Service logs users in and out and resolves session cookies.
type Service struct {
	db     *store.DB
	secret []byte
	ttl    time.Duration
	// Limits against password guessing; Now is the clock they are
	// measured by (tests move it).
	Limits Limits
	Now    func() time.Time
}

// NewService returns a Service signing cookies with secret.
func NewService(db *store.DB, secret string, ttl time.Duration) *Service {
	return &Service{db: db, secret: []byte(secret), ttl: ttl, Limits: DefaultLimits, Now: time.Now}
}

// TTL returns the session lifetime.
func (s *Service) TTL() time.Duration { return s.ttl }

// errBadLogin is the one answer to every failed login, so it does not tell
// which part was wrong.
var errBadLogin = apperr.New(apperr.Unauthenticated, "wrong username or password")

// Login checks the credentials and opens a session. It returns the cookie
// value and the user. a is who asks: its IP is the client address the
// server trusts. Before the password is checked the attempt is reserved
// against Limits in the database (counted as a failure, atomically with
// the decision), so that concurrent guesses in every serve process are
// counted before any of them is checked; while a counter blocks, Login
// returns *ErrTooManyAttempts without checking the password. A failure's
// audit entry, a success's session, its counters settled and its audit
// entry are each written in one transaction.
func (s *Service) Login(ctx context.Context, a store.Actor, username, password, userAgent string) (string, store.User, error) {
	username = strings.TrimSpace(username)
	keys := loginKeys(username, a.IP)
	now := s.Now()
	blocks := func(cs []store.LoginCounter) (time.Time, bool) { return s.Limits.blocks(cs, now) }
	until, wait, err := s.db.ReserveLogin(ctx, keys, now, blocks, func(c store.LoginCounter) store.LoginCounter {
		return s.Limits.afterFailure(c, now)
	})
	if err != nil {
		return "", store.User{}, err
	}
	if wait {
		return "", store.User{}, &ErrTooManyAttempts{Until: until, Now: now}
	}
	u, err := s.check(ctx, username, password)
	if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.Forbidden) {
		if rerr := s.db.LoginFailed(ctx, a, username); rerr != nil {
			return "", store.User{}, rerr
		}
		return "", store.User{}, err
	}
	if err != nil {
		return "", store.User{}, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	if err := s.db.CreateLoginSession(ctx, a, u, hashToken(token), now.Add(s.ttl), userAgent, keys, s.Limits.afterSuccess); err != nil {
		return "", store.User{}, err
	}
	return token + "." + s.sign(token), u, nil
}

// check returns the user whose password this is; an unknown name costs the
// same time as a known one.
func (s *Service) check(ctx context.Context, username, password string) (store.User, error) {
	u, err := s.db.UserByUsername(ctx, username)
	if apperr.Is(err, apperr.NotFound) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return store.User{}, errBadLogin
	}
	if err != nil {
		return store.User{}, err
	}
	if err := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)); err != nil {
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return store.User{}, errBadLogin
		}
		return store.User{}, apperr.Wrap(apperr.Internal, err, "check password")
	}
	if u.Disabled {
		return store.User{}, apperr.New(apperr.Forbidden, "this account is disabled")
	}
	return u, nil
}

// User returns the user of a session cookie value, or Unauthenticated.
func (s *Service) User(ctx context.Context, cookie string) (store.User, error) {
	token, ok := s.verify(cookie)
	if !ok {
		return store.User{}, apperr.New(apperr.Unauthenticated, "please log in")
	}
	u, err := s.db.SessionUser(ctx, hashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return store.User{}, apperr.New(apperr.Unauthenticated, "your session has ended; please log in again")
	}
	return u, err
}

// Logout ends the session of a cookie value; an unknown one is no error.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	token, ok := s.verify(cookie)
	if !ok {
		return nil
	}
	return s.db.DeleteSession(ctx, hashToken(token))
}

func (s *Service) sign(token string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks the signature of a cookie value and returns its token.
func (s *Service) verify(cookie string) (string, bool) {
	token, sig, ok := strings.Cut(cookie, ".")
	if !ok || token == "" {
		return "", false
	}
	return token, hmac.Equal([]byte(sig), []byte(s.sign(token)))
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewSecret returns a random secret for signing cookies.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// EnsureAdmin creates the account "admin" with a random password when the
// database has no users at all, and returns that password; it returns ""
// when users exist. minyi never ships a fixed default password.
func EnsureAdmin(ctx context.Context, db *store.DB) (string, error) {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	pw := GeneratePassword()
	h, err := HashPassword(pw)
	if err != nil {
		return "", err
	}
	if _, err := db.CreateUser(ctx, store.NewUser{Username: "admin", DisplayName: "管理员 Administrator", Role: store.RoleAdmin, PasswordHash: h}, store.System); err != nil {
		if apperr.Is(err, apperr.Conflict) { // another process won the race
			return "", nil
		}
		return "", err
	}
	return pw, nil
}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	for _, x := range store.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Allowed reports whether a user with role has one of the roles in want.
// Admin is allowed everything.
func Allowed(role string, want ...string) bool {
	if role == store.RoleAdmin {
		return true
	}
	for _, w := range want {
		if w == role {
			return true
		}
	}
	return false
}
