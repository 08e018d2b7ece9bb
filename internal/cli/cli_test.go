package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/msgs"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestMain(m *testing.M) {
	auth.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// lockedBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// migrated opens a new database of dialect d with minyi's schema; the
// caller seeds it and closes it before the commands run.
func migrated(t *testing.T, d store.Dialect) (*store.DB, string) {
	t.Helper()
	url := storetest.URL(t, d)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, url
}

// runCLI runs the command line with a fixed environment and returns its
// output and error.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb lockedBuffer
	err := Run(context.Background(), args, &Env{
		Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin),
		Getenv: func(k string) string { return env[k] },
	})
	return out.String(), errb.String(), err
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"serve", "--db", "mysql://x"}, "--db / DATABASE_URL"},
		{[]string{"migrate", "sideways"}, `unknown action "sideways"`},
		{[]string{"user", "add", "--username", "x y", "--role", "king"}, "--role"},
		{[]string{"sample", "size", "--margin", "0.05", "extra", "--deff", "4"}, `unexpected argument "extra"`},
		{[]string{"serve", "now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, _, err := runCLI(t, nil, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want %q and exit 2", err, ExitCode(err), tt.want)
			}
			if strings.Contains(err.Error(), "goroutine") || strings.Count(err.Error(), "\n") > 0 {
				t.Fatalf("error must be one line: %q", err)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	out, _, err := runCLI(t, nil, "", "help")
	if err != nil || !strings.Contains(out, "serve") || !strings.Contains(out, "migrate") {
		t.Fatalf("help = %q, %v", out, err)
	}
	out, _, err = runCLI(t, nil, "", "help", "serve")
	if err != nil || !strings.Contains(out, "-addr") || !strings.Contains(out, "MINYI_ADDR") || strings.Count(out, "usage:") != 1 {
		t.Fatalf("help serve = %q, %v", out, err)
	}
	out, _, err = runCLI(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "minyi ") || !strings.Contains(out, "schema") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

func TestDatabaseErrors(t *testing.T) {
	tests := []struct {
		name, url string
		want      string
		exit      int
	}{
		{"malformed postgres URL", "postgres://u@h:port/db", "malformed PostgreSQL URL", 2},
		{"unreachable postgres", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "cannot reach PostgreSQL", 1},
		{"unwritable sqlite path", "sqlite:" + filepath.Join(t.TempDir(), "no", "such", "dir", "m.db"), "does not exist", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, map[string]string{"DATABASE_URL": tt.url}, "", "migrate", "up")
			if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != tt.exit {
				t.Fatalf("err = %v (exit %d), want %q, exit %d", err, ExitCode(err), tt.want, tt.exit)
			}
		})
	}
}

// TestMissingDatabaseFile: every command but serve and migrate up refuses a
// SQLite file that is not there, naming the path and the setting, and
// creates nothing.
func TestMissingDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "minyi.db")
	env := map[string]string{"DATABASE_URL": "sqlite:" + path}
	commands := [][]string{
		{"migrate", "status"},
		{"migrate"},
		{"user", "list"},
		{"user", "add", "--username", "li.wei", "--role", "analyst"},
		{"user", "passwd", "li.wei"},
		{"user", "disable", "li.wei"},
		{"user", "enable", "li.wei"},
		{"user", "set-role", "li.wei", "--role", "analyst"},
		{"frame", "list"},
		{"sample", "list"},
		{"sample", "show", "x"},
		{"sample", "export", "x"},
		{"sample", "size", "--margin", "0.05"},
		{"survey", "list"},
		{"survey", "show", "wenming-household"},
		{"survey", "publish", "wenming-household"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := runCLI(t, env, "", args...)
			if err == nil || ExitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want exit 2", err, ExitCode(err))
			}
			for _, want := range []string{path, "--db", "DATABASE_URL", "minyi migrate up"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q does not name %q", err, want)
				}
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("%s was created (stat: %v)", path, err)
			}
		})
	}
	// The default URL is relative to the working directory: the message
	// gives the absolute path minyi looked at.
	t.Chdir(dir)
	_, _, err := runCLI(t, map[string]string{}, "", "frame", "list")
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `"sqlite:minyi.db"`) {
		t.Fatalf("default database: %v", err)
	}
	// migrate up creates it; then the others open it.
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, env, "", "frame", "list"); err != nil {
		t.Fatalf("frame list after migrate up: %v", err)
	}
}

