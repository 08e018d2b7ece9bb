package auth

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/store"
)

// Limits is the policy against password guessing. Two counters are kept in
// the database, so they hold across every serve process:
//
//   - per client address: at most AddrFailures failed logins in AddrWindow,
//     then the address waits for the window to end;
//   - per login name (known or not, so the answer tells nothing about which
//     accounts exist): UserFree failures are free, then each failure makes
//     the next attempt wait 2, 4, 8 … seconds, at most UserMaxWait. A
//     success ends the wait, and failures are forgotten after UserQuiet
//     without one, so a distributed guess against one account slows to one
//     try per UserMaxWait while its owner is never locked out for good.
type Limits struct {
	AddrFailures int
	AddrWindow   time.Duration
	UserFree     int
	UserMaxWait  time.Duration
	UserQuiet    time.Duration
}

// DefaultLimits are the limits of a new Service.
var DefaultLimits = Limits{
	AddrFailures: 20,
	AddrWindow:   10 * time.Minute,
	UserFree:     5,
	UserMaxWait:  15 * time.Minute,
	UserQuiet:    24 * time.Hour,
}

// ErrTooManyAttempts is returned by Login while a counter blocks the
// attempt; Until says when to try again.
type ErrTooManyAttempts struct {
	Until time.Time
	Now   time.Time
}

func (e *ErrTooManyAttempts) Error() string {
	return fmt.Sprintf("too many failed logins; try again in %s (at %s UTC)",
		e.RetryAfter(), e.Until.UTC().Format("15:04:05"))
}

// RetryAfter is the wait, rounded up to whole seconds (at least one).
func (e *ErrTooManyAttempts) RetryAfter() time.Duration {
	d := e.Until.Sub(e.Now)
	s := max(1, int64(math.Ceil(d.Seconds())))
	return time.Duration(s) * time.Second
}

// addrKey and userKey name the counters of a client address and a login
// name. Names are compared as the login compares them, ignoring case, so
// "ADMIN" and "admin" share a counter; a long or unprintable name is hashed
// to keep keys short and storable on every database.
func addrKey(ip string) string { return "ip:" + ip }

func userKey(username string) string {
	n := strings.TrimSpace(username)
	printable := utf8.ValidString(n) && !strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsPrint(r) })
	n = strings.ToLower(n)
	if len(n) > 64 || !printable {
		h := sha256.Sum256([]byte(n))
		return "user:#" + hex.EncodeToString(h[:16])
	}
	return "user:" + n
}

// blocked returns the latest time until which one of cs blocks an attempt
// at now, and whether one does.
func blocked(cs []store.LoginCounter, now time.Time) (time.Time, bool) {
	var until time.Time
	for _, c := range cs {
		if c.BlockedUntil.Valid && c.BlockedUntil.Time.After(now) && c.BlockedUntil.Time.After(until) {
			until = c.BlockedUntil.Time
		}
	}
	return until, !until.IsZero()
}

// afterFailure advances a counter by one failure at now.
func (l Limits) afterFailure(c store.LoginCounter, now time.Time) store.LoginCounter {
	stillBlocked := c.BlockedUntil.Valid && c.BlockedUntil.Time.After(now)
	if strings.HasPrefix(c.Key, "user:") {
		if c.Failures > 0 && now.Sub(c.UpdatedAt) >= l.UserQuiet && !stillBlocked {
			c.Failures, c.WindowStart = 0, now
		}
		c.Failures++
		c.BlockedUntil = sql.NullTime{}
		if k := c.Failures - l.UserFree + 1; k >= 1 {
			wait := l.UserMaxWait
			if k < 30 {
				wait = min(wait, time.Duration(1<<k)*time.Second)
			}
			c.BlockedUntil = sql.NullTime{Time: now.Add(wait), Valid: true}
		}
		return c
	}
	if now.Sub(c.WindowStart) >= l.AddrWindow && !stillBlocked {
		c.Failures, c.WindowStart, c.BlockedUntil = 0, now, sql.NullTime{}
	}
	c.Failures++
	if c.Failures >= l.AddrFailures {
		c.BlockedUntil = sql.NullTime{Time: c.WindowStart.Add(l.AddrWindow), Valid: true}
	}
	return c
}
