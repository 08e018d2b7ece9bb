package backup

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// HowPostgres is what minyi says when pg_dump is missing, and what the
// README says at more length: a dump is a copy at one moment; a district's
// server wants PostgreSQL's continuous archiving.
const HowPostgres = "install PostgreSQL's client tools (Debian/Ubuntu: apt install postgresql-client) so that minyi can run pg_dump, " +
	"or run pg_dump -Fc yourself; for production, use PostgreSQL's own base backups with WAL archiving (pg_basebackup and archive_command)"

// libpqParams are the URL parameters pg_dump understands as they are; any
// other one is a run-time setting that lib/pq sends at connect, passed to
// pg_dump the same way in PGOPTIONS, except search_path, which says which
// schema is minyi's and so which one to dump.
var libpqParams = map[string]bool{
	"sslmode": true, "sslcert": true, "sslkey": true, "sslrootcert": true, "sslpassword": true, "sslcrl": true,
	"connect_timeout": true, "application_name": true, "fallback_application_name": true, "options": true,
	"target_session_attrs": true, "host": true, "port": true, "dbname": true, "user": true, "keepalives": true,
}

// Postgres writes a pg_dump custom-format archive of the PostgreSQL
// database at rawURL to file (through a temporary file beside it), checks
// that pg_restore can read it, and renames it into place. schemaVersion is
// reported, not checked: a dump is read by pg_restore, not by minyi.
func Postgres(ctx context.Context, rawURL, file string, force bool, schemaVersion int64) (Result, error) {
	start := time.Now()
	if err := checkDest(file, force); err != nil {
		return Result{}, err
	}
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		return Result{}, apperr.New(apperr.Unavailable, "backup of PostgreSQL: pg_dump is not installed here: %s", HowPostgres)
	}
	conn, schemas, env, err := dumpTarget(rawURL)
	if err != nil {
		return Result{}, err
	}
	tmp, err := tempBeside(file)
	if err != nil {
		return Result{}, err
	}
	defer os.Remove(tmp)
	args := []string{"--format=custom", "--no-password", "--file=" + tmp, "--dbname=" + conn}
	for _, s := range schemas {
		args = append(args, "--schema="+s)
	}
	if err := runTool(ctx, pgDump, args, env); err != nil {
		return Result{}, err
	}
	// The check: pg_restore lists the archive's table of contents.
	if pgRestore, err := exec.LookPath("pg_restore"); err == nil {
		if err := runTool(ctx, pgRestore, []string{"--list", tmp}, nil); err != nil {
			return Result{}, apperr.Wrap(apperr.Internal, err, "backup: pg_restore cannot read the dump")
		}
	}
	if err := syncFile(tmp); err != nil {
		return Result{}, err
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return Result{}, apperr.Wrap(apperr.Internal, err, "backup")
	}
	if err := install(tmp, file, force); err != nil {
		return Result{}, err
	}
	return Result{File: file, Size: st.Size(), SchemaVersion: schemaVersion, Took: time.Since(start)}, nil
}

// dumpTarget turns minyi's PostgreSQL URL into pg_dump's: the password goes
// into the environment (not the command line, which ps shows), search_path
// into --schema, other lib/pq run-time settings into PGOPTIONS.
func dumpTarget(rawURL string) (conn string, schemas, env []string, err error) {
	d, _, err := store.ParseURL(rawURL)
	if err != nil {
		return "", nil, nil, err
	}
	if d != store.Postgres {
		return "", nil, nil, apperr.New(apperr.Invalid, "backup: not a PostgreSQL URL")
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "", nil, nil, apperr.New(apperr.Invalid, "malformed PostgreSQL URL")
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	var opts []string
	for k, vs := range q {
		switch {
		case k == "search_path":
			for _, s := range strings.Split(vs[0], ",") {
				if s = strings.TrimSpace(s); s != "" && s != `"$user"` {
					schemas = append(schemas, s)
				}
			}
			q.Del(k)
		case !libpqParams[k]:
			opts = append(opts, "-c "+k+"="+vs[0])
			q.Del(k)
		}
	}
	if len(opts) > 0 {
		env = append(env, "PGOPTIONS="+strings.Join(opts, " "))
	}
	u.RawQuery = q.Encode()
	return u.String(), schemas, env, nil
}

// runTool runs a PostgreSQL client program; its error names the program
// and quotes the last line it wrote to stderr.
func runTool(ctx context.Context, path string, args, env []string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	if env != nil {
		cmd.Env = env
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return apperr.Wrap(apperr.Unavailable, err, "%s failed: %s", path[strings.LastIndexByte(path, '/')+1:], msg)
	}
	return nil
}
