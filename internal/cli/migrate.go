package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

func migrateCommand() *Command {
	c := &Command{Name: "migrate", Usage: "migrate up|status [flags]", Summary: "Apply pending database migrations and install the shipped questionnaires (up), or show where the schema stands (status)."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		flags := config.Register(fs, "migrate", env.Getenv)
		// The action may come before or after the flags.
		var action string
		if len(args) > 0 && !isFlag(args[0]) {
			action, args = args[0], args[1:]
		}
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		rest := fs.Args()
		if action == "" && len(rest) > 0 {
			action, rest = rest[0], rest[1:]
		}
		if action == "" {
			action = "status"
		}
		if (action != "up" && action != "status") || len(rest) > 0 {
			return apperr.New(apperr.Invalid, "migrate: unknown action %q: use 'migrate up' or 'migrate status'", strings.Join(append([]string{action}, rest...), " "))
		}
		cfg, err := flags.Resolve()
		if err != nil {
			return err
		}
		// Only "up" creates a database; "status" of a file that is not there
		// says so instead of creating an empty one.
		var opts []store.OpenOption
		if action != "up" {
			opts = append(opts, store.Existing())
		}
		db, err := store.Open(ctx, cfg.DatabaseURL, opts...)
		if errors.Is(err, store.ErrNoDatabase) {
			return noDatabase(err, cfg.DatabaseURL)
		}
		if err != nil {
			return err
		}
		defer db.Close()
		if action == "up" {
			if err := copyBeforeMigrate(ctx, env, db); err != nil {
				return err
			}
			applied, err := db.Migrate(ctx)
			if err != nil {
				return err
			}
			for _, m := range applied {
				fmt.Fprintf(env.Stdout, "applied %05d %s\n", m.Version, m.Name)
			}
			// As serve does at every start: a migrated database has the
			// shipped questionnaires, so the command line can use them
			// before the service has ever run.
			installed, err := survey.EnsureShipped(ctx, db)
			if err != nil {
				return err
			}
			for _, v := range installed {
				fmt.Fprintf(env.Stdout, "installed questionnaire %s version %d\n", v.Slug, v.Version)
			}
		}
		st, err := db.Migrations(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s: schema version %d, this minyi knows %d", describeDB(db), st.Current, st.Latest)
		switch {
		case st.Current > st.Latest:
			fmt.Fprintln(env.Stdout, " — the database is newer than this binary: upgrade minyi")
		case len(st.Pending) > 0:
			fmt.Fprintf(env.Stdout, ", %d pending:\n", len(st.Pending))
			for _, m := range st.Pending {
				fmt.Fprintf(env.Stdout, "  pending %05d %s\n", m.Version, m.Name)
			}
		default:
			fmt.Fprintln(env.Stdout, ", up to date")
		}
		return nil
	}
	return c
}

// copyBeforeMigrate keeps a copy of a SQLite database that migrations are
// about to change, as <file>.before-<version>: a migration that fails half
// way, or a binary that turns out wrong, can then be undone with
// 'minyi restore'. A new database (version 0) has nothing to keep.
func copyBeforeMigrate(ctx context.Context, env *Env, db *store.DB) error {
	if db.Dialect() != store.SQLite {
		return nil
	}
	st, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	if st.Current == 0 || st.Current > st.Latest || len(st.Pending) == 0 {
		return nil
	}
	name, err := backup.BeforeMigrate(ctx, db, st.Current)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "copied the database at schema version %d to %s before migrating (undo with 'minyi restore %s --to %s')\n", st.Current, name, name, db.Target())
	return nil
}
