package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
)

func backupCommand() *Command {
	c := &Command{Name: "backup", Usage: "backup --to FILE [--force] [flags]",
		Summary: "Write a checked copy of the database to FILE while serve runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump -Fc)."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		flags := config.Register(fs, c.Name, env.Getenv)
		to := fs.String("to", "", "the file to write (required); its directory must exist")
		force := fs.Bool("force", false, "replace FILE if it exists")
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		if *to == "" {
			return apperr.New(apperr.Invalid, "backup: --to is required: name the file to write (see 'minyi help backup')")
		}
		cfg, err := flags.Resolve()
		if err != nil {
			return err
		}
		db, err := store.Open(ctx, cfg.DatabaseURL, store.Existing())
		if errors.Is(err, store.ErrNoDatabase) {
			return noDatabase(err, cfg.DatabaseURL)
		}
		if err != nil {
			return err
		}
		defer db.Close()
		var res backup.Result
		if db.Dialect() == store.SQLite {
			res, err = backup.SQLite(ctx, db, *to, *force)
		} else {
			st, serr := db.Migrations(ctx)
			if serr != nil {
				return serr
			}
			res, err = backup.Postgres(ctx, cfg.DatabaseURL, *to, *force, st.Current)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backup of %s written to %s\n", describeDB(db), res)
		return nil
	}
	return c
}

func restoreCommand() *Command {
	c := &Command{Name: "restore", Usage: "restore FILE --to minyi.db",
		Summary: "Put a SQLite backup in place of a database that nothing has open; the old one is kept beside it."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		to := fs.String("to", "", "the SQLite database file to restore into (required): a path or sqlite:PATH; stop minyi serve on it first")
		first, rest := splitFirst(args)
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		from, err := oneArg(fs, first, "backup file", c.Usage)
		if err != nil {
			return err
		}
		if *to == "" {
			return apperr.New(apperr.Invalid, "restore: --to is required: name the SQLite database file to restore into (see 'minyi help restore')")
		}
		d, path, err := store.ParseURL(*to)
		if err != nil {
			return apperr.New(apperr.Invalid, "restore: --to: %s", apperr.PublicMessage(err))
		}
		if d != store.SQLite {
			return apperr.New(apperr.Invalid, "restore: --to must be a SQLite file; restore a PostgreSQL dump with pg_restore")
		}
		r, err := backup.Restore(ctx, from, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "restored %s to %s (schema version %d, %d bytes)\n", r.From, r.To, r.SchemaVersion, r.Size)
		if r.Before != "" {
			fmt.Fprintf(env.Stdout, "the database that was there is now %s\n", r.Before)
		}
		if latest := store.SchemaVersion(); r.SchemaVersion < latest {
			fmt.Fprintf(env.Stdout, "its schema is older than this minyi's (%d): run 'minyi migrate up --db sqlite:%s' next (serve on SQLite does it at start)\n", latest, r.To)
		}
		return nil
	}
	return c
}

// startBackups starts serve's rotating backups when configured, and returns
// the function that stops them and waits for a backup in progress to end
// (before the database is closed).
func startBackups(ctx context.Context, cfg config.Config, db *store.DB, log *slog.Logger) (stop func()) {
	if cfg.BackupEvery <= 0 || db.Dialect() != store.SQLite {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		backup.Run(ctx, db, backup.Rotation{Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep}, log)
	})
	log.Info("backups", "dir", cfg.BackupDir, "every", cfg.BackupEvery, "keep", cfg.BackupKeep)
	return func() { cancel(); wg.Wait() }
}
