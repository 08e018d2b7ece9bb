package main

// TestREADME runs every command of README.md, so that the README cannot
// drift from the binary again.
//
// What a ```sh block of the README may contain (anything else fails the
// test, and commands may not hide in ```bash, ```shell or ```console
// blocks: use ```sh for commands, ``` or ```text for output):
//
//   - blank lines and comments (# …); a line may end in a comment;
//   - a command continued on the next line with a trailing backslash;
//   - `make build`: the test has built bin/minyi once, as the Makefile does;
//   - `make run`, or `bin/minyi serve [flags]`, with or without a trailing
//     &: the test starts the server in the background on a free port
//     (MINYI_ADDR=127.0.0.1:0; a --addr or --http-addr the line gives, such
//     as a production 0.0.0.0:8443, becomes 127.0.0.1:0, and URLs with the
//     --addr port in later lines, https://192.168.1.10:8443, the server's
//     URL), waits for its
//     "minyi is serving URL" line and stops it with SIGINT at the end of the
//     block, when it must exit 0. Later lines of the block get the variables
//     MINYI_URL (the server's URL) and ADMIN_PASSWORD (the password the
//     first start printed), and http://127.0.0.1:8080 in them is replaced by
//     the server's URL, so a README line can show the real default address;
//   - `bin/minyi …`: run by bash in the block's directory (quotes,
//     redirections into files, variables work) and must exit 0;
//   - `curl …`: only after a server was started in the block; run as
//     `curl --fail-with-body --silent --show-error …`, so an HTTP error
//     fails the test; a cookie jar (-c jar -b jar) works, since the lines of
//     a block share their directory;
//   - the district's own resources, named as a district would name them,
//     are stood in for: /etc/minyi/cert.pem and /etc/minyi/key.pem become a
//     certificate for minyi.example.gov.cn and 127.0.0.1 that the test made
//     (its authority is curl's CURL_CA_BUNDLE), https://minyi.example.gov.cn
//     the server's URL, and postgres://minyi@db.internal:5432/minyi?… a new
//     database on MINYI_TEST_POSTGRES (dropped afterwards); a block naming
//     db.internal fails without MINYI_TEST_POSTGRES when CI is set, and is
//     skipped, saying so, otherwise;
//   - a line whose comment contains [not run by the README test: REASON] is
//     skipped (the reason is required); a block whose first line is such a
//     comment is skipped whole. Keep these rare.
//
// Each block is a session of its own, as on a fresh checkout after
// `make build`: a new temporary directory holding bin/minyi (the built
// binary) and surveys/ (the repository's), no minyi.db, and an environment
// without DATABASE_URL and MINYI_* variables. The lines of a block run in
// order and share that directory, its database and its server.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/certs"
)

const repoRoot = "../.."

// serveWait bounds how long a README server may take to say where it
// serves (make run seeds the demo into a new database first).
const serveWait = 3 * time.Minute

// stepKind says how the test runs one README line.
type stepKind int

const (
	stepRun   stepKind = iota // bin/minyi …: must exit 0
	stepServe                 // make run / bin/minyi serve: start in the background
	stepCurl                  // curl against the block's server
	stepBuilt                 // make build: already done
	stepSkip                  // marked [not run by the README test: …]
)

// step is one command of a block.
type step struct {
	kind   stepKind
	line   int    // in README.md, of the command's first line
	cmd    string // as bash runs it (for serve: the minyi command)
	reason string // of a skip
	// port is a server's --addr port in the README (8443 of
	// --addr 0.0.0.0:8443): the test listens on a loopback port of its own
	// instead and puts its URL in place of https://ANY-HOST:8443 in the
	// block's later lines.
	port string
}

// block is one ```sh block of the README.
type block struct {
	line  int // of the opening fence
	lines []string
}

var (
	shellFences = regexp.MustCompile("^```(bash|shell|console|zsh|sh-session|shell-session)\\s*$")
	skipMarker  = regexp.MustCompile(`\[not run by the README test:([^\]]*)\]`)
	// The listen addresses of a README server (production ports such as
	// 0.0.0.0:8443 and :80), which the test replaces with loopback ports.
	listenFlag = regexp.MustCompile(`^--(addr|http-addr)$`)
	listenArg  = regexp.MustCompile(`(--(?:addr|http-addr))[ =]\S+`)
)

// shBlocks returns the ```sh blocks of a Markdown text; a command in a
// block of another shell language is an error, so nothing escapes the test.
func shBlocks(md string) ([]block, error) {
	var out []block
	var cur *block
	for i, l := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, l)
		case trimmed == "```sh":
			cur = &block{line: i + 1}
		case shellFences.MatchString(trimmed):
			return nil, fmt.Errorf("README.md:%d: write commands in ```sh blocks (this test runs them), not %s", i+1, trimmed)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("README.md:%d: ```sh block is not closed", cur.line)
	}
	return out, nil
}

