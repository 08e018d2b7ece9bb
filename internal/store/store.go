// Package store is minyi's database layer: one API over two dialects,
// SQLite (pure-Go modernc.org/sqlite, the embedded default) and PostgreSQL
// (lib/pq, for production). It owns connections, migrations, transactions,
// the named SQL queries in queries/*.sql and the mapping of driver errors to
// apperr kinds. Domain packages call its methods; nothing above it sees SQL
// or driver errors.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open minyi database. It is safe for concurrent use.
//
// SQLite allows one writer at a time, so DB keeps two pools there, as
// pocketbase does: a read pool with several connections and a write pool
// with exactly one, whose transactions start IMMEDIATE so that writers queue
// in Go instead of failing with SQLITE_BUSY. On PostgreSQL both are the same
// pool.
type DB struct {
	dialect Dialect
	read    *sqlx.DB
	write   *sqlx.DB
	queries map[string]string // rebound for the dialect
	// rawQueries are the same with ? placeholders, for the few queries that
	// splice in whitelisted identifiers or placeholder lists before binding.
	rawQueries map[string]string
	target     string // the URL without password, for messages

	// Prepared statements of the fieldwork path (stmtcache.go).
	readStmts, writeStmts stmtCache
	fieldMu               sync.Mutex
	field                 map[string]*sqlx.Stmt
	wantMu                sync.Mutex
	wantValues            map[int]bool // value-row inserts to prepare, by row count

	txs txCounters                  // aborted transactions (retry.go)
	log atomic.Pointer[slog.Logger] // SetLogger
}

// DefaultURL is the database used when none is configured: a SQLite file in
// the working directory.
const DefaultURL = "sqlite:minyi.db"

// ErrNoDatabase is the cause of the error Open returns, with the Existing
// option, for a SQLite file that does not exist.
var ErrNoDatabase = errors.New("no such database")

// OpenOption changes how Open opens a database.
type OpenOption func(*openOptions)

type openOptions struct {
	existing bool
}

// Existing makes Open refuse a SQLite file that does not exist (an Invalid
// error wrapping ErrNoDatabase, naming the absolute path) instead of
// creating an empty one. Every command but those that set a database up
// (serve, migrate up) opens with it, so that running one from the wrong
// directory does not leave a second, empty database behind.
func Existing() OpenOption { return func(o *openOptions) { o.existing = true } }

// Open connects to the database named by rawURL and checks that it answers.
// Accepted forms: postgres://… or postgresql://… (lib/pq URL), sqlite:PATH,
// file:PATH, or a plain file path. Open does not migrate; without Existing
// it creates a missing SQLite file.
func Open(ctx context.Context, rawURL string, opts ...OpenOption) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	d, target, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	var db *DB
	switch d {
	case Postgres:
		db, err = openPostgres(ctx, target)
	default:
		db, err = openSQLite(ctx, target, o.existing)
	}
	if err != nil {
		return nil, err
	}
	if db.queries, db.rawQueries, err = loadQueries(d); err != nil {
		db.Close()
		return nil, err
	}
	db.readStmts.pool, db.writeStmts.pool = db.read, db.write
	return db, nil
}

// ParseURL tells the dialect of a database URL and returns the driver's
// connection string (PostgreSQL) or file path (SQLite).
func ParseURL(rawURL string) (Dialect, string, error) {
	s := strings.TrimSpace(rawURL)
	if s == "" {
		return "", "", apperr.New(apperr.Invalid, "database URL is empty")
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", "", apperr.New(apperr.Invalid, "malformed PostgreSQL URL %q: want postgres://user@host:port/dbname?sslmode=disable", redact(s))
		}
		if _, err := pq.ParseURL(s); err != nil {
			return "", "", apperr.New(apperr.Invalid, "malformed PostgreSQL URL %q: %v", redact(s), err)
		}
		return Postgres, s, nil
	case strings.HasPrefix(lower, "sqlite:"), strings.HasPrefix(lower, "file:"):
		path := s[strings.Index(s, ":")+1:]
		path = strings.TrimPrefix(path, "//")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			return "", "", apperr.New(apperr.Invalid, "SQLite URL %q: options are not accepted; minyi sets them itself", s)
		}
		if path == "" {
			return "", "", apperr.New(apperr.Invalid, "SQLite URL %q names no file", s)
		}
		return SQLite, path, nil
	case strings.Contains(s, "://"):
		return "", "", apperr.New(apperr.Invalid, "unsupported database URL %q: use postgres://… or sqlite:FILE", redact(s))
	default:
		return SQLite, s, nil
	}
}

