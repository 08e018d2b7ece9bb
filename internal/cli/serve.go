package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/certs"
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
	// Listen first: a busy port is reported before anything is written to
	// the database (a first start's admin password would otherwise be made
	// and never shown).
	ln, err := listen(cfg.Addr, "--addr or MINYI_ADDR")
	if err != nil {
		return err
	}
	defer ln.Close()
	// HTTPS: the certificates load (or are refused) before the database
	// is touched too.
	secure, err := httpsOf(ctx, cfg, log)
	if err != nil {
		return err
	}
	if secure != nil {
		ln = tls.NewListener(ln, secure.config)
		if warning := secure.warning(); warning != "" {
			log.Warn(warning)
			fmt.Fprintln(env.Stderr, "minyi: warning: "+warning)
		}
	}
	var plain net.Listener
	if cfg.HTTPAddr != "" {
		if plain, err = listen(cfg.HTTPAddr, "--http-addr or MINYI_HTTP_ADDR"); err != nil {
			return err
		}
		defer plain.Close()
	}
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
	if secure != nil && secure.keypair != nil {
		srv.SetCertificate(secure.keypair.Leaf)
	}
	base := cfg.BaseURL
	scheme := "http://"
	if secure != nil {
		scheme = "https://"
	}
	if base == "" {
		base = scheme + displayAddr(ln.Addr().String())
	}
	fmt.Fprintf(env.Stdout, "minyi is serving %s on %s\n", base, describeDB(db))
	if !config.IsLoopback(cfg.Addr) {
		if urls := networkURLs(scheme, ln.Addr().String()); len(urls) > 0 {
			fmt.Fprintf(env.Stdout, "Tablets and PCs on the network: %s (tablet app: %s/t/)\n", strings.Join(urls, ", "), urls[0])
		}
	}
	if plain != nil {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		var h http.Handler = certs.Redirect(port)
		if secure != nil && secure.acme != nil {
			h = secure.acme.HTTPHandler(h)
		}
		go servePlain(ctx, plain, h, log)
		log.Info("redirecting plain HTTP to HTTPS", "addr", plain.Addr().String())
	}
	if secure != nil && secure.keypair != nil {
		go secure.keypair.Watch(ctx, certWatchInterval)
		go reloadOnHangup(ctx, secure.keypair)
	}
	if adminPassword != "" {
		fmt.Fprintf(env.Stdout, "\nFirst start: created the account 'admin' with password\n\n    %s\n\nIt is shown only this once. Log in at %s/login and keep it safe.\n\n", adminPassword, base)
		if seeded != nil {
			printDemo(env, base, *seeded)
		}
	} else {
		fmt.Fprintf(env.Stdout, "Log in at %s/login (accounts: 'minyi user list'; reset a password: 'minyi user passwd NAME').\n", base)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect()))
	stopBackups := startBackups(ctx, cfg, db, log) // rotating backups (backup.go); stopped before db closes
	defer stopBackups()
	return srv.Serve(ctx, ln)
}

// listen opens a TCP port of the server. A port in use is a conflict with
// another process (exit 1), not bad input; an address that is not this
// machine's is bad input (exit 2). Either way the message is one line,
// naming the address and the setting that chooses it.
func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, apperr.New(apperr.Conflict, "cannot listen on %s: the port is already in use (is another minyi running?); choose another with %s", addr, setting)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, apperr.New(apperr.Invalid, "cannot listen on %s: the address is not one of this machine's; choose another with %s", addr, setting)
	case errors.Is(err, syscall.EACCES):
		return nil, apperr.New(apperr.Forbidden, "cannot listen on %s: permission denied (ports below 1024 need privileges); choose another with %s", addr, setting)
	default:
		return nil, apperr.New(apperr.Unavailable, "cannot listen on %s: %v", addr, oneLine(err))
	}
}

// oneLine keeps the last part of a net error ("listen tcp …: bind: x"), which
// says what went wrong without repeating the address.
func oneLine(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.ReplaceAll(msg, "\n", " ")
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
	fmt.Fprintf(env.Stdout, "\nOpen first: %s/login as demo-analyst, then the closed round's dashboard (four rates, league table of streets)\nat %s/rounds/1 and its printable report at %s/rounds/1/report\n\n", base, base, base)
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
