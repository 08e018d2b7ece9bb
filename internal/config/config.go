// Package config holds minyi's settings: each one a flag with an
// environment-variable fallback and a default, in that order of precedence.
// The same table drives the flags, the environment lookup and the README's
// configuration table (a test keeps the README in step).
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the district's zone loads on machines without a zoneinfo database

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// Config is the resolved configuration of one minyi process.
type Config struct {
	Addr         string        // listen address
	DatabaseURL  string        // postgres://… or sqlite:FILE
	LogLevel     slog.Level    // debug, info, warn, error
	LogFormat    string        // text or json
	CookieSecret string        // signs session cookies; generated and stored in the database when empty
	BaseURL      string        // public base URL, e.g. https://minyi.example.gov.cn; empty = derived from Addr
	SessionTTL   time.Duration // lifetime of a login session
	AutoMigrate  bool          // serve applies pending migrations at start
	MinCell      int           // estimates with fewer respondents are flagged as small cells
	// TrustedProxies are the addresses whose X-Forwarded-For header is
	// believed; empty means the client address is the connection's.
	TrustedProxies []*net.IPNet
	NoDemo         bool // serve does not seed the demo district into a new database
	// Location is the district's time zone: every page shows its times
	// in it and draws its day boundaries in it (the database keeps UTC).
	Location *time.Location

	// HTTPS: at most one of the certificate files (TLSCert, TLSKey), a
	// local TLS directory ('minyi tls local') or ACME.
	TLSCert, TLSKey string
	TLSLocal        string
	ACMEDomains     []string
	ACMEEmail       string
	ACMECache       string
	ACMEDirectory   string
	// HTTPAddr is the plain-HTTP listener that redirects to HTTPS (and
	// answers ACME's HTTP-01 challenges); "" for none.
	HTTPAddr string
	// InsecureHTTP allows plain HTTP on an address other machines reach.
	InsecureHTTP bool

	// Rotating backups of a SQLite database written by serve (internal/backup).
	BackupEvery time.Duration // 0 = none
	BackupKeep  int
	BackupDir   string // resolved: backups/ beside the database when not set
}

// TLS reports whether serve speaks HTTPS itself.
func (c Config) TLS() bool { return c.TLSCert != "" || c.TLSLocal != "" || len(c.ACMEDomains) > 0 }

// IsLoopback reports whether a listen address is reachable from this
// machine only (127.0.0.0/8, ::1, localhost).
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Setting describes one configuration entry.
type Setting struct {
	Flag, Env, Default, Usage string
	// Scope says which commands read it: "all" or "serve".
	Scope string
}

// Settings lists every setting, in README order.
var Settings = []Setting{
	{"addr", "MINYI_ADDR", "127.0.0.1:8080", "address the HTTP server listens on", "serve"},
	{"db", "DATABASE_URL", store.DefaultURL, "database: postgres://user@host:5432/db?sslmode=disable, or sqlite:FILE", "all"},
	{"log-level", "MINYI_LOG_LEVEL", "info", "log level: debug, info, warn or error", "all"},
	{"log-format", "MINYI_LOG_FORMAT", "text", "log format: text or json", "all"},
	{"cookie-secret", "MINYI_COOKIE_SECRET", "", "secret (≥ 32 characters) that signs session cookies; generated and kept in the database when empty", "serve"},
	{"base-url", "MINYI_BASE_URL", "", "public base URL of the service (https://… behind a proxy); sets the Secure flag on cookies when https", "serve"},
	{"session-ttl", "MINYI_SESSION_TTL", "12h", "how long a login stays valid", "serve"},
	{"auto-migrate", "MINYI_AUTO_MIGRATE", "auto", "apply pending migrations at start: true, false, or auto (= true on SQLite, false on PostgreSQL)", "serve"},
	{"min-cell", "MINYI_MIN_CELL", "30", "estimates based on fewer respondents carry a small-cell warning", "serve"},
	{"trusted-proxies", "MINYI_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed; empty = the connection's address is the client's (login limits and the audit log use it)", "serve"},
	{"timezone", "MINYI_TIMEZONE", DefaultTimeZone, "the district's time zone (an IANA name such as Asia/Shanghai or Asia/Kolkata): every page shows its times and draws its days in it, as do the command line's listings and exports; the database keeps UTC", "all"},
	{"no-demo", "MINYI_NO_DEMO", "false", "do not seed the demo district (simulated rounds and demo accounts) into a new, empty database", "serve"},
	{"tls-cert", "MINYI_TLS_CERT", "", "HTTPS with the district's own certificate: its PEM file (the chain after it), with --tls-key; reloaded when the files change or on SIGHUP", "serve"},
	{"tls-key", "MINYI_TLS_KEY", "", "the private key (PEM) of --tls-cert", "serve"},
	{"tls-local", "MINYI_TLS_LOCAL", "", "HTTPS for an office LAN: the directory 'minyi tls local' wrote (its authority is offered at /ca.crt for the tablets to install)", "serve"},
	{"acme-domain", "MINYI_ACME_DOMAIN", "", "HTTPS with automatic certificates from an ACME authority (Let's Encrypt) for this public host name (comma-separated for several); needs port 80 or 443 reachable from the internet", "serve"},
	{"acme-email", "MINYI_ACME_EMAIL", "", "contact address given to the ACME authority (expiry notices)", "serve"},
	{"acme-cache", "MINYI_ACME_CACHE", "minyi-acme", "directory that keeps the ACME account key and certificates between starts", "serve"},
	{"acme-directory", "MINYI_ACME_DIRECTORY", "", "ACME directory URL of another authority (default: Let's Encrypt's)", "serve"},
	{"http-addr", "MINYI_HTTP_ADDR", "auto", "plain-HTTP listener that only redirects to HTTPS (and answers ACME challenges): host:port, off, or auto (= :80 when HTTPS is on and --addr is not loopback)", "serve"},
	{"insecure-http", "MINYI_INSECURE_HTTP", "false", "serve plain HTTP on an address other machines reach (refused otherwise: tablets get no offline app without HTTPS, and passwords travel in clear)", "serve"},
	{"backup-every", "MINYI_BACKUP_EVERY", "0", "SQLite: serve writes a backup this often (e.g. 6h; at least 1m) into --backup-dir; 0 = no rotating backups", "serve"},
	{"backup-keep", "MINYI_BACKUP_KEEP", "28", "how many of serve's rotating backups are kept (1 to 10000); older ones are removed", "serve"},
	{"backup-dir", "MINYI_BACKUP_DIR", "", "directory of serve's rotating backups; empty = backups/ beside the SQLite database", "serve"},
}

