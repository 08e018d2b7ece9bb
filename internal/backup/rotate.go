package backup

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// Rotation is the schedule of serve's backups.
type Rotation struct {
	Dir   string        // where the backups go; made if missing
	Every time.Duration // time between backups
	Keep  int           // how many of the newest are kept
}

// nameLayout is the time in a rotating backup's name (UTC), e.g.
// minyi-20261206-091500.db: names sort in time order.
const nameLayout = "20060102-150405"

var nameRE = regexp.MustCompile(`^minyi-(\d{8}-\d{6})\.db$`)

// Last describes the newest rotating backup in a directory: what the
// administrator's dashboard shows (time and size, in red when older than
// twice the interval).
type Last struct {
	File string
	Time time.Time // when it was started, from its name
	Size int64
}

// Latest returns the newest rotating backup in dir; ok is false when
// there is none (or dir does not exist).
func Latest(dir string) (last Last, ok bool, err error) {
	names, err := rotated(dir)
	if err != nil || len(names) == 0 {
		return Last{}, false, err
	}
	name := names[len(names)-1]
	t, _ := time.Parse(nameLayout, nameRE.FindStringSubmatch(name)[1])
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return Last{}, false, err
	}
	return Last{File: filepath.Join(dir, name), Time: t, Size: st.Size()}, true, nil
}

// rotated lists the rotating backups in dir, oldest first. Other files
// are not minyi's to delete and are left out.
func rotated(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && nameRE.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Rotate writes one backup of db, named after now, into r.Dir and removes
// all but the newest r.Keep backups there.
func Rotate(ctx context.Context, db *store.DB, r Rotation, now time.Time) (Result, error) {
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return Result{}, apperr.Wrap(apperr.Invalid, err, "--backup-dir %s cannot be made", r.Dir)
	}
	res, err := SQLite(ctx, db, filepath.Join(r.Dir, "minyi-"+now.UTC().Format(nameLayout)+".db"), false)
	if err != nil {
		return Result{}, err
	}
	names, err := rotated(r.Dir)
	if err != nil {
		return res, err
	}
	for len(names) > max(r.Keep, 1) {
		if err := os.Remove(filepath.Join(r.Dir, names[0])); err != nil {
			return res, err
		}
		names = names[1:]
	}
	return res, nil
}

// Run makes backups on r's schedule until ctx is done, logging each. The
// first is due one interval after the newest backup already in r.Dir (at
// once when there is none), so that restarts of serve do not postpone
// backups for ever.
func Run(ctx context.Context, db *store.DB, r Rotation, log *slog.Logger) {
	next := time.Now()
	if last, ok, _ := Latest(r.Dir); ok && last.Time.Before(next) {
		next = last.Time.Add(r.Every) // a name in the future (a clock set back) does not count
	}
	for {
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		now := time.Now()
		res, err := Rotate(ctx, db, r, now)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("backup failed", "dir", r.Dir, "err", err)
		default:
			log.Info("backup written", "file", res.File, "bytes", res.Size, "schema", res.SchemaVersion, "took", res.Took.Round(time.Millisecond))
		}
		next = now.Add(r.Every)
	}
}
