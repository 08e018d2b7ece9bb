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

// Limits is the policy against password guessing. Its counters are kept
// in the database, so they hold across every serve process, and an attempt
// is counted before its password is checked (Store.ReserveLogin), so a
// burst of concurrent guesses is held to the same numbers as a sequence.
// Three counters:
//
//   - per login name and client address (the guesser's own): PairFree
//     failures are free, then each failure makes that address wait 2, 4,
//     8 … seconds before its next try at that name, at most PairMaxWait; a
//     success from that address ends it, and failures are forgotten after
//     Quiet without one;
//   - per client address: at most AddrFailures failed logins in
//     AddrWindow, whatever the names, then the address waits for the
//     window to end;
//   - per login name, from all addresses: beyond AccountFree failures the
//     waits double as for a pair, but only for addresses that have failed
//     on that name (within Quiet): a guess spread over many addresses gets
//     one try from each before it waits, while the owner, whose address
//     has not failed, still gets in. So nobody can lock an account by
//     guessing wrong: a stranger's failures stop the stranger, not the
//     owner.
//
// Names are counted whether or not the account exists, so the answers tell
// nothing about which do.
type Limits struct {
	PairFree     int
	PairMaxWait  time.Duration
	AddrFailures int
	AddrWindow   time.Duration
	AccountFree  int
	Quiet        time.Duration
}

// DefaultLimits are the limits of a new Service.
var DefaultLimits = Limits{
	PairFree:     5,
	PairMaxWait:  15 * time.Minute,
	AddrFailures: 20,
	AddrWindow:   10 * time.Minute,
	AccountFree:  50,
	Quiet:        24 * time.Hour,
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

// loginKeys are the counters of a login attempt: the name and address
// pair's, the address's and the name's. Names are compared as the login
// compares them, ignoring case, so "ADMIN" and "admin" share counters; a
// long or unprintable name is hashed to keep keys short and storable on
// every database.
func loginKeys(username, ip string) []string {
	n := nameOf(username)
	return []string{"pair:" + n + "|" + ip, "ip:" + ip, "user:" + n}
}

func nameOf(username string) string {
	n := strings.TrimSpace(username)
	printable := utf8.ValidString(n) && !strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsPrint(r) })
	n = strings.ToLower(n)
	if len(n) > 64 || !printable || strings.Contains(n, "|") {
		h := sha256.Sum256([]byte(n))
		return "#" + hex.EncodeToString(h[:16])
	}
	return n
}

// blocks says until when the counters of an attempt at now (pair,
// address, name: loginKeys' order) make it wait, and whether they do. The
// name's counter holds back only an address that has itself failed on the
// name.
func (l Limits) blocks(cs []store.LoginCounter, now time.Time) (time.Time, bool) {
	var until time.Time
	pairFailed := len(cs) > 0 && cs[0].Failures > 0
	for i, c := range cs {
		if !c.BlockedUntil.Valid || (i == 2 && !pairFailed) {
			continue
		}
		if c.BlockedUntil.Time.After(until) {
			until = c.BlockedUntil.Time
		}
	}
	return until, until.After(now)
}

// afterFailure advances a counter by one failure at now.
func (l Limits) afterFailure(c store.LoginCounter, now time.Time) store.LoginCounter {
	stillBlocked := c.BlockedUntil.Valid && c.BlockedUntil.Time.After(now)
	switch {
	case strings.HasPrefix(c.Key, "ip:"):
		if now.Sub(c.WindowStart) >= l.AddrWindow && !stillBlocked {
			c.Failures, c.WindowStart, c.BlockedUntil = 0, now, sql.NullTime{}
		}
		c.Failures++
		if c.Failures >= l.AddrFailures {
			c.BlockedUntil = sql.NullTime{Time: c.WindowStart.Add(l.AddrWindow), Valid: true}
		}
		return c
	default: // pair: and user:
		free := l.PairFree
		if strings.HasPrefix(c.Key, "user:") {
			free = l.AccountFree
		}
		if c.Failures > 0 && now.Sub(c.UpdatedAt) >= l.Quiet && !stillBlocked {
			c.Failures, c.WindowStart = 0, now
		}
		c.Failures++
		c.BlockedUntil = backoff(c.Failures, free, l.PairMaxWait, now)
		return c
	}
}

// backoff is the wait after failures of which free are free: none, then
// 2, 4, 8 … seconds, at most max.
func backoff(failures, free int, max time.Duration, now time.Time) sql.NullTime {
	k := failures - free + 1
	if k < 1 {
		return sql.NullTime{}
	}
	wait := max
	if k < 30 {
		wait = min(wait, time.Duration(1<<k)*time.Second)
	}
	return sql.NullTime{Time: now.Add(wait), Valid: true}
}

// afterSuccess settles a successful attempt's reservation: the pair's
// counter goes (the owner's address starts afresh); the address's and the
// name's give back the failure counted for it, so a right password costs
// nothing, and lose a wait that failure alone had started.
func (l Limits) afterSuccess(c store.LoginCounter) (store.LoginCounter, bool) {
	if strings.HasPrefix(c.Key, "pair:") {
		return c, false
	}
	c.Failures = max(0, c.Failures-1)
	switch {
	case strings.HasPrefix(c.Key, "ip:"):
		if c.Failures < l.AddrFailures {
			c.BlockedUntil = sql.NullTime{}
		}
	case c.Failures < l.AccountFree:
		c.BlockedUntil = sql.NullTime{}
	}
	return c, c.Failures > 0 || c.BlockedUntil.Valid
}