// Flags holds the string values of the flags before validation.
type Flags map[string]*string

// Register adds the settings of the given scope ("serve" gets all, anything
// else only the "all" ones) to fs, with defaults taken from the environment
// where set. Call Resolve after fs.Parse.
func Register(fs *flag.FlagSet, scope string, getenv func(string) string) Flags {
	r := Flags{}
	for _, s := range Settings {
		if s.Scope != "all" && s.Scope != scope {
			continue
		}
		def := s.Default
		if v, ok := lookup(getenv, s.Env); ok {
			def = v
		}
		if s.Default == "false" {
			// A switch: "--no-demo" alone means true.
			v := boolString(def)
			fs.Var(&v, s.Flag, s.Usage+" (env "+s.Env+")")
			r[s.Flag] = (*string)(&v)
			continue
		}
		r[s.Flag] = fs.String(s.Flag, def, s.Usage+" (env "+s.Env+")")
	}
	return r
}

// boolString is a string flag that may be given without a value, as a
// boolean flag (-flag means -flag=true); Resolve validates the value.
type boolString string

func (b *boolString) String() string     { return string(*b) }
func (b *boolString) Set(v string) error { *b = boolString(v); return nil }
func (b *boolString) IsBoolFlag() bool   { return true }

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// Resolve validates the parsed values and returns the configuration. Every
// problem is named by its flag and environment variable.
func (r Flags) Resolve() (Config, error) {
	c := Config{LogFormat: "text", SessionTTL: 12 * time.Hour, MinCell: 30, Location: mustZone(DefaultTimeZone)}
	problems := map[string]string{}
	get := func(name string) (string, bool) {
		p, ok := r[name]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(*p), true
	}
	bad := func(name, msg string) {
		for _, s := range Settings {
			if s.Flag == name {
				problems["--"+name+" / "+s.Env] = msg
			}
		}
	}
	if v, ok := get("addr"); ok {
		if _, _, err := net.SplitHostPort(v); err != nil {
			bad("addr", fmt.Sprintf("%q is not host:port", v))
		}
		c.Addr = v
	}
	if v, ok := get("db"); ok {
		if _, _, err := store.ParseURL(v); err != nil {
			bad("db", apperr.PublicMessage(err))
		}
		c.DatabaseURL = v
	}
	if v, ok := get("log-level"); ok {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("log-level", fmt.Sprintf("%q is not one of debug, info, warn, error", v))
		}
	}
	if v, ok := get("log-format"); ok {
		if v != "text" && v != "json" {
			bad("log-format", fmt.Sprintf("%q is not text or json", v))
		}
		c.LogFormat = v
	}
	if v, ok := get("cookie-secret"); ok {
		if v != "" && len(v) < 32 {
			bad("cookie-secret", "must be at least 32 characters")
		}
		c.CookieSecret = v
	}
	if v, ok := get("base-url"); ok && v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("base-url", fmt.Sprintf("%q is not an http(s) URL", v))
		}
		c.BaseURL = strings.TrimRight(v, "/")
	}
	if v, ok := get("session-ttl"); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > maxSessionTTL {
			bad("session-ttl", fmt.Sprintf("%q is not a duration from 1m to 720h (e.g. 12h)", v))
		}
		c.SessionTTL = d
	}
	if v, ok := get("auto-migrate"); ok {
		switch strings.ToLower(v) {
		case "auto":
			d, _, _ := store.ParseURL(c.DatabaseURL)
			c.AutoMigrate = d == store.SQLite
		case "true", "1", "yes":
			c.AutoMigrate = true
		case "false", "0", "no":
			c.AutoMigrate = false
		default:
			bad("auto-migrate", fmt.Sprintf("%q is not true, false or auto", v))
		}
	}
	if v, ok := get("min-cell"); ok {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 || n > maxMinCell || fmt.Sprint(n) != v {
			bad("min-cell", fmt.Sprintf("%q is not a whole number from 1 to 1000000", v))
		}
		c.MinCell = n
	}
	if v, ok := get("trusted-proxies"); ok && v != "" {
		nets, err := ParseProxies(v)
		if err != nil {
			bad("trusted-proxies", err.Error())
		}
		c.TrustedProxies = nets
	}
	if v, ok := get("timezone"); ok {
		loc, err := ParseZone(v)
		if err != nil {
			bad("timezone", apperr.PublicMessage(err))
		} else {
			c.Location = loc
		}
	}
	if v, ok := get("no-demo"); ok {
		switch strings.ToLower(v) {
		case "true", "1", "yes":
			c.NoDemo = true
		case "false", "0", "no", "":
			c.NoDemo = false
		default:
			bad("no-demo", fmt.Sprintf("%q is not true or false", v))
		}
	}
	c.resolveTLS(get, bad)
	resolveBackups(&c, get, bad)
	if len(problems) > 0 {
		return c, apperr.WithFields("invalid configuration", problems)
	}
	return c, nil
}

