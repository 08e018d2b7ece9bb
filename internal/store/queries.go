package store

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jmoiron/sqlx"
)

// queryFS holds the named queries. Files directly under queries/ are shared
// by both dialects and written with ? placeholders (rebound to $N for
// PostgreSQL); a file under queries/sqlite/ or queries/postgres/ overrides a
// shared query of the same name for that dialect only.
//
//go:embed queries
var queryFS embed.FS

// loadQueries reads every named query for dialect d, with ? placeholders
// (raw) and rebound for the dialect.
func loadQueries(d Dialect) (bound, raw map[string]string, err error) {
	raw = make(map[string]string)
	if err := readQueryDir(raw, "queries"); err != nil {
		return nil, nil, err
	}
	if err := readQueryDir(raw, "queries/"+string(d)); err != nil {
		return nil, nil, err
	}
	bind := sqlx.QUESTION
	if d == Postgres {
		bind = sqlx.DOLLAR
	}
	bound = make(map[string]string, len(raw))
	for name, q := range raw {
		bound[name] = sqlx.Rebind(bind, q)
	}
	return bound, raw, nil
}

// readQueryDir adds the queries of the files in dir to into, replacing
// shared ones of the same name (a dialect's override). A name defined twice
// in dir is an error.
func readQueryDir(into map[string]string, dir string) error {
	defined := map[string]string{}
	entries, err := fs.ReadDir(queryFS, dir)
	if err != nil {
		return nil // a dialect may have no overrides
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		path := dir + "/" + e.Name()
		b, err := queryFS.ReadFile(path)
		if err != nil {
			return err
		}
		named, err := parseNamedQueries(path, string(b))
		if err != nil {
			return err
		}
		for name, q := range named {
			if prev, dup := defined[name]; dup {
				return fmt.Errorf("query %q is defined in %s and %s", name, prev, path)
			}
			defined[name] = path
			into[name] = q
		}
	}
	return nil
}

// parseNamedQueries splits a file into queries, each introduced by a line
// "-- name: some-name". Other comment lines are kept in the query text.
func parseNamedQueries(path, text string) (map[string]string, error) {
	out := make(map[string]string)
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		q := strings.TrimSpace(body.String())
		if q == "" {
			return fmt.Errorf("%s: query %q is empty", path, name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("%s: query %q defined twice", path, name)
		}
		out[name] = q
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "-- name:"); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name = strings.TrimSpace(rest)
			if name == "" {
				return nil, fmt.Errorf("%s:%d: query without a name", path, line)
			}
			continue
		}
		if name == "" {
			if strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "--") {
				return nil, fmt.Errorf("%s:%d: SQL before the first '-- name:' line", path, line)
			}
			continue
		}
		// Comments stay in the query text, where sqlx would take a ? for a
		// placeholder and shift every argument after it.
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "--") && strings.Contains(t, "?") {
			return nil, fmt.Errorf("%s:%d: a ? in a comment would be bound as a placeholder; write it otherwise", path, line)
		}
		body.WriteString(l)
		body.WriteByte('\n')
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, sc.Err()
}
