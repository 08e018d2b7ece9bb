package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/demo"
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

// seedDemo seeds the demo; a variable so that the serve tests can watch
// when it is called without paying for a whole demo each time.
var seedDemo = demo.Seed

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
	// The demo goes only into a new database: the one whose admin account
	// this start created.
	var seeded *demo.Result
	if adminPassword != "" && !cfg.NoDemo {
		fmt.Fprintln(env.Stdout, "New database: seeding the demo district (simulated fieldwork; start with --no-demo to skip it) …")
		start := time.Now()
		res, err := seedDemo(ctx, db, time.Now(), nil)
		if err != nil {
			return err
		}
		seeded = &res
		log.Info("demo seeded", "households", res.Households, "responses", res.Closed.Interviews+res.Open.Interviews, "took", time.Since(start).Round(time.Millisecond))
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
		if seeded != nil {
			printDemo(env, base, *seeded)
		}
	} else {
		fmt.Fprintf(env.Stdout, "Log in at %s/login (accounts: 'minyi user list'; reset a password: 'minyi user passwd NAME').\n", base)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect()))
	return srv.Serve(ctx, ln)
}

// printDemo says what the demo holds and prints its accounts' passwords,
// once, beside the admin's.
func printDemo(env *Env, base string, r demo.Result) {
	fmt.Fprintf(env.Stdout, "Demo: a simulated district of 8 streets (%d households). Round %q is closed with %d simulated interviews;\n"+
		"round %q is in fieldwork, %d of %d households done. Demo accounts (passwords shown only this once):\n\n",
		r.Households, demo.ClosedRound, r.Closed.Interviews, demo.OpenRound, r.Open.Final, r.Open.Assignments)
	for _, a := range r.Accounts {
		who := a.Role
		if a.Street != "" {
			who += ", " + a.Street
		}
		fmt.Fprintf(env.Stdout, "    %-17s %s  (%s)\n", a.Username, a.Password, who)
	}
	fmt.Fprintf(env.Stdout, "\nOpen first: %s/login as demo-analyst, then the closed round's estimates by street at\n%s/api/v1/rounds/1/estimates?by=street\n\n", base, base)
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