// resolveTLS reads the HTTPS settings: one way at most, a redirect
// listener, and no plain HTTP where other machines listen unless a proxy
// terminates TLS in front or it is asked for.
func (c *Config) resolveTLS(get func(string) (string, bool), bad func(name, msg string)) {
	c.TLSCert, _ = get("tls-cert")
	c.TLSKey, _ = get("tls-key")
	c.TLSLocal, _ = get("tls-local")
	if v, _ := get("acme-domain"); v != "" {
		for _, d := range strings.Split(v, ",") {
			if d = strings.TrimSpace(d); d != "" {
				c.ACMEDomains = append(c.ACMEDomains, strings.ToLower(d))
			}
		}
	}
	c.ACMEEmail, _ = get("acme-email")
	c.ACMECache, _ = get("acme-cache")
	c.ACMEDirectory, _ = get("acme-directory")
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert", "--tls-cert and --tls-key go together: the certificate and its key")
	}
	ways := 0
	for _, on := range []bool{c.TLSCert != "" || c.TLSKey != "", c.TLSLocal != "", len(c.ACMEDomains) > 0} {
		if on {
			ways++
		}
	}
	if ways > 1 {
		bad("acme-domain", "choose one way to HTTPS: --tls-cert/--tls-key, --tls-local or --acme-domain")
	}
	if c.ACMEDirectory != "" {
		if u, err := url.Parse(c.ACMEDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("acme-directory", fmt.Sprintf("%q is not an https URL", c.ACMEDirectory))
		}
	}
	if v, ok := get("insecure-http"); ok {
		switch strings.ToLower(v) {
		case "true", "1", "yes":
			c.InsecureHTTP = true
		case "false", "0", "no", "":
		default:
			bad("insecure-http", fmt.Sprintf("%q is not true or false", v))
		}
	}
	if v, ok := get("http-addr"); ok {
		switch v {
		case "auto", "":
			if c.TLS() && c.Addr != "" && !IsLoopback(c.Addr) {
				c.HTTPAddr = ":80"
			}
		case "off":
		default:
			if _, _, err := net.SplitHostPort(v); err != nil {
				bad("http-addr", fmt.Sprintf("%q is not host:port, off or auto", v))
			} else if !c.TLS() {
				bad("http-addr", "the redirect listener sends plain HTTP to HTTPS: it needs --tls-cert, --tls-local or --acme-domain")
			}
			c.HTTPAddr = v
		}
	}
	if c.Addr != "" && !IsLoopback(c.Addr) && !c.TLS() && !c.InsecureHTTP && !(len(c.TrustedProxies) > 0 && strings.HasPrefix(c.BaseURL, "https://")) {
		bad("addr", fmt.Sprintf("%s is reachable from other machines but minyi would speak plain HTTP there: tablets get no offline app without HTTPS and passwords travel in clear. "+
			"Make a certificate with 'minyi tls local --hosts …' and serve with --tls-local DIR (or --tls-cert/--tls-key, or --acme-domain); behind a proxy that terminates HTTPS give --trusted-proxies and --base-url https://…; or accept the risk with --insecure-http", c.Addr))
	}
}