// splitComment separates a shell line into its command and its trailing
// comment (a # at the start or after a blank, outside quotes).
func splitComment(l string) (cmd, comment string) {
	var quote rune
	prev := ' '
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return strings.TrimSpace(l[:i]), l[i+1:]
		}
		prev = r
	}
	return strings.TrimSpace(l), ""
}

// plan turns a block into steps, or says which line it cannot run.
func plan(b block) ([]step, error) {
	var steps []step
	served := false
	for i := 0; i < len(b.lines); i++ {
		lineNo := b.line + 1 + i
		text := b.lines[i]
		for strings.HasSuffix(strings.TrimRight(text, " \t"), "\\") && i+1 < len(b.lines) {
			i++
			text = strings.TrimSuffix(strings.TrimRight(text, " \t"), "\\") + " " + strings.TrimSpace(b.lines[i])
		}
		cmd, comment := splitComment(text)
		if m := skipMarker.FindStringSubmatch(comment); m != nil {
			reason := strings.TrimSpace(m[1])
			if len(reason) < 3 {
				return nil, fmt.Errorf("README.md:%d: [not run by the README test: …] needs a reason", lineNo)
			}
			if cmd == "" && len(steps) == 0 { // the block's first line: skip it all
				return []step{{kind: stepSkip, line: lineNo, reason: reason}}, nil
			}
			steps = append(steps, step{kind: stepSkip, line: lineNo, cmd: cmd, reason: reason})
			continue
		}
		if cmd == "" {
			continue
		}
		bg := strings.HasSuffix(cmd, "&") && !strings.HasSuffix(cmd, "&&")
		bare := strings.TrimSpace(strings.TrimSuffix(cmd, "&"))
		fields := strings.Fields(bare)
		switch {
		case bare == "make build":
			steps = append(steps, step{kind: stepBuilt, line: lineNo, cmd: bare})
		case bare == "make run":
			steps = append(steps, step{kind: stepServe, line: lineNo, cmd: "bin/minyi serve"})
			served = true
		case fields[0] == "bin/minyi" && len(fields) > 1 && fields[1] == "serve":
			st := step{kind: stepServe, line: lineNo, cmd: bare}
			for k, f := range fields {
				if !listenFlag.MatchString(f) || k+1 >= len(fields) {
					continue
				}
				_, port, err := net.SplitHostPort(fields[k+1])
				if err != nil || port == "0" {
					return nil, fmt.Errorf("README.md:%d: %s takes host:port, e.g. 0.0.0.0:8443", lineNo, f)
				}
				if f == "--addr" {
					st.port = port
				}
			}
			st.cmd = listenArg.ReplaceAllString(bare, "$1 127.0.0.1:0")
			steps = append(steps, st)
			served = true
		case bg:
			return nil, fmt.Errorf("README.md:%d: only the server may run in the background: %q", lineNo, cmd)
		case fields[0] == "bin/minyi":
			steps = append(steps, step{kind: stepRun, line: lineNo, cmd: cmd})
		case fields[0] == "curl":
			if !served {
				return nil, fmt.Errorf("README.md:%d: curl needs a server started earlier in the same block (make run or bin/minyi serve)", lineNo)
			}
			steps = append(steps, step{kind: stepCurl, line: lineNo, cmd: "curl --fail-with-body --silent --show-error" + strings.TrimPrefix(cmd, "curl")})
		default:
			return nil, fmt.Errorf("README.md:%d: the README test does not know how to run %q (see the comment at the top of cmd/minyi/readme_test.go)", lineNo, cmd)
		}
	}
	return steps, nil
}

