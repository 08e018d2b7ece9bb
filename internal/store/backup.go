package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The SQLite side of backups: a consistent copy of a live database, the
// checks of a copy, and whether a file is in use. internal/backup builds
// the commands (temporary files, renames, rotation) on these.

// ErrNotMinyi is the cause of InspectFile's error for a file that is not
// a minyi SQLite database.
var ErrNotMinyi = errors.New("not a minyi database")

// ErrInUse is the cause of LockFile's error for a database that another
// connection has open.
var ErrInUse = errors.New("database in use")

// VacuumInto writes a consistent copy of the SQLite database to path,
// which must not exist or be empty. It runs on the read pool: in WAL mode
// the copy is one read transaction's snapshot, and writers are not held
// up while it is made.
func (db *DB) VacuumInto(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return apperr.New(apperr.Invalid, "VACUUM INTO is for SQLite databases; this one is PostgreSQL")
	}
	if _, err := db.read.ExecContext(ctx, db.Q("vacuum-into"), path); err != nil {
		return db.mapErr(err, "copy database to "+path)
	}
	return nil
}

// FileInfo is what InspectFile learns of a SQLite file.
type FileInfo struct {
	SchemaVersion int64 // the highest applied goose migration
	Size          int64 // bytes of the main file
}

var sqliteQueries = sync.OnceValues(func() (map[string]string, error) {
	q, _, err := loadQueries(SQLite)
	return q, err
})

// openFile opens one connection to the SQLite file at path, without the
// store's pragmas: read-only unless rw. A file that does not begin with
// SQLite's header is refused before the driver sees it (the driver would
// otherwise make an empty database of an empty file, or answer "file is
// not a database" only at the first query).
func openFile(ctx context.Context, path string, rw bool) (*sql.Conn, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, apperr.New(apperr.Invalid, "cannot read %s: %v", path, errors.Unwrap(err))
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return nil, nil, apperr.Wrap(apperr.Invalid, ErrNotMinyi, "%s is not a SQLite database", path)
	}
	mode := "ro"
	if rw {
		mode = "rw"
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=" + mode + "&_pragma=busy_timeout(0)"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, apperr.Wrap(apperr.Internal, err, "open %s", path)
	}
	sdb.SetMaxOpenConns(1)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, nil, apperr.Wrap(apperr.Invalid, err, "cannot open %s as a SQLite database", path)
	}
	return conn, func() { conn.Close(); sdb.Close() }, nil
}

// InspectFile checks the SQLite file at path as a backup or a restore
// source: it must be a SQLite database with goose's version table (else an
// Invalid error wrapping ErrNotMinyi) that passes PRAGMA integrity_check
// (else Invalid, quoting SQLite's first complaint). The file is opened read
// only.
func InspectFile(ctx context.Context, path string) (FileInfo, error) {
	q, err := sqliteQueries()
	if err != nil {
		return FileInfo{}, err
	}
	conn, done, err := openFile(ctx, path, false)
	if err != nil {
		return FileInfo{}, err
	}
	defer done()
	var n int
	if err := conn.QueryRowContext(ctx, q["has-version-table"]).Scan(&n); err != nil {
		return FileInfo{}, apperr.Wrap(apperr.Invalid, ErrNotMinyi, "%s is not a readable SQLite database: %v", path, oneLineErr(err))
	}
	if n == 0 {
		return FileInfo{}, apperr.Wrap(apperr.Invalid, ErrNotMinyi, "%s is a SQLite database but not minyi's (it has no goose_db_version table)", path)
	}
	var info FileInfo
	if err := conn.QueryRowContext(ctx, q["schema-version"]).Scan(&info.SchemaVersion); err != nil {
		return FileInfo{}, apperr.Wrap(apperr.Invalid, err, "%s: cannot read the schema version", path)
	}
	rows, err := conn.QueryContext(ctx, q["integrity-check"])
	if err != nil {
		return FileInfo{}, apperr.Wrap(apperr.Invalid, err, "%s: integrity check failed", path)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return FileInfo{}, apperr.Wrap(apperr.Invalid, err, "%s: integrity check failed", path)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return FileInfo{}, apperr.Wrap(apperr.Invalid, err, "%s: integrity check failed: %v", path, oneLineErr(err))
	}
	if len(problems) > 0 {
		return FileInfo{}, apperr.New(apperr.Invalid, "%s fails SQLite's integrity check (%d problems; first: %s)", path, len(problems), oneLineErr(errors.New(problems[0])))
	}
	if st, err := os.Stat(path); err == nil {
		info.Size = st.Size()
	}
	return info, nil
}

// CopyFile writes a consistent copy of the SQLite file src to dst (which
// must not exist or be empty), reading src through a read-only connection,
// so that what its WAL holds is copied too and src is left as it was.
func CopyFile(ctx context.Context, src, dst string) error {
	q, err := sqliteQueries()
	if err != nil {
		return err
	}
	conn, done, err := openFile(ctx, src, false)
	if err != nil {
		return err
	}
	defer done()
	if _, err := conn.ExecContext(ctx, q["vacuum-into"], dst); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "cannot copy %s: %v", src, oneLineErr(err))
	}
	return nil
}

// Quiesce makes sure nothing else has the SQLite database at path open and
// folds its WAL into the main file, so that the file alone is the whole
// database and can be moved aside. A database that another connection (a
// running minyi serve, a command, the sqlite3 shell) holds open is refused
// with a Conflict wrapping ErrInUse.
//
// How: BEGIN EXCLUSIVE alone is no test in WAL mode (there it is the same
// as IMMEDIATE: it keeps writers out, not readers), and an idle serve has
// no transaction open. But every connection to a WAL database keeps a
// shared lock on the database file for as long as it is open, idle or
// not; with PRAGMA locking_mode=EXCLUSIVE, the next transaction asks for
// an exclusive lock on the file itself, which SQLite grants only when no
// other connection, in this process or another, has the file open. The
// lock is SQLite's own, so it sees serve, other minyi commands and the
// sqlite3 shell alike, needs nothing from serve, and cannot go stale as a
// lock file left by a killed process would. A checkpoint (TRUNCATE) first
// folds the WAL into the main file.
func Quiesce(ctx context.Context, path string) error {
	q, err := sqliteQueries()
	if err != nil {
		return err
	}
	conn, done, err := openFile(ctx, path, true)
	if err != nil {
		return err
	}
	defer done()
	inUse := func(err error) error {
		return apperr.Wrap(apperr.Conflict, ErrInUse, "%s is in use (is minyi serve running on it?): stop it first (%v)", path, oneLineErr(err))
	}
	// Checkpoint first, through shared memory like every other connection:
	// busy when a reader or writer is active.
	var busy, logged, moved int
	if err := conn.QueryRowContext(ctx, q["checkpoint-truncate"]).Scan(&busy, &logged, &moved); err != nil {
		return inUse(err)
	}
	if busy != 0 {
		return inUse(errors.New("a checkpoint could not finish"))
	}
	for _, name := range []string{"locking-mode-exclusive", "begin-exclusive", "commit"} {
		if _, err := conn.ExecContext(ctx, q[name]); err != nil {
			return inUse(err)
		}
	}
	return nil
}

func oneLineErr(err error) string {
	return strings.ReplaceAll(fmt.Sprint(err), "\n", " ")
}
