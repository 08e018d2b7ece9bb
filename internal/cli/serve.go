package cli

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

func serveCommand() *Command {
	c := &Command{Name: "serve", Usage: "serve [flags]", Summary: "Run the web service (API, dashboard, tablet app) until SIGINT or SIGTERM."}
	c.Run = func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, c)
		flags := config.Register(fs, "serve", env.Getenv)
		if err := parseOnlyFlags(fs, args); err != nil {
			return err
		}
		cfg, err := flags.Resolve()
		if err != nil {
			return err
		}
		return serve(ctx, env, cfg)
	}
	return c
}

func serve(ctx context.Context, env *Env, cfg config.Config) error {
	log := cfg.Logger(env.Stderr)
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.AutoMigrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		for _, m := range applied {
			log.Info("migrated", "version", m.Version, "name", m.Name)
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	secret := cfg.CookieSecret
	if secret == "" {
		if secret, err = db.SettingOrInit(ctx, "cookie_secret", auth.NewSecret()); err != nil {
			return err
		}
	}
	adminPassword, err := auth.EnsureAdmin(ctx, db)
	if err != nil {
		return err
	}
	if _, err := survey.EnsureShipped(ctx, db); err != nil {
		return err
	}
	srv, err := server.New(cfg, db, auth.NewService(db, secret, cfg.SessionTTL), log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "cannot listen on %s (is another minyi running?)", cfg.Addr)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + displayAddr(ln.Addr().String())
	}
	fmt.Fprintf(env.Stdout, "minyi is serving %s on %s\n", base, describeDB(db))
	if adminPassword != "" {
		fmt.Fprintf(env.Stdout, "\nFirst start: created the account 'admin' with password\n\n    %s\n\nIt is shown only this once. Log in at %s/login and keep it safe.\n\n", adminPassword, base)
	} else {
		fmt.Fprintf(env.Stdout, "Log in at %s/login (accounts: 'minyi user list'; reset a password: 'minyi user passwd NAME').\n", base)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect()))
	return srv.Serve(ctx, ln)
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func describeDB(db *store.DB) string {
	if db.Dialect() == store.SQLite {
		return "SQLite " + db.Target()
	}
	return "PostgreSQL " + strings.SplitN(db.Target(), "?", 2)[0]
}