func TestMigrateAndUsers(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			if d == store.SQLite { // an empty file, as a first open leaves it
				_, path, _ := store.ParseURL(env["DATABASE_URL"])
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, _, err := runCLI(t, env, "", "migrate", "status")
			if err != nil || !strings.Contains(out, "pending") {
				t.Fatalf("status before = %q, %v", out, err)
			}
			_, _, err = runCLI(t, env, "", "user", "list")
			if err == nil || !strings.Contains(err.Error(), "minyi migrate up") {
				t.Fatalf("user list on an unmigrated database: %v", err)
			}
			out, _, err = runCLI(t, env, "", "migrate", "up")
			if err != nil || !strings.Contains(out, "applied 00001") || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate up = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "user", "add", "--username", "li.wei", "--role", "analyst", "--name", "李伟")
			if err != nil || !strings.Contains(out, "added user li.wei") {
				t.Fatalf("user add = %q, %v", out, err)
			}
			pw := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
			if len(pw) != 2 || len(pw[1]) != 16 {
				t.Fatalf("no generated password in %q", out)
			}
			_, _, err = runCLI(t, env, "", "user", "add", "--username", "li.wei", "--role", "admin")
			if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("duplicate user: %v", err)
			}
			_, _, err = runCLI(t, env, "", "user", "add", "--username", "sup", "--role", "supervisor", "--street", "城关街道")
			if err == nil || !strings.Contains(err.Error(), "import the frame first") {
				t.Fatalf("supervisor of unknown street: %v", err)
			}
			_, _, err = runCLI(t, env, "", "user", "add", "--username", "zhang", "--role", "interviewer")
			if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "--street") {
				t.Fatalf("interviewer without a street: %v", err)
			}
			// Issue 23: characters counted, not bytes; common, sequential,
			// repeated and personal passwords refused, saying why.
			for pw, why := range map[string]string{"short": "at least 10 characters", "一二三四": "(this has 4)", "password123": "too easy to guess",
				"qwertyuiop": "too easy to guess", "aaaaaaaaaa": "too easy to guess", "zhangzhang": "username", "zhang-office-2026": "username"} {
				_, _, err = runCLI(t, env, pw+"\n", "user", "add", "--username", "zhang", "--role", "analyst", "--password-stdin")
				zh := message(err, "zh-CN")
				if ExitCode(err) != 2 || !strings.Contains(err.Error(), why) || !strings.Contains(zh, "太容易被猜到") && !strings.Contains(zh, "字符") && !strings.Contains(zh, "用户名") {
					t.Errorf("user add with password %q: %v (zh-CN: %s), want %q, and why in Chinese under a zh locale", pw, err, zh, why)
				}
			}
			out, _, err = runCLI(t, env, "a-long-enough-password\n", "user", "add", "--username", "zhang", "--role", "analyst", "--password-stdin")
			if err != nil || strings.Contains(out, "password:") {
				t.Fatalf("user add stdin = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "user", "list")
			if err != nil || !strings.Contains(out, "李伟") || !strings.Contains(out, "zhang") {
				t.Fatalf("user list = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "user", "passwd", "zhang")
			if err != nil || !strings.Contains(out, "password: ") {
				t.Fatalf("passwd = %q, %v", out, err)
			}
			_, _, err = runCLI(t, env, "", "user", "passwd", "nobody")
			if err == nil || ExitCode(err) != 2 {
				t.Fatalf("passwd unknown = %v", err)
			}
			// The same rule for a new password.
			if _, _, err = runCLI(t, env, "1234567890\n", "user", "passwd", "zhang", "--password-stdin"); ExitCode(err) != 2 || !strings.Contains(err.Error(), "too easy to guess") {
				t.Errorf("passwd 1234567890 = %v", err)
			}
			if _, _, err = runCLI(t, env, "tablet-Qm4x-harbour\n", "user", "passwd", "zhang", "--password-stdin"); err != nil {
				t.Errorf("passwd with a good password = %v", err)
			}
		})
	}
}

