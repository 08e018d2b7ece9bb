package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestBackupFiles: a copy of a live database passes the checks, a file in
// use is refused until it is closed, and files that are not minyi
// databases are named as such.
func TestBackupFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(dir, "copy.db")
	if err := db.VacuumInto(ctx, cp); err != nil {
		t.Fatal(err)
	}
	info, err := store.InspectFile(ctx, cp)
	if err != nil || info.SchemaVersion != store.SchemaVersion() || info.Size == 0 {
		t.Fatalf("inspect copy = %+v, %v", info, err)
	}
	if err := store.Quiesce(ctx, path); !errors.Is(err, store.ErrInUse) || !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("quiesce of an open database = %v, want in use", err)
	}
	// The copy is not in use, and a copy of a copy is the same database.
	if err := store.Quiesce(ctx, cp); err != nil {
		t.Fatalf("quiesce of a closed copy: %v", err)
	}
	cp2 := filepath.Join(dir, "copy2.db")
	if err := store.CopyFile(ctx, cp, cp2); err != nil {
		t.Fatal(err)
	}
	if info, err := store.InspectFile(ctx, cp2); err != nil || info.SchemaVersion != store.SchemaVersion() {
		t.Fatalf("inspect copy of copy = %+v, %v", info, err)
	}
	db.Close()
	if err := store.Quiesce(ctx, path); err != nil {
		t.Fatalf("quiesce after close: %v", err)
	}
	for _, tt := range []struct{ name, content string }{{"empty", ""}, {"text", "hello, not a database at all\n"}} {
		p := filepath.Join(dir, tt.name)
		os.WriteFile(p, []byte(tt.content), 0o600)
		if _, err := store.InspectFile(ctx, p); !errors.Is(err, store.ErrNotMinyi) || !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v, want not a minyi database", tt.name, err)
		}
	}
	other := filepath.Join(dir, "other.db")
	odb, err := store.Open(ctx, "sqlite:"+other)
	if err != nil {
		t.Fatal(err)
	}
	odb.Close()
	if _, err := store.InspectFile(ctx, other); !errors.Is(err, store.ErrNotMinyi) {
		t.Errorf("unmigrated database: %v, want not a minyi database", err)
	}
}

// TestVacuumIntoDialects: the copy is SQLite's; on PostgreSQL it is
// refused as bad input (minyi backup runs pg_dump there instead).
func TestVacuumIntoDialects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.VacuumInto(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
		if db.Dialect() == store.SQLite && err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("VacuumInto on PostgreSQL = %v, want Invalid", err)
		}
	})
}
