package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// LoginCounter counts the failed logins of one key: "ip:ADDRESS" or
// "user:NAME". The policy that reads and advances it (how many failures,
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

// RecordLoginFailure counts a failed login of username against each key and
// writes the audit entry "login.failed", all in one transaction. next gets
// a key's counter (a new key's is zero, its window starting at now) and
// returns what to store; each row is locked while it is read and
// rewritten, so concurrent failures in several processes all count. It
// returns the stored counters in the order of keys.
func (db *DB) RecordLoginFailure(ctx context.Context, a Actor, username string, keys []string, now time.Time,
	next func(LoginCounter) LoginCounter) ([]LoginCounter, error) {
	now = now.UTC().Truncate(time.Microsecond)
	// The rows are locked in key order, as every lock is (lockorder.go),
	// whatever the order of keys.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return strings.Compare(keys[i], keys[j]) })
	var out []LoginCounter
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		out = make([]LoginCounter, len(keys))
		for _, i := range order {
			k := keys[i]
			if _, err := tx.ExecContext(ctx, db.Q("insert-login-attempt-if-absent"), k, now, now); err != nil {
				return db.mapErr(err, "login counter")
			}
			var c LoginCounter
			if err := tx.GetContext(ctx, &c, db.Q("lock-login-attempt"), k); err != nil {
				return db.mapErr(err, "login counter")
			}
			c = next(c)
			c.Key, c.UpdatedAt = k, now
			c.WindowStart = c.WindowStart.UTC().Truncate(time.Microsecond)
			if c.BlockedUntil.Valid {
				c.BlockedUntil.Time = c.BlockedUntil.Time.UTC().Truncate(time.Microsecond)
			}
			if _, err := tx.ExecContext(ctx, db.Q("update-login-attempt"), c.WindowStart, c.Failures, c.BlockedUntil, c.UpdatedAt, k); err != nil {
				return db.mapErr(err, "login counter")
			}
			out[i] = c
		}
		return db.AuditIn(ctx, tx, a, "login.failed", "user", username, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateLoginSession stores a new session of user u, forgets the failed
// logins counted under clearKey (a success ends the user's backoff) and
// writes the audit entry "login", in one transaction.
func (db *DB) CreateLoginSession(ctx context.Context, a Actor, u User, tokenHash string, expires time.Time, userAgent, clearKey string) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, db.Q("insert-session"), tokenHash, u.ID, now(), expires.UTC(), userAgent); err != nil {
			return db.mapErr(err, "create session")
		}
		if clearKey != "" {
			if _, err := tx.ExecContext(ctx, db.Q("delete-login-attempt"), clearKey); err != nil {
				return db.mapErr(err, "login counter")
			}
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
