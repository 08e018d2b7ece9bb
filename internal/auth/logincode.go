package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// LoginCodeTTL is how long an account slip's one-time login code is good
// for.
const LoginCodeTTL = 24 * time.Hour

// CodeMustChangePassword is the error code (apperr.Error.Code) of every
// request, but the password change, from an account that has a one-time
// password still.
const CodeMustChangePassword = "password_change_required"

// NewLoginCode returns a random one-time login code (128 bits, URL-safe)
// and the hash it is stored by.
func NewLoginCode() (code, hash string) {
	b := make([]byte, 16)
	rand.Read(b)
	code = base64.RawURLEncoding.EncodeToString(b)
	return code, HashCode(code)
}

// HashCode is the stored form of a login code.
func HashCode(code string) string { return hashToken(code) }

// LoginWithCode uses a one-time login code and opens a session, under the
// same limits as Login: the attempt is reserved against the address's
// counter before the code is looked at (a code is not guessed, but a
// client trying many is slowed as a password guesser is), a failure is
// audited as login.failed, a success settles the counter and is audited as
// login in the transaction that uses the code. It returns the cookie value
// and the user; a used, expired or unknown code is Unauthenticated with a
// code of its own (store.CodeLoginCode…).
func (s *Service) LoginWithCode(ctx context.Context, a store.Actor, code, userAgent string) (string, store.User, error) {
	keys := []string{"ip:" + a.IP}
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
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	if len(code) > 64 {
		code = code[:64]
	}
	u, err := s.db.LoginWithCode(ctx, a, HashCode(code), now, hashToken(token), now.Add(s.ttl), userAgent, keys, s.Limits.afterSuccess)
	if apperr.Is(err, apperr.Unauthenticated) || apperr.Is(err, apperr.Forbidden) {
		if rerr := s.db.LoginFailed(ctx, a, "(login code)"); rerr != nil {
			return "", store.User{}, rerr
		}
		return "", store.User{}, err
	}
	if err != nil {
		return "", store.User{}, err
	}
	return token + "." + s.sign(token), u, nil
}

// ChangePassword sets the password u chose. The current password is
// asked for, except from an account that must change its one-time
// password (it has just proved who it is with it or with a login code).
// The new one must pass CheckPassword and differ from the current one. The
// session of cookie stays; the user's other sessions and tokens end.
func (s *Service) ChangePassword(ctx context.Context, u store.User, cookie, current, password string, by store.Actor) error {
	if !u.MustChangePassword {
		if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
			return apperr.WithFields("wrong current password", map[string]string{"current_password": "not the current password"})
		}
	}
	if err := CheckPassword(password, u.Username, u.DisplayName); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil {
		return apperr.WithFields("same password", map[string]string{"password": "must differ from the one-time password"})
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	keep := ""
	if token, ok := s.verify(cookie); ok {
		keep = hashToken(token)
	}
	return s.db.ChangeOwnPassword(ctx, u.ID, hash, keep, by)
}

// ErrMustChangePassword is what every request of an account with a
// one-time password gets, but the password change and logging out.
var ErrMustChangePassword = &apperr.Error{Kind: apperr.Forbidden, Code: CodeMustChangePassword,
	Message: "choose a new password first: the one-time password of an account slip must be changed at first login"}

// IsMustChangePassword reports whether err is ErrMustChangePassword.
func IsMustChangePassword(err error) bool { return errors.Is(err, ErrMustChangePassword) }
