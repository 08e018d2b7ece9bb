package store

import (
	"context"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/pressly/goose/v3"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/migrations"
)

// MigrationState describes where a database stands against the migrations
// this binary carries.
type MigrationState struct {
	Current int64       // version applied in the database (0 = empty)
	Latest  int64       // newest version this binary knows
	Pending []Migration // known, not yet applied, in order
}

// Migration is one migration file.
type Migration struct {
	Version int64
	Name    string
	Applied bool
}

// SchemaVersion returns the newest schema version this binary knows.
func SchemaVersion() int64 {
	v, _ := latestOnce()
	return v
}

var latestOnce = sync.OnceValues(func() (int64, error) {
	var latest int64
	for _, d := range []Dialect{SQLite, Postgres} {
		entries, err := fs.ReadDir(migrations.FS, string(d))
		if err != nil {
			return 0, err
		}
		var dl int64
		for _, e := range entries {
			v, err := strconv.ParseInt(strings.SplitN(e.Name(), "_", 2)[0], 10, 64)
			if err != nil {
				return 0, err
			}
			dl = max(dl, v)
		}
		if latest != 0 && dl != latest {
			return 0, apperr.New(apperr.Internal, "migrations: dialects disagree on the latest version (%d vs %d)", latest, dl)
		}
		latest = dl
	}
	return latest, nil
})

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, string(db.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectPostgres
	if db.dialect == SQLite {
		dialect = goose.DialectSQLite3
	}
	return goose.NewProvider(dialect, db.write.DB, sub,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	)
}

// Migrations reports the database's schema version against the binary's.
func (db *DB) Migrations(ctx context.Context) (MigrationState, error) {
	p, err := db.provider()
	if err != nil {
		return MigrationState{}, apperr.Wrap(apperr.Internal, err, "load migrations")
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return MigrationState{}, db.mapErr(err, "read migration status")
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return MigrationState{}, db.mapErr(err, "read schema version")
	}
	st := MigrationState{Current: cur, Latest: SchemaVersion()}
	for _, s := range statuses {
		if s.State != goose.StateApplied {
			st.Pending = append(st.Pending, Migration{Version: s.Source.Version, Name: path.Base(s.Source.Path)})
		}
	}
	return st, nil
}

// CheckSchema returns a Conflict error if the database was migrated by a
// newer minyi than this one, and an Invalid error naming the command to run
// if migrations are pending.
func (db *DB) CheckSchema(ctx context.Context) error {
	st, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	if st.Current > st.Latest {
		return apperr.New(apperr.Conflict, "database schema version %d is newer than this minyi knows (%d): upgrade minyi before using this database", st.Current, st.Latest)
	}
	if len(st.Pending) > 0 {
		return apperr.New(apperr.Invalid, "database schema is at version %d, this minyi needs %d: run 'minyi migrate up'", st.Current, st.Latest)
	}
	return nil
}

// SchemaReady is a cheap CheckSchema for readiness probes: one query on the
// read pool (on SQLite, goose's status would wait for the single writer
// connection, busy during a long import).
func (db *DB) SchemaReady(ctx context.Context) error {
	var v int64
	if err := db.read.GetContext(ctx, &v, db.Q("schema-version")); err != nil {
		return db.mapErr(err, "read schema version")
	}
	switch latest := SchemaVersion(); {
	case v > latest:
		return apperr.New(apperr.Conflict, "database schema version %d is newer than this minyi knows (%d)", v, latest)
	case v < latest:
		return apperr.New(apperr.Invalid, "database schema is at version %d, this minyi needs %d", v, latest)
	}
	return nil
}

// Migrate applies every pending migration and returns the ones applied. It
// refuses to touch a database whose schema is newer than the binary.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	st, err := db.Migrations(ctx)
	if err != nil {
		return nil, err
	}
	if st.Current > st.Latest {
		return nil, apperr.New(apperr.Conflict, "database schema version %d is newer than this minyi knows (%d): upgrade minyi before using this database", st.Current, st.Latest)
	}
	p, err := db.provider()
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "load migrations")
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, db.mapErr(err, "apply migrations")
	}
	out := make([]Migration, 0, len(res))
	for _, r := range res {
		out = append(out, Migration{Version: r.Source.Version, Name: path.Base(r.Source.Path), Applied: true})
	}
	return out, nil
}
