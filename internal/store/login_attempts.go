package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// LoginCounter counts the failed logins of one key: "ip:ADDRESS",
// "user:NAME" or "pair:NAME|ADDRESS". The policy that reads and advances it (how many failures,
// how long a wait) belongs to package auth; the store only keeps it, so
// that every serve process on the database sees the same counts.
type LoginCounter struct {
	Key          string       `db:"key"`
	WindowStart  time.Time    `db:"window_start"`
	Failures     int          `db:"failures"`
	BlockedUntil sql.NullTime `db:"blocked_until"`
	UpdatedAt    time.Time    `db:"updated_at"` // the last failure
}

// LoginCounters returns the counters of keys that have one, in the order of
// keys; a key without failures is left out.
func (db *DB) LoginCounters(ctx context.Context, keys ...string) ([]LoginCounter, error) {
	var out []LoginCounter
	for _, k := range keys {
		var c LoginCounter
		err := db.read.GetContext(ctx, &c, db.Q("get-login-attempt"), k)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, db.mapErr(err, "login counter")
		}
		out = append(out, c)
	}
	return out, nil
}

// ReserveLogin decides whether a login attempt may check its password
// and, if it may, counts it as a failure before the check, in one
// transaction holding each key's row (keys in key order, as every lock is:
// lockorder.go). blocked gets the keys' counters (a new key's is zero, its
// window starting at now), in the order of keys, and says until when the
// attempt must wait; when it must, nothing is counted. Otherwise next
// advances each counter by one failure. Because the count is written
// before the slow password check, concurrent attempts in every process
// see each other: a burst of guesses gets no more checks than the policy
// allows (the check and the count were apart before, and thirty at once
// were all checked). Settle the reservation with LoginFailed or
// CreateLoginSession.
func (db *DB) ReserveLogin(ctx context.Context, keys []string, now time.Time,
	blocked func([]LoginCounter) (time.Time, bool), next func(LoginCounter) LoginCounter) (until time.Time, wait bool, err error) {
	now = now.UTC().Truncate(time.Microsecond)
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		cs, err := db.lockLoginCounters(ctx, tx, keys, now)
		if err != nil {
			return err
		}
		if until, wait = blocked(cs); wait {
			return nil
		}
		for _, c := range cs {
			c = next(c)
			if err := db.writeLoginCounter(ctx, tx, c, now); err != nil {
				return err
			}
		}
		return nil
	})
	return until, wait, err
}

// lockLoginCounters reads the counters of keys, each row locked until the
// transaction ends (created at zero first when missing), in the order of
// keys; the locks are taken in key order.
func (db *DB) lockLoginCounters(ctx context.Context, tx *sqlx.Tx, keys []string, now time.Time) ([]LoginCounter, error) {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return strings.Compare(keys[i], keys[j]) })
	out := make([]LoginCounter, len(keys))
	for _, i := range order {
		if _, err := tx.ExecContext(ctx, db.Q("insert-login-attempt-if-absent"), keys[i], now, now); err != nil {
			return nil, db.mapErr(err, "login counter")
		}
		if err := tx.GetContext(ctx, &out[i], db.Q("lock-login-attempt"), keys[i]); err != nil {
			return nil, db.mapErr(err, "login counter")
		}
	}
	return out, nil
}

func (db *DB) writeLoginCounter(ctx context.Context, tx *sqlx.Tx, c LoginCounter, now time.Time) error {
	c.UpdatedAt = now
	c.WindowStart = c.WindowStart.UTC().Truncate(time.Microsecond)
	if c.BlockedUntil.Valid {
		c.BlockedUntil.Time = c.BlockedUntil.Time.UTC().Truncate(time.Microsecond)
	}
	_, err := tx.ExecContext(ctx, db.Q("update-login-attempt"), c.WindowStart, c.Failures, c.BlockedUntil, c.UpdatedAt, c.Key)
	return db.mapErr(err, "login counter")
}

// LoginFailed writes the audit entry "login.failed" of a reserved attempt
// whose password was wrong (ReserveLogin already counted it).
func (db *DB) LoginFailed(ctx context.Context, a Actor, username string) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		return db.AuditIn(ctx, tx, a, "login.failed", "user", username, nil)
	})
}

// CreateLoginSession stores a new session of user u after a reserved
// attempt succeeded, settles the reservation on each of keys (settle gets
// a counter and returns what to store, or false to delete it: a success
// gives back the failure ReserveLogin counted, and may end a wait) and
// writes the audit entry "login", in one transaction.
func (db *DB) CreateLoginSession(ctx context.Context, a Actor, u User, tokenHash string, expires time.Time, userAgent string,
	keys []string, settle func(LoginCounter) (LoginCounter, bool)) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		now := now()
		cs, err := db.lockLoginCounters(ctx, tx, keys, now)
		if err != nil {
			return err
		}
		for _, c := range cs {
			c2, keep := settle(c)
			var err error
			if keep {
				err = db.writeLoginCounter(ctx, tx, c2, c.UpdatedAt)
			} else {
				_, err = tx.ExecContext(ctx, db.Q("delete-login-attempt"), c.Key)
				err = db.mapErr(err, "login counter")
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.Q("insert-session"), tokenHash, u.ID, now, expires.UTC(), userAgent); err != nil {
			return db.mapErr(err, "create session")
		}
		a.UserID = u.ID
		return db.AuditIn(ctx, tx, a, "login", "user", u.Username, nil)
	})
}

// DeleteStaleLoginCounters removes counters whose last failure and block
// both lie before before, and returns how many.
func (db *DB) DeleteStaleLoginCounters(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	res, err := db.write.ExecContext(ctx, db.Q("delete-stale-login-attempts"), before, before)
	if err != nil {
		return 0, db.mapErr(err, "delete stale login counters")
	}
	n, _ := res.RowsAffected()
	return n, nil
}
