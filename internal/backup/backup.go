// Package backup makes, checks and restores copies of minyi's database:
// `minyi backup` (SQLite: a consistent copy made while serve writes;
// PostgreSQL: pg_dump), `minyi restore` (SQLite), the copy `migrate up`
// keeps of a SQLite file before it changes it, and the rotating backups of
// `serve --backup-every`. Every file is written beside its destination
// under a temporary name, checked, and renamed into place, so a reader
// never sees half a backup and a failed run leaves nothing behind.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// Result describes a written backup.
type Result struct {
	File          string
	Size          int64
	SchemaVersion int64
	Took          time.Duration
	// Copy is the part of Took spent copying (SQLite: the VACUUM INTO, the
	// one read transaction on the live database); the rest is the checks
	// of the copy, which read only the copy.
	Copy time.Duration
}

// String is the line the commands print.
func (r Result) String() string {
	return fmt.Sprintf("%s: %s, schema version %d, took %s", r.File, humanSize(r.Size), r.SchemaVersion, r.Took.Round(time.Millisecond))
}

// SQLite writes a consistent copy of the SQLite database db to file while
// others go on writing to it: VACUUM INTO a temporary file beside file,
// PRAGMA integrity_check and the schema version of the copy, then a rename
// into place. An existing file is kept (an Invalid error) unless force.
func SQLite(ctx context.Context, db *store.DB, file string, force bool) (Result, error) {
	start := time.Now()
	if db.Dialect() != store.SQLite {
		return Result{}, apperr.New(apperr.Invalid, "backup: the database is PostgreSQL; use backup.Postgres")
	}
	if err := checkDest(file, force); err != nil {
		return Result{}, err
	}
	if same(file, db.Target()) {
		return Result{}, apperr.New(apperr.Invalid, "--to %s is the database itself: name another file", file)
	}
	st, err := db.Migrations(ctx)
	if err != nil {
		return Result{}, err
	}
	tmp, err := tempBeside(file)
	if err != nil {
		return Result{}, err
	}
	defer removeSQLite(tmp) // a no-op once renamed
	if err := db.VacuumInto(ctx, tmp); err != nil {
		return Result{}, err
	}
	copied := time.Since(start)
	info, err := checkCopy(ctx, tmp)
	if err != nil {
		return Result{}, err
	}
	if info.SchemaVersion != st.Current {
		return Result{}, apperr.New(apperr.Internal, "backup: the copy has schema version %d, the database %d", info.SchemaVersion, st.Current)
	}
	if err := install(tmp, file, force); err != nil {
		return Result{}, err
	}
	return Result{File: file, Size: info.Size, SchemaVersion: info.SchemaVersion, Took: time.Since(start), Copy: copied}, nil
}

// checkCopy checks a fresh copy and makes it durable before it is renamed
// into place (VACUUM INTO does not sync the file it writes).
func checkCopy(ctx context.Context, tmp string) (store.FileInfo, error) {
	if err := syncFile(tmp); err != nil {
		return store.FileInfo{}, err
	}
	info, err := store.InspectFile(ctx, tmp)
	if err != nil {
		return info, apperr.Wrap(apperr.Internal, err, "backup: the copy fails its check")
	}
	return info, nil
}

// checkDest refuses a destination that exists (unless force) or whose
// directory does not.
func checkDest(file string, force bool) error {
	if file == "" {
		return apperr.New(apperr.Invalid, "--to is required: name the file to write")
	}
	dir := filepath.Dir(file)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return apperr.New(apperr.Invalid, "--to %s: directory %s does not exist", file, dir)
	}
	st, err := os.Stat(file)
	switch {
	case err == nil && st.IsDir():
		return apperr.New(apperr.Invalid, "--to %s is a directory: name a file", file)
	case err == nil && !force:
		return apperr.New(apperr.Invalid, "--to %s exists: name a new file, or add --force to replace it", file)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return apperr.New(apperr.Invalid, "--to %s: %v", file, errors.Unwrap(err))
	}
	return strayWAL(file)
}

// strayWAL refuses to put a database where a WAL file of another one is
// left (a database deleted without its -wal): SQLite would read that WAL
// as the new file's and apply its pages to it.
func strayWAL(file string) error {
	if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() {
		return nil // its own WAL, if any: Quiesce or the backup deals with it
	}
	if _, err := os.Stat(file + "-wal"); err == nil {
		return apperr.New(apperr.Invalid, "--to %s: %s-wal is there without its database (left from a deleted one?): move it away first", file, file)
	}
	return nil
}

// tempBeside returns the name of a new, empty file in file's directory,
// so that the final rename does not cross file systems.
func tempBeside(file string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return "", apperr.New(apperr.Invalid, "cannot write beside %s: %v", file, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return name, nil
}

// install renames tmp to file. Without force it links instead, which
// fails if file has appeared meanwhile, so that nothing is overwritten.
func install(tmp, file string, force bool) error {
	var err error
	if force {
		err = os.Rename(tmp, file)
	} else if err = os.Link(tmp, file); err == nil {
		os.Remove(tmp)
	} else if errors.Is(err, os.ErrExist) {
		return apperr.New(apperr.Invalid, "--to %s exists: name a new file, or add --force to replace it", file)
	}
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "cannot put the backup at %s", file)
	}
	return syncDir(filepath.Dir(file))
}

// removeSQLite removes a SQLite file with its WAL and shared-memory files.
func removeSQLite(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "sync %s", path)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return apperr.Wrap(apperr.Internal, err, "sync %s", path)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	d.Sync() // not every file system syncs directories; the rename is done either way
	return nil
}

// same reports whether two paths name the same file (one may not exist).
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	aa, _ := filepath.Abs(a)
	ab, _ := filepath.Abs(b)
	return aa == ab
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// BeforeMigrate copies the SQLite database db to <file>.before-<version>
// (with the time added if that name is taken) before migrations change it,
// and returns the copy's name.
func BeforeMigrate(ctx context.Context, db *store.DB, version int64) (string, error) {
	name := fmt.Sprintf("%s.before-%d", db.Target(), version)
	if _, err := os.Stat(name); err == nil {
		name += "." + time.Now().UTC().Format("20060102-150405")
	}
	if _, err := SQLite(ctx, db, name, false); err != nil {
		return "", err
	}
	return name, nil
}
