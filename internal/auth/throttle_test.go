package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

func newUser(t *testing.T, db *store.DB, name, password string) {
	t.Helper()
	h, _ := HashPassword(password)
	if _, err := db.CreateUser(context.Background(), store.NewUser{Username: name, DisplayName: name, Role: store.RoleAnalyst, PasswordHash: h}, store.System); err != nil {
		t.Fatal(err)
	}
}

// TestThrottlePair: one address guessing one name slows down (2, 4, 8 …
// s, at most 15 min) after the free failures, unknown names alike, the
// other case of the name shares the counter, and the right password from
// that address after the wait ends it.
func TestThrottlePair(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newUser(t, db, "li", "right-password")
		clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
		s := NewService(db, NewSecret(), time.Hour)
		s.Now = clk.now
		for k, name := range []string{"li", "ghost"} { // known and unknown: the same answers
			t.Run(name, func(t *testing.T) {
				ip := from(fmt.Sprintf("198.51.100.%d", k+1))
				for i := range DefaultLimits.PairFree {
					if _, _, err := s.Login(ctx, ip, name, "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
						t.Fatalf("free failure %d: %v", i+1, err)
					}
				}
				wantWait := 2 * time.Second
				for i := range 14 {
					_, _, err := s.Login(ctx, ip, name, "right-password", "t")
					wait, ok := throttledFor(err)
					if !ok || wait != wantWait {
						t.Fatalf("attempt after %d failures: %v (wait %s), want a wait of %s", DefaultLimits.PairFree+i, err, wait, wantWait)
					}
					// The other case of the name shares the counter.
					if _, _, err := s.Login(ctx, ip, "  "+upper(name), "wrong-guess", "t"); !isThrottled(err) {
						t.Fatalf("upper-case name not throttled: %v", err)
					}
					clk.advance(wait)
					if _, _, err := s.Login(ctx, ip, name, "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
						t.Fatalf("attempt after the wait: %v", err)
					}
					wantWait = min(2*wantWait, DefaultLimits.PairMaxWait)
				}
				if wantWait != 15*time.Minute {
					t.Fatalf("the wait did not reach its cap: %s", wantWait)
				}
				clk.advance(wantWait)
				_, _, err := s.Login(ctx, ip, name, "right-password", "t")
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
				if _, _, err := s.Login(ctx, ip, name, "typo-typo", "t"); !apperr.Is(err, apperr.Unauthenticated) {
					t.Fatalf("typo after a success: %v", err)
				}
				if _, _, err := s.Login(ctx, ip, name, "right-password", "t"); err != nil {
					t.Fatalf("login after one typo: %v", err)
				}
			})
		}
	})
}

// TestStrangersCannotLockTheOwnerOut (issue 23, item 2): wrong passwords
// from other addresses, however many, do not keep the owner out: each
// stranger's address is held back (beyond AccountFree failures on the
// name, after one try of its own), the owner's address is not. On the old
// policy five wrong passwords from anywhere locked the name.
func TestStrangersCannotLockTheOwnerOut(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newUser(t, db, "admin2", "right-password")
		clk := &clock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
		s := NewService(db, NewSecret(), time.Hour)
		s.Now = clk.now
		stranger := func(i int) store.Actor { return from(fmt.Sprintf("203.0.%d.%d", i/250, i%250+1)) }
		// One stranger at its pace: five wrong, then one every wait.
		for i := range DefaultLimits.PairFree {
			if _, _, err := s.Login(ctx, stranger(0), "admin2", "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("stranger's failure %d: %v", i+1, err)
			}
		}
		if _, _, err := s.Login(ctx, from("192.0.2.77"), "admin2", "right-password", "t"); err != nil {
			t.Fatalf("the owner after a stranger's five failures: %v", err)
		}
		// Many strangers: once the name has AccountFree failures, an
		// address that has failed on it waits; a new one gets one try.
		for i := 1; i < DefaultLimits.AccountFree+10; i++ {
			if _, _, err := s.Login(ctx, stranger(i), "admin2", "wrong-guess", "t"); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("stranger %d's first try: %v", i, err)
			}
		}
		if _, _, err := s.Login(ctx, stranger(3), "admin2", "wrong-guess", "t"); !isThrottled(err) {
			t.Fatalf("a stranger's second try beyond the name's free failures: %v", err)
		}
		if _, _, err := s.Login(ctx, from("192.0.2.77"), "admin2", "right-password", "t"); err != nil {
			t.Fatalf("the owner during a spread guess: %v", err)
		}
		// The owner's own typo makes the owner's address one that failed.
		if _, _, err := s.Login(ctx, from("192.0.2.77"), "admin2", "typo-typo", "t"); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("owner's typo: %v", err)
		}
		if _, _, err := s.Login(ctx, from("192.0.2.77"), "admin2", "right-password", "t"); !isThrottled(err) {
			t.Fatalf("the owner after a typo during a spread guess: %v", err)
		}
	})
}