func TestREADMEHarness(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		kinds []stepKind
		err   string
	}{
		{"commands", []string{"# a comment", "", "make build", "bin/minyi migrate up   # creates minyi.db", `bin/minyi sample export "a # b" > 样本.csv`}, []stepKind{stepBuilt, stepRun, stepRun}, ""},
		{"continued", []string{"bin/minyi estimate --data x.csv \\", "    --vars a,b"}, []stepKind{stepRun}, ""},
		{"server and curl", []string{"make run &", "curl http://127.0.0.1:8080/readyz", "bin/minyi serve --log-level debug"}, []stepKind{stepServe, stepCurl, stepServe}, ""},
		{"skipped line", []string{"make test   # everything [not run by the README test: it runs inside make test]"}, []stepKind{stepSkip}, ""},
		{"skipped block", []string{"# [not run by the README test: needs PostgreSQL]", "rm -rf /"}, []stepKind{stepSkip}, ""},
		{"skip without reason", []string{"make test # [not run by the README test: ]"}, nil, "needs a reason"},
		{"unknown command", []string{"rm -rf minyi.db"}, nil, "does not know how to run"},
		{"unknown make target", []string{"make lint"}, nil, "does not know how to run"},
		{"curl without server", []string{"curl http://127.0.0.1:8080/readyz"}, nil, "needs a server"},
		{"other background job", []string{"bin/minyi frame list &"}, nil, "background"},
		{"production port", []string{"bin/minyi serve --addr 0.0.0.0:8443 --tls-local tls --http-addr=:80 &", "curl --cacert tls/ca.crt https://192.168.1.10:8443/readyz"}, []stepKind{stepServe, stepCurl}, ""},
		{"port without host", []string{"bin/minyi serve --addr 9000 &"}, nil, "host:port"},
	}
	for _, tt := range tests {
		steps, err := plan(block{line: 1, lines: tt.lines})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var kinds []stepKind
		for _, s := range steps {
			kinds = append(kinds, s.kind)
		}
		if fmt.Sprint(kinds) != fmt.Sprint(tt.kinds) {
			t.Errorf("%s: kinds %v, want %v", tt.name, kinds, tt.kinds)
		}
	}
	if _, err := shBlocks("text\n```bash\nrm -rf /\n```\n"); err == nil {
		t.Error("a ```bash block was accepted")
	}
	bs, err := shBlocks("```sh\nmake run\n```\n\n```\noutput\n```\n```sh\nbin/minyi version\n```\n")
	if err != nil || len(bs) != 2 || bs[1].line != 8 || bs[1].lines[0] != "bin/minyi version" {
		t.Errorf("shBlocks = %+v, %v", bs, err)
	}
}

// TestREADME runs the README's ```sh blocks as described at the top of this
// file.
func TestREADME(t *testing.T) {
	md, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	checkMakefile(t)
	blocks, err := shBlocks(string(md))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```sh blocks")
	}
	var plans [][]step
	for _, b := range blocks {
		steps, err := plan(b)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, steps)
	}
	bin := buildMinyi(t)
	for i, b := range blocks {
		t.Run(fmt.Sprintf("line%d", b.line), func(t *testing.T) {
			runBlock(t, bin, plans[i])
		})
	}
}

// checkMakefile makes sure the make targets the test stands in for do what
// it does: build cmd/minyi into bin/minyi, and run `bin/minyi serve`.
func checkMakefile(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BIN     := bin/minyi", "-o $(BIN) ./cmd/minyi", "run: build\n\t./$(BIN) serve\n"} {
		if !strings.Contains(string(mk), want) {
			t.Fatalf("the Makefile no longer has %q: update the README test's stand-ins for make build and make run", want)
		}
	}
}

// buildMinyi compiles the binary once.
func buildMinyi(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "minyi")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// sessionEnv is the process environment without minyi's own settings.
func sessionEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATABASE_URL=") || strings.HasPrefix(kv, "MINYI_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runBlock runs one block's steps in a fresh directory.
func runBlock(t *testing.T, bin string, steps []step) {
	dir := t.TempDir()
	repo, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, filepath.Join(dir, "bin", "minyi")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repo, "surveys"), filepath.Join(dir, "surveys")); err != nil {
		t.Fatal(err)
	}
	env := sessionEnv()
	district := newDistrict(t, dir, steps)
	env = append(env, district.env...)
	var srv *server
	defer func() {
		if srv != nil {
			srv.stop(t)
		}
	}()
	for _, s := range steps {
		switch s.kind {
		case stepSkip:
			t.Logf("README.md:%d: not run: %s", s.line, s.reason)
		case stepBuilt:
		case stepServe:
			if srv != nil {
				srv.stop(t)
			}
			s.cmd = district.rewrite(s.cmd)
			srv = startServer(t, dir, env, s)
			srv.public = nil
			if s.port != "" {
				srv.public = regexp.MustCompile(`https?://[A-Za-z0-9.\-\[\]:]+:` + s.port + `\b`)
			}
			env = append(env, "MINYI_URL="+srv.url, "ADMIN_PASSWORD="+srv.password)
		case stepRun, stepCurl:
			cmd := district.rewrite(s.cmd)
			if srv != nil {
				cmd = strings.ReplaceAll(cmd, "http://127.0.0.1:8080", srv.url)
				cmd = strings.ReplaceAll(cmd, "https://minyi.example.gov.cn", srv.url)
				if srv.public != nil {
					cmd = srv.public.ReplaceAllString(cmd, srv.url)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			c := exec.CommandContext(ctx, "bash", "-c", cmd)
			c.Dir, c.Env = dir, env
			out, err := c.CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("README.md:%d: %s\nfailed: %v\n%s", s.line, s.cmd, err, out)
			}
		}
	}
}

