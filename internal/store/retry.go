package store

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Transactions that lose to concurrent writers.
//
// Writers take their row locks in one global order (lockorder.go), so two
// of them wait for each other but do not deadlock. The database may still
// abort a transaction because of another: PostgreSQL when it finds a
// deadlock all the same (40P01: an order this code did not foresee) or a
// serialization failure (40001), SQLite when another process holds the
// database longer than the busy timeout. The transaction has then been
// rolled back whole, so Tx runs it again, a few times, after a short
// jittered wait; what a transaction writes comes from its arguments and
// what it reads inside, and every write of the fieldwork path is
// idempotent by client id, so running it again is as safe as the client
// sending it again. Each abort is logged at WARN and counted (TxStats,
// which GET /api/v1/metrics shows the administrator); a transaction that
// loses every attempt is an apperr.Busy error, answered 503 with
// Retry-After.

// txAttempts is how often Tx runs a transaction the database aborted
// because of concurrent writers.
const txAttempts = 4

// retryWait is the wait before the first rerun; it doubles each time,
// with "equal jitter" (half fixed, half random).
const retryWait = 20 * time.Millisecond

// The causes of an abort that running the transaction again may cure.
const (
	causeDeadlock      = "deadlock"      // PostgreSQL 40P01
	causeSerialization = "serialization" // PostgreSQL 40001
	causeBusy          = "busy"          // SQLite SQLITE_BUSY, SQLITE_LOCKED
)

// retryCause names why the database aborted what err reports, if running
// the transaction again may succeed; "" otherwise.
func retryCause(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40P01":
			return causeDeadlock
		case "40001":
			return causeSerialization
		}
		return ""
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return causeBusy
		}
	}
	return ""
}

// errBusy is what a client is told when the database aborted its write
// because of concurrent writers, the last attempt included.
const errBusy = "the database is busy with other writes: nothing was stored; send it again"

// TxStats counts, since the database was opened, the transactions the
// database aborted because of concurrent writers: each abort by cause, the
// aborted transactions run again, and those given up after their last
// attempt (answered 503).
type TxStats struct {
	Aborted struct {
		Deadlock      uint64 `json:"deadlock"`
		Serialization uint64 `json:"serialization"`
		Busy          uint64 `json:"busy"`
	} `json:"aborted"`
	Retried uint64 `json:"retried"`
	GaveUp  uint64 `json:"gave_up"`
}

// txCounters are the atomic counters behind TxStats.
type txCounters struct {
	deadlock, serialization, busy, retried, gaveUp atomic.Uint64
}

func (c *txCounters) abort(cause string) {
	switch cause {
	case causeDeadlock:
		c.deadlock.Add(1)
	case causeSerialization:
		c.serialization.Add(1)
	case causeBusy:
		c.busy.Add(1)
	}
}

// TxStats returns the counts of aborted transactions so far.
func (db *DB) TxStats() TxStats {
	var s TxStats
	s.Aborted.Deadlock = db.txs.deadlock.Load()
	s.Aborted.Serialization = db.txs.serialization.Load()
	s.Aborted.Busy = db.txs.busy.Load()
	s.Retried = db.txs.retried.Load()
	s.GaveUp = db.txs.gaveUp.Load()
	return s
}

// SetLogger sets where the store logs (aborted transactions, at WARN);
// slog.Default() until then. Its handler gets the context of the
// operation, e.g. to add the request id.
func (db *DB) SetLogger(l *slog.Logger) { db.log.Store(l) }

func (db *DB) logger() *slog.Logger {
	if l := db.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// Tx runs fn in a write transaction, committing if fn returns nil and
// rolling back otherwise. On SQLite it holds the single writer connection.
// A transaction the database aborts because of concurrent writers is run
// again (up to txAttempts in all): fn may run more than once, and must
// start from its arguments each time (no state carried over from an
// attempt that was rolled back).
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return db.tx(ctx, txAttempts, fn)
}

// txOnce is Tx for a transaction that cannot run twice (it consumes a
// stream): an abort is answered Busy at once, to be sent again by the
// client.
func (db *DB) txOnce(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return db.tx(ctx, 1, fn)
}

func (db *DB) tx(ctx context.Context, attempts int, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		final, err := db.tx1(ctx, fn)
		cause := retryCause(err)
		if cause == "" || final {
			return err
		}
		db.txs.abort(cause)
		if attempt >= attempts {
			db.txs.gaveUp.Add(1)
			db.logger().WarnContext(ctx, "transaction given up", "cause", cause, "attempts", attempt, "err", err)
			return apperr.Wrap(apperr.Busy, err, errBusy)
		}
		db.txs.retried.Add(1)
		db.logger().WarnContext(ctx, "transaction aborted, running it again", "cause", cause, "attempt", attempt, "attempts", attempts, "err", err)
		d := retryWait << (attempt - 1)
		t := time.NewTimer(d/2 + rand.N(d/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return db.mapErr(ctx.Err(), "transaction")
		case <-t.C:
		}
	}
}

// tx1 is one attempt of tx. An error is returned as fn returned it (or
// mapped, from begin and commit), with the driver's error in its chain;
// final says it must not be run again whatever the error.
func (db *DB) tx1(ctx context.Context, fn func(tx *sqlx.Tx) error) (final bool, err error) {
	tx, err := db.write.BeginTxx(ctx, nil)
	if err != nil {
		return false, db.mapErr(err, "begin transaction")
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return false, err
	}
	if err := tx.Commit(); err != nil {
		// A COMMIT that SQLite refuses may leave its transaction open on
		// the connection: never run it again there.
		return db.dialect == SQLite, db.mapErr(err, "commit")
	}
	return false, nil
}
