package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/migrations"
)

// wantInvalid checks a one-line exit-2 error that names what.
func wantInvalid(t *testing.T, err error, what string) {
	t.Helper()
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), what) || strings.Contains(Message(err), "\n") {
		t.Errorf("err = %v (exit %d), want exit 2 naming %q in one line", err, ExitCode(err), what)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "minyi.db")}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "b.db")
	out, _, err := runCLI(t, env, "", "backup", "--to", file)
	if err != nil || !strings.Contains(out, file+": ") || !strings.Contains(out, fmt.Sprintf("schema version %d", store.SchemaVersion())) || !strings.Contains(out, "took") || strings.Count(out, "\n") != 1 {
		t.Fatalf("backup = %q, %v", out, err)
	}
	if info, err := store.InspectFile(context.Background(), file); err != nil || info.SchemaVersion != store.SchemaVersion() {
		t.Fatalf("the backup: %+v %v", info, err)
	}
	first := readFile(t, file)

	_, _, err = runCLI(t, env, "", "backup")
	wantInvalid(t, err, "--to is required")
	_, _, err = runCLI(t, env, "", "backup", "--to", file)
	wantInvalid(t, err, "--force")
	if !bytes.Equal(readFile(t, file), first) {
		t.Error("a refused backup changed the existing file")
	}
	_, _, err = runCLI(t, env, "", "backup", "--to", filepath.Join(dir, "no", "such", "b.db"))
	wantInvalid(t, err, "does not exist")
	_, _, err = runCLI(t, env, "", "backup", "--to", filepath.Join(dir, "minyi.db"), "--force")
	wantInvalid(t, err, "the database itself")
	_, _, err = runCLI(t, map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "none.db")}, "", "backup", "--to", filepath.Join(dir, "c.db"))
	wantInvalid(t, err, "none.db")
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("backup of a missing database created it")
	}
	if out, _, err := runCLI(t, env, "", "backup", "--to", file, "--force"); err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("backup --force = %q, %v", out, err)
	}
	// Nothing but the database, its WAL and the backup is left behind.
	names, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(names) > 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

func TestBackupPostgres(t *testing.T) {
	if len(storetest.Dialects(t)) < 2 {
		t.Skip("PostgreSQL not configured (" + storetest.EnvPostgres + ")")
	}
	env := map[string]string{"DATABASE_URL": storetest.URL(t, store.Postgres)}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "minyi.dump")
	out, _, err := runCLI(t, env, "", "backup", "--to", file)
	if err != nil || !strings.Contains(out, "PostgreSQL") || !strings.Contains(out, fmt.Sprintf("schema version %d", store.SchemaVersion())) {
		t.Fatalf("backup = %q, %v", out, err)
	}
	list, err := exec.Command("pg_restore", "--list", file).CombinedOutput()
	if err != nil || !strings.Contains(string(list), "TABLE DATA") || !strings.Contains(string(list), " responses ") {
		t.Fatalf("pg_restore --list: %v\n%s", err, list)
	}
	_, _, err = runCLI(t, env, "", "backup", "--to", file)
	wantInvalid(t, err, "--force")
	// Rotating backups are SQLite's.
	_, _, err = runCLI(t, env, "", "serve", "--backup-every", "6h", "--addr", "127.0.0.1:0")
	wantInvalid(t, err, "--backup-every")
	_, _, err = runCLI(t, env, "", "serve", "--backup-keep", "7", "--addr", "127.0.0.1:0")
	wantInvalid(t, err, "--backup-keep")
	_, _, err = runCLI(t, env, "", "serve", "--backup-dir", t.TempDir(), "--addr", "127.0.0.1:0")
	wantInvalid(t, err, "--backup-dir")
	// Without the client tools: how to do it instead.
	t.Setenv("PATH", t.TempDir())
	_, _, err = runCLI(t, env, "", "backup", "--to", file+"2")
	if err == nil || !strings.Contains(err.Error(), "pg_dump is not installed") || !strings.Contains(err.Error(), "WAL archiving") {
		t.Fatalf("without pg_dump: %v", err)
	}
}