// district stands in for a district's own resources in a block: its
// certificate files and its PostgreSQL.
type district struct {
	env  []string
	repl *strings.Replacer
}

const (
	districtTLS = "/etc/minyi/"
	districtDB  = "postgres://minyi@db.internal:5432/minyi?sslmode=require"
)

func newDistrict(t *testing.T, dir string, steps []step) district {
	t.Helper()
	var all strings.Builder
	for _, s := range steps {
		if s.kind != stepSkip {
			all.WriteString(s.cmd + "\n")
		}
	}
	var d district
	var pairs []string
	if strings.Contains(all.String(), districtTLS) {
		tlsDir := filepath.Join(dir, "etc-minyi")
		if _, err := certs.MakeLocal(tlsDir, []string{"minyi.example.gov.cn", "127.0.0.1", "localhost"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if certs.CertFile != "cert.pem" || certs.KeyFile != "key.pem" {
			t.Fatal("the README's /etc/minyi/cert.pem and key.pem are no longer what tls local writes")
		}
		pairs = append(pairs, districtTLS, tlsDir+"/")
		d.env = append(d.env, "CURL_CA_BUNDLE="+filepath.Join(tlsDir, certs.CAFile))
	}
	if strings.Contains(all.String(), "db.internal") {
		pairs = append(pairs, districtDB, districtDatabase(t))
	}
	d.repl = strings.NewReplacer(pairs...)
	return d
}

func (d district) rewrite(cmd string) string { return d.repl.Replace(cmd) }

// districtDatabase makes a new database on MINYI_TEST_POSTGRES's server
// for a block and drops it when the test ends.
func districtDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("MINYI_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("this block needs PostgreSQL: set MINYI_TEST_POSTGRES (CI always does)")
		}
		t.Skip("this block needs PostgreSQL: set MINYI_TEST_POSTGRES to run it")
	}
	db, err := sql.Open("postgres", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	name := fmt.Sprintf("minyi_readme_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// server is a minyi serve started by a block.
type server struct {
	cmd      *exec.Cmd
	url      string
	password string
	public   *regexp.Regexp // the README's URL of this server, when it named a port
	mu       sync.Mutex
	out      bytes.Buffer
	done     chan error
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

var (
	servingLine  = regexp.MustCompile(`minyi is serving (https?://\S+) on `)
	passwordLine = regexp.MustCompile(`(?s)First start: created the account 'admin' with password\s+(\S+)`)
)

func startServer(t *testing.T, dir string, env []string, s step) *server {
	t.Helper()
	c := exec.Command("bash", "-c", "exec "+s.cmd)
	c.Dir, c.Env = dir, append(env, "MINYI_ADDR=127.0.0.1:0")
	srv := &server{cmd: c, done: make(chan error, 1)}
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = &lockedWriter{s: srv}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			srv.mu.Lock()
			srv.out.WriteString(sc.Text() + "\n")
			srv.mu.Unlock()
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		srv.done <- c.Wait()
	}()
	// A new database seeds the demo first: half a minute on a busy machine.
	deadline := time.After(serveWait)
	for srv.url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("README.md:%d: %s stopped before serving:\n%s", s.line, s.cmd, srv.output())
			}
			if m := servingLine.FindStringSubmatch(l); m != nil {
				srv.url = m[1]
			}
		case <-deadline:
			c.Process.Kill()
			t.Fatalf("README.md:%d: %s did not say where it serves within %v:\n%s", s.line, s.cmd, serveWait, srv.output())
		}
	}
	// The first start prints the admin password after the URL line.
	for srv.password == "" {
		select {
		case _, ok := <-lines:
			if m := passwordLine.FindStringSubmatch(srv.output()); m != nil {
				srv.password = m[1]
			} else if !ok {
				t.Fatalf("README.md:%d: the server stopped:\n%s", s.line, srv.output())
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("README.md:%d: a first start on a new database must print the admin password:\n%s", s.line, srv.output())
		}
	}
	return srv
}

// stop interrupts the server and requires a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("the server did not stop cleanly on SIGINT: %v\n%s", err, s.output())
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("the server did not stop within 30 s of SIGINT:\n%s", s.output())
	}
}

// lockedWriter appends the server's stderr to its output.
type lockedWriter struct{ s *server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(p)
}

var _ io.Writer = (*lockedWriter)(nil)
