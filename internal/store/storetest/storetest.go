// Package storetest gives tests fresh, migrated databases of every dialect
// minyi supports: SQLite always, PostgreSQL when MINYI_TEST_POSTGRES holds a
// URL. Each PostgreSQL test gets a schema of its own, dropped afterwards, so
// tests can run in parallel against one server. In CI (CI=true) a missing
// MINYI_TEST_POSTGRES fails the test instead of leaving PostgreSQL untested.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver for the admin connection

	"github.com/minyi-survey/minyi/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL test URL.
const EnvPostgres = "MINYI_TEST_POSTGRES"

// Dialects returns the dialects under test. It fails t in CI when
// PostgreSQL is not configured.
func Dialects(t testing.TB) []store.Dialect {
	ds := []store.Dialect{store.SQLite}
	if os.Getenv(EnvPostgres) != "" {
		ds = append(ds, store.Postgres)
	} else if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: in CI the store tests must run on PostgreSQL too", EnvPostgres)
	}
	return ds
}

// Each runs fn as a subtest named after each dialect, with a fresh migrated
// database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of dialect d, closed and removed
// when t ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	db := OpenEmpty(t, d)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// OpenEmpty is Open without migrating.
func OpenEmpty(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// URL returns the URL of a fresh, empty database of dialect d: a file in a
// temporary directory for SQLite, a new schema for PostgreSQL.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "minyi.db")
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Fatalf("%s is not set", EnvPostgres)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "minyi_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres at %s: create schema: %v", base, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer a.Close()
		if _, err := a.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Street returns the id of the street called name, creating it (code and
// name alike, as a frame import would) when it is new: for tests that need
// a supervisor or an interviewer, who belong to a street. Its id is
// 1000 above the highest so far, clear of the small ids that SeedRound and
// frame imports in the same test use.
func Street(t testing.TB, db *store.DB, name string) int64 {
	t.Helper()
	ctx := context.Background()
	if s, err := db.StreetByName(ctx, name); err == nil {
		return s.ID
	}
	w := db.Writer()
	if _, err := w.ExecContext(ctx, w.Rebind("INSERT INTO streets (id, code, name, created_at) SELECT COALESCE(MAX(id), 0) + 1000, ?, ?, ? FROM streets"), name, name, time.Now().UTC()); err != nil {
		t.Fatalf("street %s: %v", name, err)
	}
	s, err := db.StreetByName(ctx, name)
	if err != nil {
		t.Fatalf("street %s: %v", name, err)
	}
	return s.ID
}