// TestServe runs `minyi serve` on a free port: it migrates the new SQLite
// file, prints the URL and a generated admin password once, answers
// /readyz and the login with that password, and stops cleanly on cancel.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	// The demo has its own test (TestServeDemo).
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "minyi.db"), "MINYI_ADDR": "127.0.0.1:0", "MINYI_NO_DEMO": "true"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, &Env{Stdout: out, Stderr: errb, Getenv: func(k string) string { return env[k] }})
	}()
	var url, pw string
	for range 200 {
		if m := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(out.String()); m != nil {
			if p := regexp.MustCompile(`password\s+(\S+)`).FindStringSubmatch(out.String()); p != nil {
				url, pw = m[1], p[1]
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if url == "" {
		t.Fatalf("serve printed no URL and password:\n%s", out.String())
	}
	res, err := http.Get(url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res, err = http.Post(url+"/api/v1/login", "application/json", strings.NewReader(`{"username":"admin","password":"`+pw+`"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("login with the printed password: %v %v", res, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}

	// A second start prints no password: the admin exists.
	ctx2, cancel2 := context.WithCancel(context.Background())
	out2 := &lockedBuffer{}
	done2 := make(chan error, 1)
	go func() {
		done2 <- Run(ctx2, []string{"serve"}, &Env{Stdout: out2, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }})
	}()
	for range 200 {
		if strings.Contains(out2.String(), "Log in at") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out2.String(), "password") && !strings.Contains(out2.String(), "reset a password") {
		t.Fatalf("second start printed a password:\n%s", out2.String())
	}
	if !strings.Contains(out2.String(), "Log in at") {
		t.Fatalf("second start output:\n%s", out2.String())
	}
}

// TestServeRefusesNewerSchema: a database migrated by a newer minyi is not
// served.
func TestServeRefusesNewerSchema(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", store.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, _, err = runCLI(t, map[string]string{"DATABASE_URL": url, "MINYI_ADDR": "127.0.0.1:0"}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "newer than this minyi") {
		t.Fatalf("serve on newer schema = %v", err)
	}
}

// The terminal's language follows LC_ALL, LC_MESSAGES and LANG (the
// first set); a zh locale gets the messages in Chinese, fields and causes
// included, anything else English.
func TestMessageLanguage(t *testing.T) {
	for _, c := range []struct{ lcAll, lang, want string }{
		{"", "zh_CN.UTF-8", "zh-CN"}, {"", "en_US.UTF-8", "en"}, {"", "", "en"}, {"C", "zh_CN.UTF-8", "en"}, {"zh_TW.UTF-8", "C", "zh-CN"},
	} {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		if got := Lang(); got != c.want {
			t.Errorf("LC_ALL=%q LANG=%q: %s, want %s", c.lcAll, c.lang, got, c.want)
		}
	}
	err := apperr.Wrap(apperr.Invalid, apperr.New(apperr.Conflict, "another frame import finished at the same time; try again"),
		"token create: %s", "x")
	zh, _ := msgs.Load()
	want := zh.Localize("token create: x", "zh-CN").Text + ": " + zh.Localize("another frame import finished at the same time; try again", "zh-CN").Text
	if got := message(err, "zh-CN"); got != want || strings.Contains(got, "another frame") || got == message(err, "en") {
		t.Errorf("zh-CN: %q, want %q", got, want)
	}
	if got := message(err, "en"); got != "token create: x: another frame import finished at the same time; try again" {
		t.Errorf("en: %q", got)
	}
}
