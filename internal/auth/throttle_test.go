package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// clock is a settable time for the throttle's Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func from(ip string) store.Actor         { return store.Actor{Via: "api", IP: ip} }
func distinctIP(i int) store.Actor       { return from(fmt.Sprintf("198.51.100.%d", i%250+1)) }
func throttledFor(err error) (time.Duration, bool) {
	var te *ErrTooManyAttempts
	if errors.As(err, &te) {
		return te.RetryAfter(), true
	}
	return 0, false
}

// TestThrottleAccount: a guess spread over many addresses against one
// account slows down (2, 4, 8 … s, at most 15 min), unknown names are
// counted alike, and the owner's right password ends the wait.
func TestThrottleAccount(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h, _ := HashPassword("right-password")
		if _, err := db.CreateUser(ctx, store.NewUser{Username: "li", DisplayName: "li", Role: store.RoleAnalyst, PasswordHash: h}, store.System); err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
		s := NewService(db, NewSecret(), time.Hour)
		s.Now = clk.now
		for _, name := range []string{"li", "ghost"} { // known and unknown: the same answers
			t.Run(name, func(t *testing.T) {
				for i := range DefaultLimits.UserFree {
					if _, _, err := s.Login(ctx, distinctIP(i), name, "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
						t.Fatalf("free failure %d: %v", i+1, err)
					}
				}
				wantWait := 2 * time.Second
				for i := range 14 {
					_, _, err := s.Login(ctx, distinctIP(100+i), name, "right-password", "t")
					wait, ok := throttledFor(err)
					if !ok || wait != wantWait {
						t.Fatalf("attempt after %d failures: %v (wait %s), want a wait of %s", DefaultLimits.UserFree+i, err, wait, wantWait)
					}
					// The other case of the name shares the counter.
					if _, _, err := s.Login(ctx, distinctIP(200), "  "+upper(name), "wrong-guess", "t"); !isThrottled(err) {
						t.Fatalf("upper-case name not throttled: %v", err)
					}
					clk.advance(wait)
					if _, _, err := s.Login(ctx, distinctIP(i), name, "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
						t.Fatalf("attempt after the wait: %v", err)
					}
					wantWait = min(2*wantWait, DefaultLimits.UserMaxWait)
				}
				if wantWait != 15*time.Minute {
					t.Fatalf("the wait did not reach its cap: %s", wantWait)
				}
				clk.advance(wantWait)
				_, _, err := s.Login(ctx, distinctIP(7), name, "right-password", "t")
				if name == "ghost" {
					if !apperr.Is(err, apperr.Unauthenticated) {
						t.Fatalf("unknown name after the wait: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("owner's login after the wait: %v", err)
				}
				// The success ended the backoff: the next typo is free again.
				if _, _, err := s.Login(ctx, distinctIP(7), name, "typo-typo", "t"); !apperr.Is(err, apperr.Unauthenticated) {
					t.Fatalf("typo after a success: %v", err)
				}
				if _, _, err := s.Login(ctx, distinctIP(7), name, "right-password", "t"); err != nil {
					t.Fatalf("login after one typo: %v", err)
				}
			})
		}
	})
}

// TestThrottleAddress: one address guessing many names is stopped after
// AddrFailures failures until its window ends, and only that address.
func TestThrottleAddress(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
		s := NewService(db, NewSecret(), time.Hour)
		s.Now = clk.now
		for i := range DefaultLimits.AddrFailures {
			clk.advance(time.Second)
			if _, _, err := s.Login(ctx, from("203.0.113.9"), fmt.Sprintf("user%d", i), "guess-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		_, _, err := s.Login(ctx, from("203.0.113.9"), "someone-else", "guess-guess", "t")
		wait, ok := throttledFor(err)
		if want := DefaultLimits.AddrWindow - time.Duration(DefaultLimits.AddrFailures-1)*time.Second; !ok || wait != want {
			t.Fatalf("attempt %d = %v (wait %s), want a wait of %s", DefaultLimits.AddrFailures+1, err, wait, want)
		}
		if _, _, err := s.Login(ctx, from("203.0.113.10"), "someone-else", "guess-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("another address: %v", err)
		}
		clk.advance(wait)
		if _, _, err := s.Login(ctx, from("203.0.113.9"), "someone-else", "guess-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// TestThrottleForgets: failures long ago do not count against the owner.
func TestThrottleForgets(t *testing.T) {
	l := DefaultLimits
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	c := store.LoginCounter{Key: "user:li", WindowStart: t0, Failures: 9, UpdatedAt: t0}
	if got := l.afterFailure(c, t0.Add(l.UserQuiet)); got.Failures != 1 || got.BlockedUntil.Valid {
		t.Fatalf("after a quiet day: %+v", got)
	}
	if got := l.afterFailure(c, t0.Add(time.Hour)); got.Failures != 10 || !got.BlockedUntil.Valid {
		t.Fatalf("an hour later: %+v", got)
	}
}

func TestUserKey(t *testing.T) {
	for in, want := range map[string]string{
		"admin":   "user:admin",
		" ADMIN ": "user:admin",
		"王芳":      "user:王芳",
	} {
		if got := userKey(in); got != want {
			t.Errorf("userKey(%q) = %q, want %q", in, got, want)
		}
	}
	for _, odd := range []string{"a\x00b", "\xff\xfe", string(make([]byte, 300))} {
		if k := userKey(odd); len(k) != len("user:#")+32 {
			t.Errorf("userKey(%q) = %q, want a hash", odd, k)
		}
	}
}

func isThrottled(err error) bool { _, ok := throttledFor(err); return ok }

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
