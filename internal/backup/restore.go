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

// Restored describes a restore.
type Restored struct {
	From, To      string
	SchemaVersion int64  // of the restored database
	Before        string // where the database that was at To now is; "" if there was none
	Size          int64
}

// Restore puts the SQLite backup from at the path to. It refuses a from
// that is not a minyi SQLite database, fails its integrity check or has a
// schema newer than this binary (Invalid), and a to that something has
// open (Conflict: store.Quiesce says how that is told). The database at to
// is kept as to.before-restore-<time>; the new one is written beside it
// and renamed into place.
func Restore(ctx context.Context, from, to string) (Restored, error) {
	if to == "" {
		return Restored{}, apperr.New(apperr.Invalid, "--to is required: name the SQLite database file to restore into")
	}
	info, err := store.InspectFile(ctx, from)
	if err != nil {
		return Restored{}, err
	}
	if latest := store.SchemaVersion(); info.SchemaVersion > latest {
		return Restored{}, apperr.New(apperr.Invalid, "%s has schema version %d, newer than this minyi knows (%d): restore it with a newer minyi", from, info.SchemaVersion, latest)
	}
	if same(from, to) {
		return Restored{}, apperr.New(apperr.Invalid, "--to %s is the backup itself: name the database to restore into", to)
	}
	dir := filepath.Dir(to)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return Restored{}, apperr.New(apperr.Invalid, "--to %s: directory %s does not exist", to, dir)
	}
	st, err := os.Stat(to)
	exists := err == nil
	switch {
	case exists && st.IsDir():
		return Restored{}, apperr.New(apperr.Invalid, "--to %s is a directory: name the database file", to)
	case exists:
		// Before anything is written: nothing has the database open, and
		// its WAL is in the main file, which alone can then be moved aside.
		if err := store.Quiesce(ctx, to); err != nil {
			if errors.Is(err, store.ErrNotMinyi) {
				return Restored{}, apperr.New(apperr.Invalid, "--to %s exists and is not a SQLite database: it is left alone; name another file", to)
			}
			return Restored{}, err
		}
		if wal, err := os.Stat(to + "-wal"); err == nil && wal.Size() > 0 {
			return Restored{}, apperr.New(apperr.Conflict, "%s is in use (its WAL is not empty): stop minyi serve first", to)
		}
	case !errors.Is(err, os.ErrNotExist):
		return Restored{}, apperr.New(apperr.Invalid, "--to %s: %v", to, errors.Unwrap(err))
	default:
		if err := strayWAL(to); err != nil {
			return Restored{}, err
		}
	}

	tmp, err := tempBeside(to)
	if err != nil {
		return Restored{}, err
	}
	defer removeSQLite(tmp)
	os.Remove(tmp) // VACUUM INTO accepts an empty file, but CopyFile's reader is read-only: let it create the file
	if err := store.CopyFile(ctx, from, tmp); err != nil {
		return Restored{}, err
	}
	got, err := checkCopy(ctx, tmp)
	if err != nil {
		return Restored{}, err
	}
	r := Restored{From: from, To: to, SchemaVersion: got.SchemaVersion, Size: got.Size}
	if exists {
		r.Before = fmt.Sprintf("%s.before-restore-%s", to, time.Now().UTC().Format("20060102-150405"))
		if err := os.Rename(to, r.Before); err != nil {
			return Restored{}, apperr.Wrap(apperr.Internal, err, "cannot move %s aside", to)
		}
		// An empty WAL and the shared-memory index belong to the old file:
		// left beside the new one, SQLite would read them as its own.
		os.Remove(to + "-wal")
		os.Remove(to + "-shm")
	}
	if err := os.Rename(tmp, to); err != nil {
		return Restored{}, apperr.Wrap(apperr.Internal, err, "cannot put the restored database at %s (the previous one is at %s)", to, r.Before)
	}
	syncDir(dir)
	return r, nil
}