// resolveBackups reads the settings of serve's rotating backups.
func resolveBackups(c *Config, get func(string) (string, bool), bad func(name, msg string)) {
	c.BackupKeep = 28
	d, path, _ := store.ParseURL(c.DatabaseURL)
	if v, ok := get("backup-every"); ok {
		e, err := time.ParseDuration(v)
		if v == "0" {
			e, err = 0, nil
		}
		switch {
		case err != nil || e < 0 || (e > 0 && e < time.Minute) || e > maxBackupEvery:
			bad("backup-every", fmt.Sprintf("%q is not 0 or a duration from 1m to 8760h (e.g. 6h)", v))
		case e > 0 && d == store.Postgres:
			bad("backup-every", "rotating backups are for SQLite; on PostgreSQL use 'minyi backup' (pg_dump) or base backups with WAL archiving")
		}
		c.BackupEvery = e
	}
	if v, ok := get("backup-keep"); ok {
		var n int
		switch _, err := fmt.Sscan(v, &n); {
		case err != nil || n < 1 || n > maxBackupKeep || fmt.Sprint(n) != v:
			bad("backup-keep", fmt.Sprintf("%q is not a whole number from 1 to %d", v, maxBackupKeep))
		case d == store.Postgres && v != "28":
			bad("backup-keep", "rotating backups are for SQLite; on PostgreSQL it does not apply")
		}
		c.BackupKeep = n
	}
	if v, ok := get("backup-dir"); ok {
		c.BackupDir = v
		switch {
		case v != "" && d == store.Postgres:
			bad("backup-dir", "rotating backups are for SQLite; on PostgreSQL it does not apply")
		case v == "" && d == store.SQLite:
			c.BackupDir = filepath.Join(filepath.Dir(path), "backups")
		}
	}
}

// Upper bounds of numeric settings: a session longer than 30 days is not a
// session, and a time that far ahead overflows time.Time arithmetic long
// before the duration itself does.
const (
	maxSessionTTL = 720 * time.Hour
	maxMinCell    = 1_000_000
	// A backup a year is the least that still rotates; 10000 kept backups
	// is more than a disk holds of any real district's database.
	maxBackupEvery = 8760 * time.Hour
	maxBackupKeep  = 10_000
)

// DefaultTimeZone is the district's time zone unless --timezone says
// otherwise: China's one zone, Beijing time.
const DefaultTimeZone = "Asia/Shanghai"

// ParseZone loads the district's time zone by its IANA name. Unlike
// time.LoadLocation it refuses "" and "Local" (the server's own zone, which
// would make the pages depend on the machine they run on).
func ParseZone(name string) (*time.Location, error) {
	var loc *time.Location
	err := errors.New("no zone")
	if name != "" && name != "Local" {
		loc, err = time.LoadLocation(name)
	}
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%q is not a time zone: give an IANA name such as Asia/Shanghai or Asia/Kolkata", name)
	}
	return loc, nil
}

func mustZone(name string) *time.Location {
	loc, err := ParseZone(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// ParseProxies reads a comma-separated list of IP addresses and CIDR
// ranges (192.0.2.10, 10.0.0.0/8, ::1). A plain address is a range of one.
func ParseProxies(v string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			_, n, err := net.ParseCIDR(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR range", item)
			}
			out = append(out, n)
			continue
		}
		ip := net.ParseIP(item)
		if ip == nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR range", item)
		}
		bits := 128
		if ip4 := ip.To4(); ip4 != nil {
			ip, bits = ip4, 32
		}
		out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
	}
	return out, nil
}

// Logger returns a slog logger writing to w in the configured format.
func (c Config) Logger(w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// MarkdownTable renders Settings as the README's configuration table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| flag | environment | default | meaning |\n|---|---|---|---|\n")
	for _, s := range Settings {
		def := s.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | `%s` | %s |\n", s.Flag, s.Env, def, s.Usage)
	}
	return b.String()
}

// DefaultLocation is DefaultTimeZone's location.
func DefaultLocation() *time.Location { return mustZone(DefaultTimeZone) }
