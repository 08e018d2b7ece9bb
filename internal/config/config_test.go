package config

import (
	"flag"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func resolve(t *testing.T, scope string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs, scope, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Resolve()
}

func TestDefaults(t *testing.T) {
	c, err := resolve(t, "serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "sqlite:minyi.db" || c.LogLevel != slog.LevelInfo ||
		c.LogFormat != "text" || c.SessionTTL != 12*time.Hour || !c.AutoMigrate || c.MinCell != 30 || c.CookieSecret != "" {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestPrecedence(t *testing.T) {
	env := map[string]string{"MINYI_ADDR": "127.0.0.1:9000", "DATABASE_URL": "postgres://u@h/db", "MINYI_LOG_LEVEL": "debug"}
	// environment over default
	c, err := resolve(t, "serve", env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DatabaseURL != "postgres://u@h/db" || c.LogLevel != slog.LevelDebug {
		t.Fatalf("env: %+v", c)
	}
	if c.AutoMigrate {
		t.Fatal("auto-migrate must default to false on PostgreSQL")
	}
	// flag over environment
	c, err = resolve(t, "serve", env, "--addr", "127.0.0.1:9100", "--log-level", "warn", "--auto-migrate", "true")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.LogLevel != slog.LevelWarn || !c.AutoMigrate {
		t.Fatalf("flags: %+v", c)
	}
}

// --no-demo is a switch: alone it means true; the environment and an
// explicit value work as for the other settings.
func TestNoDemo(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want bool
	}{
		{want: false},
		{args: []string{"--no-demo"}, want: true},
		{args: []string{"--no-demo=false"}, want: false},
		{env: map[string]string{"MINYI_NO_DEMO": "true"}, want: true},
		{env: map[string]string{"MINYI_NO_DEMO": "true"}, args: []string{"--no-demo=false"}, want: false},
	} {
		c, err := resolve(t, "serve", tc.env, tc.args...)
		if err != nil || c.NoDemo != tc.want {
			t.Errorf("env %v args %v: NoDemo %v, %v", tc.env, tc.args, c.NoDemo, err)
		}
	}
}

func TestScope(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs, "migrate", func(string) string { return "" })
	if fs.Lookup("db") == nil || fs.Lookup("addr") != nil {
		t.Fatal("migrate must get --db but not --addr")
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{args: []string{"--addr", "8080"}, want: "--addr / MINYI_ADDR"},
		{env: map[string]string{"DATABASE_URL": "mysql://x"}, want: "--db / DATABASE_URL"},
		{env: map[string]string{"MINYI_LOG_LEVEL": "loud"}, want: "--log-level / MINYI_LOG_LEVEL"},
		{args: []string{"--log-format", "xml"}, want: "--log-format"},
		{args: []string{"--cookie-secret", "short"}, want: "at least 32"},
		{args: []string{"--base-url", "ftp://x"}, want: "--base-url"},
		{args: []string{"--session-ttl", "5s"}, want: "--session-ttl"},
		{args: []string{"--auto-migrate", "sometimes"}, want: "--auto-migrate"},
		{args: []string{"--min-cell", "0"}, want: "--min-cell"},
		{args: []string{"--min-cell", "3x"}, want: "--min-cell"},
		{args: []string{"--trusted-proxies", "10.0.0.1,proxy.local"}, want: "--trusted-proxies / MINYI_TRUSTED_PROXIES"},
		{env: map[string]string{"MINYI_TRUSTED_PROXIES": "10.0.0.0/33"}, want: "--trusted-proxies"},
		{args: []string{"--no-demo=maybe"}, want: "--no-demo / MINYI_NO_DEMO"},
		{env: map[string]string{"MINYI_NO_DEMO": "2"}, want: "--no-demo / MINYI_NO_DEMO"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := resolve(t, "serve", tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := resolve(t, "serve", nil)
	if err != nil || len(c.TrustedProxies) != 0 {
		t.Fatalf("default trusted proxies = %v, %v; want none", c.TrustedProxies, err)
	}
	c, err = resolve(t, "serve", map[string]string{"MINYI_TRUSTED_PROXIES": " 10.1.2.3, 192.168.0.0/16,::1 ,"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range c.TrustedProxies {
		got = append(got, n.String())
	}
	if strings.Join(got, " ") != "10.1.2.3/32 192.168.0.0/16 ::1/128" {
		t.Fatalf("trusted proxies = %v", got)
	}
	for ip, want := range map[string]bool{"10.1.2.3": true, "10.1.2.4": false, "192.168.7.7": true, "::1": true, "127.0.0.1": false} {
		in := false
		for _, n := range c.TrustedProxies {
			in = in || n.Contains(net.ParseIP(ip))
		}
		if in != want {
			t.Errorf("%s trusted = %v, want %v", ip, in, want)
		}
	}
}

// TestREADMETable keeps the README's configuration table equal to Settings.
func TestREADMETable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), MarkdownTable()) {
		t.Fatalf("README.md does not contain the configuration table; paste this:\n%s", MarkdownTable())
	}
}

// TestTimezone: the district's zone comes from --timezone, then
// MINYI_TIMEZONE, then Beijing time; a name the zone database does not know
// (or "Local", the machine's own) is a start error naming the setting.
func TestTimezone(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string // zone name, or "" for an error
	}{
		{want: "Asia/Shanghai"},
		{env: map[string]string{"MINYI_TIMEZONE": "Asia/Kolkata"}, want: "Asia/Kolkata"},
		{env: map[string]string{"MINYI_TIMEZONE": "Asia/Kolkata"}, args: []string{"--timezone", "Asia/Urumqi"}, want: "Asia/Urumqi"},
		{args: []string{"--timezone", "UTC"}, want: "UTC"},
		{args: []string{"--timezone", "Asia/Beijing"}},
		{args: []string{"--timezone", "Local"}},
		{args: []string{"--timezone", "+08:00"}},
		{env: map[string]string{"MINYI_TIMEZONE": "Mars/Olympus"}},
	} {
		c, err := resolve(t, "serve", tc.env, tc.args...)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "--timezone / MINYI_TIMEZONE") {
				t.Errorf("env %v args %v: err %v, want one naming --timezone / MINYI_TIMEZONE", tc.env, tc.args, err)
			}
			continue
		}
		if err != nil || c.Location == nil || c.Location.String() != tc.want {
			t.Errorf("env %v args %v: zone %v, %v; want %s", tc.env, tc.args, c.Location, err, tc.want)
		}
	}
}