// redact removes a password from a URL for messages, even from a URL that
// does not parse.
func redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	sdb, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "malformed PostgreSQL URL %q", redact(dsn))
	}
	x := sqlx.NewDb(sdb, "postgres")
	x.SetMaxOpenConns(20)
	x.SetMaxIdleConns(10)
	x.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.PingContext(pctx); err != nil {
		x.Close()
		return nil, apperr.Wrap(apperr.Unavailable, err, "cannot reach PostgreSQL at %s", redact(dsn))
	}
	return &DB{dialect: Postgres, read: x, write: x, target: redact(dsn)}, nil
}

func openSQLite(ctx context.Context, path string, existing bool) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "bad SQLite path %q", path)
	}
	if _, err := os.Stat(abs); existing && errors.Is(err, os.ErrNotExist) {
		return nil, apperr.Wrap(apperr.Invalid, ErrNoDatabase, "there is no SQLite database at %s", abs)
	}
	dir := filepath.Dir(abs)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, apperr.New(apperr.Invalid, "cannot open SQLite database %s: directory %s does not exist", path, dir)
	}
	// Create (or check) the file ourselves: SQLite's own message for an
	// unwritable path is "out of memory".
	flags := os.O_RDWR | os.O_CREATE
	if existing {
		flags = os.O_RDWR
	}
	f, err := os.OpenFile(abs, flags, 0o600)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "cannot open SQLite database %s: %v", path, errors.Unwrap(err))
	}
	f.Close()

	// A 64 MiB page cache per connection and in-memory temporary files keep
	// bulk loads (a frame of a million households in one transaction) from
	// spilling pages to disk before the commit.
	const common = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_time_format=sqlite&_timezone=UTC"
	open := func(txlock string, conns int) (*sqlx.DB, error) {
		dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + common + "&_txlock=" + txlock
		x, err := sqlx.Open("sqlite", dsn)
		if err != nil {
			return nil, err
		}
		x.SetMaxOpenConns(conns)
		x.SetMaxIdleConns(conns)
		x.SetConnMaxLifetime(0)
		return x, nil
	}
	w, err := open("immediate", 1)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "cannot open SQLite database %s", path)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil || mode != "wal" {
		w.Close()
		if err == nil {
			err = fmt.Errorf("journal mode is %q", mode)
		}
		return nil, apperr.Wrap(apperr.Invalid, err, "cannot open SQLite database %s (is it a SQLite file, and writable?)", path)
	}
	r, err := open("deferred", 8)
	if err != nil {
		w.Close()
		return nil, apperr.Wrap(apperr.Internal, err, "cannot open SQLite database %s", path)
	}
	return &DB{dialect: SQLite, read: r, write: w, target: path}, nil
}

// Close closes every pool.
func (db *DB) Close() error {
	db.readStmts.close()
	db.writeStmts.close()
	err := db.read.Close()
	if db.write != db.read {
		if werr := db.write.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Target returns a printable name of the database (no password).
func (db *DB) Target() string { return db.target }

// Reader returns the pool for reads.
func (db *DB) Reader() *sqlx.DB { return db.read }

// Writer returns the pool for writes (on SQLite a single connection).
func (db *DB) Writer() *sqlx.DB { return db.write }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database not reachable")
	}
	return nil
}

// Q returns the SQL of the named query for this dialect; it panics on an
// unknown name, which is a programming error caught by the tests (every
// query is loaded at Open and checked by TestQueriesParse).
func (db *DB) Q(name string) string {
	q, ok := db.queries[name]
	if !ok {
		panic("store: unknown query " + name)
	}
	return q
}

// mapErr turns a driver error into an apperr.Error: constraint violations
// become Conflict or Invalid, no rows becomes NotFound, a closed or
// unreachable database Unavailable, a write aborted because of concurrent
// writers Busy (retry.go); anything else Internal. The driver's text
// stays in the hidden cause.
func (db *DB) mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "%s: not found", what) // the driver's "no rows" adds nothing
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.Wrap(apperr.Unavailable, err, "%s: cancelled", what)
	}
	if retryCause(err) != "" {
		return apperr.Wrap(apperr.Busy, err, errBusy)
	}
	switch constraintOf(err) {
	case uniqueViolation:
		return apperr.Wrap(apperr.Conflict, err, "%s: already exists", what)
	case foreignKeyViolation:
		return apperr.Wrap(apperr.Invalid, err, "%s: refers to something that does not exist or is still in use", what)
	case checkViolation:
		return apperr.Wrap(apperr.Invalid, err, "%s: value out of range", what)
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		return apperr.Wrap(apperr.Unavailable, err, "%s: database not reachable", what)
	}
	return apperr.Wrap(apperr.Internal, err, "%s", what)
}

type constraint int

const (
	noConstraint constraint = iota
	uniqueViolation
	foreignKeyViolation
	checkViolation
)

func constraintOf(err error) constraint {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		case "23514", "23502":
			return checkViolation
		}
		return noConstraint
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return checkViolation // a trigger's RAISE(ABORT) is a rule, like PostgreSQL's 23514
		}
	}
	return noConstraint
}
