package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// sqliteBusy returns a real SQLITE_BUSY error: a second writer on a file
// whose first holds the write lock, without a busy timeout.
func sqliteBusy(t *testing.T) error {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "busy.db") + "?_pragma=busy_timeout(0)&_txlock=immediate"
	var dbs []*sql.DB
	for range 2 {
		d, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		dbs = append(dbs, d)
	}
	if _, err := dbs[0].Exec(`PRAGMA journal_mode=WAL`); err != nil {
		t.Fatal(err)
	}
	held, err := dbs[0].Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	tx, err := dbs[1].Begin()
	if err == nil {
		tx.Rollback()
		t.Fatal("a second writer began while the first held the lock")
	}
	return err
}

// logBuffer collects what the store logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTxRetry checks, on both databases, that a transaction the database
// aborts because of concurrent writers (a deadlock, a serialization
// failure, SQLite busy) is rolled back and run again, each abort logged at
// WARN with its attempt and counted; that one aborted on every attempt is
// a Busy error (503 busy) without the driver's text; and that other errors
// are not run again.
func TestTxRetry(t *testing.T) {
	busy := sqliteBusy(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		logs := &logBuffer{}
		db.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
		audits := func() int {
			t.Helper()
			var n int
			if err := db.Reader().Get(&n, `SELECT COUNT(*) FROM audit_log WHERE action = 'retry.test'`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// run runs a transaction that writes an audit entry and then fails
		// with the next of errs (nil: commits), and returns how often it
		// ran and its error.
		run := func(errs ...error) (int, error) {
			calls := 0
			err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				calls++
				if err := db.AuditIn(ctx, tx, store.System, "retry.test", "test", "1", nil); err != nil {
					return err
				}
				if calls <= len(errs) {
					return errs[calls-1]
				}
				return nil
			})
			return calls, err
		}
		deadlock := &pq.Error{Code: "40P01", Message: "deadlock detected"}
		serialization := &pq.Error{Code: "40001", Message: "could not serialize access due to concurrent update"}

		before := db.TxStats()
		calls, err := run(deadlock, apperr.Wrap(apperr.Internal, busy, "wrapped as the store wraps driver errors"))
		if err != nil || calls != 3 || audits() != 1 {
			t.Errorf("two aborts, then a commit: err %v, %d runs, %d entries; want nil, 3, 1", err, calls, audits())
		}
		s := db.TxStats()
		if s.Aborted.Deadlock-before.Aborted.Deadlock != 1 || s.Aborted.Busy-before.Aborted.Busy != 1 || s.Retried-before.Retried != 2 || s.GaveUp != before.GaveUp {
			t.Errorf("counted %+v after %+v; want a deadlock, a busy, 2 retried, none given up", s, before)
		}
		if l := logs.String(); strings.Count(l, "level=WARN") != 2 || !strings.Contains(l, "cause=deadlock attempt=1") || !strings.Contains(l, "cause=busy attempt=2") {
			t.Errorf("logged\n%s\nwant a warning for each abort with its cause and attempt", l)
		}

		calls, err = run(serialization, serialization, serialization, serialization, serialization)
		if !apperr.Is(err, apperr.Busy) || calls != 4 || audits() != 1 {
			t.Errorf("aborted every time: err %v (%v), %d runs, %d entries; want Busy, 4, still 1", err, apperr.KindOf(err), calls, audits())
		}
		if msg := apperr.PublicMessage(err); strings.Contains(msg, "serialize") || !strings.Contains(msg, "nothing was stored") {
			t.Errorf("public message %q", msg)
		}
		if !errors.Is(err, serialization) {
			t.Error("the driver's error is no longer the cause (the log needs it)")
		}
		if s2 := db.TxStats(); s2.GaveUp-s.GaveUp != 1 || s2.Aborted.Serialization-s.Aborted.Serialization != 4 || s2.Retried-s.Retried != 3 {
			t.Errorf("counted %+v after %+v; want 4 serialization failures, 3 retried, 1 given up", s2, s)
		}
		if !strings.Contains(logs.String(), "transaction given up") {
			t.Errorf("the last abort is not logged:\n%s", logs.String())
		}

		conflict := apperr.New(apperr.Conflict, "already there")
		if calls, err := run(conflict); !errors.Is(err, conflict) || calls != 1 {
			t.Errorf("a conflict: err %v, %d runs; want it, once", err, calls)
		}
	})
}