// TestConcurrentGuessesCounted (issue 23, item 1): thirty guesses at once
// from one address at one name get exactly the free failures' password
// checks, the rest 429, on both databases; thirty at once at thirty names
// get the address's limit. On the old code the counters were read before
// the slow check and written after it, and all thirty were checked.
func TestConcurrentGuessesCounted(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newUser(t, db, "wang", "right-password")
		s := NewService(db, NewSecret(), time.Hour)
		burst := func(ip string, name func(int) string) (checked, throttled int) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range 30 {
				wg.Go(func() {
					_, _, err := s.Login(ctx, from(ip), name(i), "wrong-guess", "t")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case isThrottled(err):
						throttled++
					case apperr.Is(err, apperr.Unauthenticated):
						checked++
					default:
						t.Errorf("guess %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			return checked, throttled
		}
		if c, th := burst("203.0.113.50", func(int) string { return "wang" }); c != DefaultLimits.PairFree || th != 30-DefaultLimits.PairFree {
			t.Errorf("one name: %d checked, %d throttled; want %d and %d", c, th, DefaultLimits.PairFree, 30-DefaultLimits.PairFree)
		}
		if _, _, err := s.Login(ctx, from("203.0.113.50"), "wang", "right-password", "t"); !isThrottled(err) {
			t.Errorf("the right password from the guessing address: %v", err)
		}
		if c, th := burst("203.0.113.51", func(i int) string { return fmt.Sprintf("name%d", i) }); c != DefaultLimits.AddrFailures || th != 30-DefaultLimits.AddrFailures {
			t.Errorf("thirty names: %d checked, %d throttled; want %d and %d", c, th, DefaultLimits.AddrFailures, 30-DefaultLimits.AddrFailures)
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
	c := store.LoginCounter{Key: "pair:li|192.0.2.1", WindowStart: t0, Failures: 9, UpdatedAt: t0}
	if got := l.afterFailure(c, t0.Add(l.Quiet)); got.Failures != 1 || got.BlockedUntil.Valid {
		t.Fatalf("after a quiet day: %+v", got)
	}
	if got := l.afterFailure(c, t0.Add(time.Hour)); got.Failures != 10 || !got.BlockedUntil.Valid {
		t.Fatalf("an hour later: %+v", got)
	}
}

func TestLoginKeys(t *testing.T) {
	for in, want := range map[string]string{
		"admin":   "user:admin",
		" ADMIN ": "user:admin",
		"王芳":      "user:王芳",
	} {
		if got := loginKeys(in, "192.0.2.1"); got[2] != want || got[0] != "pair:"+want[5:]+"|192.0.2.1" || got[1] != "ip:192.0.2.1" {
			t.Errorf("loginKeys(%q) = %q, want %q", in, got, want)
		}
	}
	for _, odd := range []string{"a\x00b", "\xff\xfe", string(make([]byte, 300)), "a|b"} {
		if k := loginKeys(odd, "192.0.2.1")[2]; len(k) != len("user:#")+32 {
			t.Errorf("loginKeys(%q) = %q, want a hash", odd, k)
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