// downOne rolls the SQLite database at path back by one migration: a
// database as an older minyi left it.
// previousVersion is the version of the migration before the newest: the
// schema downOne leaves (numbers skip where some are reserved).
func previousVersion(t *testing.T) int64 {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "sqlite/*.sql")
	if err != nil || len(names) < 2 {
		t.Fatalf("migrations: %v %v", names, err)
	}
	slices.Sort(names)
	v, err := strconv.ParseInt(strings.SplitN(pathpkg.Base(names[len(names)-2]), "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func downOne(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, _ := fs.Sub(migrations.FS, "sqlite")
	p, err := goose.NewProvider(goose.DialectSQLite3, db.Writer().DB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "minyi.db")}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	bak := filepath.Join(dir, "b.db")
	if _, _, err := runCLI(t, env, "", "backup", "--to", bak); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "restored.db")
	out, _, err := runCLI(t, nil, "", "restore", bak, "--to", target)
	if err != nil || !strings.Contains(out, "restored "+bak+" to "+target) || strings.Contains(out, "before-restore") || strings.Contains(out, "migrate up") {
		t.Fatalf("restore = %q, %v", out, err)
	}
	// Again over the restored file: it is kept aside.
	out, _, err = runCLI(t, nil, "", "restore", "--to", "sqlite:"+target, bak)
	if err != nil || !strings.Contains(out, target+".before-restore-") {
		t.Fatalf("second restore = %q, %v", out, err)
	}
	if names, _ := filepath.Glob(target + ".before-restore-*"); len(names) != 1 {
		t.Fatalf("kept: %v", names)
	} else if _, err := store.InspectFile(ctx, names[0]); err != nil {
		t.Fatalf("the kept database: %v", err)
	}

	// A database in use is not replaced.
	db, err := store.Open(ctx, "sqlite:"+target, store.Existing())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().Exec(`INSERT INTO settings (key, value, updated_at) VALUES ('marker', 'in use', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, nil, "", "restore", bak, "--to", target)
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "in use") || ExitCode(err) != 1 {
		t.Fatalf("restore over a database in use = %v", err)
	}
	if v, err := db.Setting(ctx, "marker"); err != nil || v != "in use" {
		t.Fatalf("the database in use lost its data: %q %v", v, err)
	}
	db.Close()

	// Bad input: exit 2, nothing written.
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database\n"), 0o600)
	other := filepath.Join(dir, "other.db")
	if odb, err := store.Open(ctx, "sqlite:"+other); err == nil {
		odb.Close()
	}
	newer := filepath.Join(dir, "newer.db")
	if err := store.CopyFile(ctx, bak, newer); err != nil {
		t.Fatal(err)
	}
	if ndb, err := store.Open(ctx, "sqlite:"+newer); err != nil {
		t.Fatal(err)
	} else {
		if _, err := ndb.Writer().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", store.SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		ndb.Close()
	}
	fresh := filepath.Join(dir, "fresh.db")
	stray := filepath.Join(dir, "deleted.db")
	os.WriteFile(stray+"-wal", []byte("a WAL of a database that is gone"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"restore", bak}, "--to is required"},
		{[]string{"restore", "--to", fresh}, "name one backup file"},
		{[]string{"restore", text, "--to", fresh}, "notes.txt is not a SQLite database"},
		{[]string{"restore", other, "--to", fresh}, "other.db is a SQLite database but not minyi's"},
		{[]string{"restore", newer, "--to", fresh}, "newer than this minyi knows"},
		{[]string{"restore", filepath.Join(dir, "missing.db"), "--to", fresh}, "missing.db"},
		{[]string{"restore", bak, "--to", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"}, "--to must be a SQLite file"},
		{[]string{"restore", bak, "--to", text}, "not a SQLite database: it is left alone"},
		{[]string{"restore", bak, "--to", bak}, "the backup itself"},
		{[]string{"restore", bak, "--to", filepath.Join(dir, "no", "x.db")}, "does not exist"},
		{[]string{"restore", bak, "--to", stray}, "deleted.db-wal is there without its database"},
	} {
		_, _, err := runCLI(t, nil, "", tc.args...)
		wantInvalid(t, err, tc.want)
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a refused restore wrote its target")
	}
	if string(readFile(t, text)) != "not a database\n" {
		t.Error("a refused restore changed a file that is not a database")
	}

	// A backup from an older minyi: restored, then migrate up, which keeps
	// a copy of it first.
	old := filepath.Join(dir, "old.db")
	if err := store.CopyFile(ctx, bak, old); err != nil {
		t.Fatal(err)
	}
	downOne(t, old)
	prev := previousVersion(t)
	out, _, err = runCLI(t, nil, "", "restore", old, "--to", fresh)
	if err != nil || !strings.Contains(out, "run 'minyi migrate up --db sqlite:"+fresh+"' next") {
		t.Fatalf("restore of an older backup = %q, %v", out, err)
	}
	out, _, err = runCLI(t, map[string]string{"DATABASE_URL": "sqlite:" + fresh}, "", "migrate", "up")
	copyName := fmt.Sprintf("%s.before-%d", fresh, prev)
	if err != nil || !strings.Contains(out, fmt.Sprintf("copied the database at schema version %d to %s", prev, copyName)) || !strings.Contains(out, fmt.Sprintf("applied %05d", store.SchemaVersion())) {
		t.Fatalf("migrate up = %q, %v", out, err)
	}
	if info, err := store.InspectFile(ctx, copyName); err != nil || info.SchemaVersion != prev {
		t.Fatalf("the copy before migrating: %+v, %v", info, err)
	}
	// Nothing to migrate, nothing copied.
	out, _, err = runCLI(t, map[string]string{"DATABASE_URL": "sqlite:" + fresh}, "", "migrate", "up")
	if err != nil || strings.Contains(out, "copied") {
		t.Fatalf("second migrate up = %q, %v", out, err)
	}
	if names, _ := filepath.Glob(fresh + ".before-*"); len(names) != 1 {
		t.Fatalf("copies: %v", names)
	}
}

// TestBackupFlags: serve's backup settings out of range are refused,
// naming the flag, before anything starts.
func TestBackupFlags(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "m.db"), "MINYI_ADDR": "127.0.0.1:0"}
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--backup-every", "30s"}, "--backup-every"},
		{[]string{"--backup-every", "-1h"}, "--backup-every"},
		{[]string{"--backup-every", "often"}, "--backup-every"},
		{[]string{"--backup-every", "9000h"}, "--backup-every"},
		{[]string{"--backup-keep", "0"}, "--backup-keep"},
		{[]string{"--backup-keep", "10001"}, "--backup-keep"},
		{[]string{"--backup-keep", "1.5"}, "--backup-keep"},
	} {
		_, _, err := runCLI(t, env, "", append([]string{"serve"}, tc.args...)...)
		wantInvalid(t, err, tc.flag)
	}
	_, _, err := runCLI(t, map[string]string{"MINYI_BACKUP_KEEP": "0", "MINYI_ADDR": "127.0.0.1:0"}, "", "serve")
	wantInvalid(t, err, "MINYI_BACKUP_KEEP")
	if _, err := os.Stat(strings.TrimPrefix(env["DATABASE_URL"], "sqlite:")); err == nil {
		t.Error("a refused serve created the database")
	}
}

// TestServeBackups: serve with --backup-every writes its first backup at
// start into --backup-dir and stops cleanly.
func TestServeBackups(t *testing.T) {
	dir := t.TempDir()
	bdir := filepath.Join(dir, "backups")
	env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, "m.db"), "MINYI_ADDR": "127.0.0.1:0", "MINYI_NO_DEMO": "true",
		"MINYI_BACKUP_EVERY": "6h", "MINYI_BACKUP_KEEP": "3", "MINYI_BACKUP_DIR": bdir}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	errb := &lockedBuffer{}
	go func() {
		done <- Run(ctx, []string{"serve"}, &Env{Stdout: io.Discard, Stderr: errb, Getenv: func(k string) string { return env[k] }})
	}()
	deadline := time.After(time.Minute)
	for {
		// The file is renamed into place before the log line is written:
		// wait for both, or a cancel in between loses the line.
		if l, ok, _ := backup.Latest(bdir); ok && l.Size > 0 && strings.Contains(errb.String(), "backup written") {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errb.String())
		case <-deadline:
			t.Fatalf("no backup within a minute\n%s", errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errb.String(), "backup written") {
		t.Errorf("log:\n%s", errb.String())
	}
}

func TestVersionCommand(t *testing.T) {
	out, _, err := runCLI(t, nil, "", "version")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || !strings.HasPrefix(lines[0], "minyi ") || !strings.Contains(lines[0], fmt.Sprintf("schema %d)", store.SchemaVersion())) || len(lines) != 5 ||
		!strings.HasPrefix(lines[1], "module   github.com/minyi-survey/minyi") || !strings.HasPrefix(lines[2], "revision ") ||
		!strings.HasPrefix(lines[3], "go       go1.") || lines[4] != fmt.Sprintf("schema   %d", store.SchemaVersion()) {
		t.Fatalf("version = %q, %v", out, err)
	}
}

// TestRestoreRefusesServedDatabase: a database that a `minyi serve`
// process has open is not replaced; once that process is gone (killed,
// its WAL left behind) the restore goes through and the replaced database,
// WAL included, is kept whole.
func TestRestoreRefusesServedDatabase(t *testing.T) {
	bin := buildMinyi(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "minyi.db")
	env := map[string]string{"DATABASE_URL": "sqlite:" + path}
	// An admin exists, so that serve does not seed the demo.
	for _, args := range [][]string{{"migrate", "up"}, {"user", "add", "--username", "admin", "--role", "admin"}} {
		if _, _, err := runCLI(t, env, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	bak := filepath.Join(dir, "b.db")
	if _, _, err := runCLI(t, env, "", "backup", "--to", bak); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, bin, "sqlite:"+path)
	if _, _, err := runCLI(t, nil, "", "user", "add", "--db", "sqlite:"+path, "--username", "later", "--role", "analyst"); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, nil, "", "restore", bak, "--to", path)
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "is in use") {
		t.Fatalf("restore under a running serve = %v", err)
	}
	p.kill()
	out, _, err := runCLI(t, nil, "", "restore", bak, "--to", path)
	if err != nil {
		t.Fatalf("restore after serve stopped = %q, %v", out, err)
	}
	kept, _ := filepath.Glob(path + ".before-restore-*")
	if len(kept) != 1 {
		t.Fatalf("kept: %v", kept)
	}
	for _, f := range []struct {
		path  string
		later bool
	}{{path, false}, {kept[0], true}} {
		db, err := store.Open(ctx, "sqlite:"+f.path, store.Existing())
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.UserByUsername(ctx, "later")
		db.Close()
		if (err == nil) != f.later {
			t.Errorf("%s: user added while serving: %v, want present %v", f.path, err, f.later)
		}
	}
}
