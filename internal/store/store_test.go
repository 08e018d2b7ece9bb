package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/migrations"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		dialect store.Dialect
		target  string
		wantErr string
	}{
		{in: "sqlite:minyi.db", dialect: store.SQLite, target: "minyi.db"},
		{in: "sqlite:///var/lib/minyi.db", dialect: store.SQLite, target: "/var/lib/minyi.db"},
		{in: "file:data/x.db", dialect: store.SQLite, target: "data/x.db"},
		{in: "./x.db", dialect: store.SQLite, target: "./x.db"},
		{in: "postgres://u@127.0.0.1:5432/db?sslmode=disable", dialect: store.Postgres, target: "postgres://u@127.0.0.1:5432/db?sslmode=disable"},
		{in: "postgresql://u@h/db", dialect: store.Postgres, target: "postgresql://u@h/db"},
		{in: "", wantErr: "empty"},
		{in: "mysql://root@h/db", wantErr: "unsupported database URL"},
		{in: "postgres://", wantErr: "malformed PostgreSQL URL"},
		{in: "postgres://u:secret@h:notaport/db", wantErr: "malformed PostgreSQL URL"},
		{in: "sqlite:x.db?_pragma=foo", wantErr: "options are not accepted"},
		{in: "sqlite:", wantErr: "names no file"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, target, err := store.ParseURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseURL(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password: %v", err)
				}
				if !apperr.Is(err, apperr.Invalid) {
					t.Errorf("kind = %v, want invalid", apperr.KindOf(err))
				}
				return
			}
			if err != nil || d != tt.dialect || target != tt.target {
				t.Fatalf("ParseURL(%q) = %q, %q, %v; want %q, %q", tt.in, d, target, err, tt.dialect, tt.target)
			}
		})
	}
}

func TestOpenSQLiteErrors(t *testing.T) {
	ctx := context.Background()
	_, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "missing", "dir", "x.db"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing directory: err = %v", err)
	}
	notDB := filepath.Join(t.TempDir(), "text.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, notDB)
	if err == nil || !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("not a database: err = %v", err)
	}
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens there, the connection is refused at once.
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err == nil || !apperr.Is(err, apperr.Unavailable) || !strings.Contains(err.Error(), "cannot reach PostgreSQL") {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

func TestMigrationsDialectsInStep(t *testing.T) {
	names := func(d string) []string {
		es, err := fs.ReadDir(migrations.FS, d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}
	s, p := names("sqlite"), names("postgres")
	if strings.Join(s, ",") != strings.Join(p, ",") {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", s, p)
	}
	if store.SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion = %d", store.SchemaVersion())
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.OpenEmpty(t, d)
			if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "minyi migrate up") {
				t.Fatalf("CheckSchema on empty db = %v, want a hint to migrate", err)
			}
			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Versions may have gaps (numbers are handed out to parallel
			// branches), so count the files and check the last version.
			files, err := fs.ReadDir(migrations.FS, string(d))
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(files) || applied[len(applied)-1].Version != store.SchemaVersion() {
				t.Fatalf("applied %d migrations up to %d, want %d up to %d", len(applied), applied[len(applied)-1].Version, len(files), store.SchemaVersion())
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("CheckSchema after migrate: %v", err)
			}
			again, err := db.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("second Migrate = %v, %v; want nothing applied", again, err)
			}
			st, err := db.Migrations(ctx)
			if err != nil || st.Current != store.SchemaVersion() || len(st.Pending) != 0 {
				t.Fatalf("Migrations = %+v, %v", st, err)
			}

			// A newer minyi migrated this database: refuse it.
			if _, err := db.Writer().ExecContext(ctx, db.Writer().Rebind(
				"INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)"), store.SchemaVersion()+1, true); err != nil {
				t.Fatal(err)
			}
			err = db.CheckSchema(ctx)
			if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "newer than this minyi") {
				t.Fatalf("CheckSchema on newer schema = %v", err)
			}
			if _, err := db.Migrate(ctx); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("Migrate on newer schema = %v, want conflict", err)
			}
		})
	}
}

func TestUsersAndSessions(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n, err := db.CountUsers(ctx)
		if err != nil || n != 0 {
			t.Fatalf("CountUsers = %d, %v", n, err)
		}
		id, err := db.CreateUser(ctx, store.NewUser{Username: "wang", DisplayName: "王芳", Role: store.RoleAnalyst, PasswordHash: "h1"}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateUser(ctx, store.NewUser{Username: "wang", Role: store.RoleAdmin, PasswordHash: "h2"}, store.CLI)
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), `"wang" already exists`) {
			t.Fatalf("duplicate user: %v", err)
		}
		_, err = db.CreateUser(ctx, store.NewUser{Username: "x", Role: "boss", PasswordHash: "h"}, store.CLI)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad role: %v", err)
		}
		_, err = db.CreateUser(ctx, store.NewUser{Username: "sup", Role: store.RoleSupervisor, PasswordHash: "h"}, store.CLI)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("supervisor without street: %v", err)
		}
		if pm := apperr.PublicMessage(err); strings.Contains(strings.ToLower(pm), "constraint") || strings.Contains(pm, "CHECK") {
			t.Fatalf("public message leaks database text: %q", pm)
		}

		u, err := db.UserByUsername(ctx, "wang")
		if err != nil || u.ID != id || u.DisplayName != "王芳" || u.Role != store.RoleAnalyst || u.Disabled {
			t.Fatalf("UserByUsername = %+v, %v", u, err)
		}
		if time.Since(u.CreatedAt) > time.Hour || u.CreatedAt.IsZero() {
			t.Fatalf("CreatedAt did not round-trip: %v", u.CreatedAt)
		}
		if _, err := db.UserByUsername(ctx, "nobody"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown user: %v", err)
		}

		if err := db.CreateSession(ctx, "live", id, time.Now().Add(time.Hour), "test"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, "old", id, time.Now().Add(-time.Minute), "test"); err != nil {
			t.Fatal(err)
		}
		if su, err := db.SessionUser(ctx, "live"); err != nil || su.ID != id {
			t.Fatalf("SessionUser(live) = %+v, %v", su, err)
		}
		if _, err := db.SessionUser(ctx, "old"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if n, err := db.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSessions = %d, %v", n, err)
		}
		if err := db.SetPassword(ctx, id, "h3", store.CLI); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, "live"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a password change must end sessions: %v", err)
		}
		if err := db.SetPassword(ctx, 9999, "h", store.CLI); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("SetPassword unknown: %v", err)
		}
	})
}

func TestSettingOrInit(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		v, err := db.SettingOrInit(ctx, "cookie_secret", "first")
		if err != nil || v != "first" {
			t.Fatalf("first = %q, %v", v, err)
		}
		v, err = db.SettingOrInit(ctx, "cookie_secret", "second")
		if err != nil || v != "first" {
			t.Fatalf("second = %q, %v; the first value must stay", v, err)
		}
	})
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Audit(ctx, 0, "login_failed", "user", "ghost", map[string]string{"ip": "127.0.0.1"}, "req-1"); err != nil {
			t.Fatal(err)
		}
		es, err := db.AuditLog(ctx, 10)
		if err != nil || len(es) != 1 {
			t.Fatalf("AuditLog = %v, %v", es, err)
		}
		if es[0].Action != "login_failed" || es[0].Detail != `{"ip":"127.0.0.1"}` || es[0].RequestID != "req-1" {
			t.Fatalf("entry = %+v", es[0])
		}
	})
}

func TestQueriesPanicOnUnknownName(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	defer func() {
		if recover() == nil {
			t.Fatal("Q of an unknown name did not panic")
		}
	}()
	db.Q("no-such-query")
}

func TestSchemaReady(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.SchemaReady(ctx); err != nil {
			t.Fatalf("SchemaReady on a migrated database: %v", err)
		}
		if _, err := db.Writer().ExecContext(ctx, db.Writer().Rebind(
			"INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)"), store.SchemaVersion()+1, true); err != nil {
			t.Fatal(err)
		}
		if err := db.SchemaReady(ctx); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("SchemaReady on a newer schema: %v", err)
		}
	})
	empty := storetest.OpenEmpty(t, store.SQLite)
	if err := empty.SchemaReady(ctx); err == nil {
		t.Fatal("SchemaReady on an empty database must fail")
	}
}

// TestIntegrityRules: the rules estimates rely on hold in the database
// itself, on both dialects.
func TestIntegrityRules(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.SeedRound(t, db, 40, 2, 4)
		w := db.Writer()
		exec := func(q string, args ...any) error {
			_, err := w.ExecContext(ctx, w.Rebind(q), args...)
			return err
		}
		count := func(q string, args ...any) int {
			var n int
			if err := w.GetContext(ctx, &n, w.Rebind(q), args...); err != nil {
				t.Fatal(err)
			}
			return n
		}
		ts := time.Now().UTC()
		if err := exec("INSERT INTO questionnaire_versions (id, questionnaire_id, status, definition, source, content_hash, created_at) VALUES (2, 1, 'draft', '{}', '', 'd', ?)", ts); err != nil {
			t.Fatal(err)
		}
		if err := exec("INSERT INTO rounds (name, questionnaire_version_id, created_at) VALUES ('on a draft', 2, ?)", ts); err == nil {
			t.Fatal("a round on a draft questionnaire version was accepted")
		}
		if err := exec("UPDATE rounds SET questionnaire_version_id = 2 WHERE id = 1"); err == nil {
			t.Fatal("a round was moved to a draft questionnaire version")
		}
		if err := exec("DELETE FROM questionnaire_versions WHERE id = 1"); err == nil {
			t.Fatal("a published questionnaire version was deleted")
		}
		// A value can only belong to its response's round.
		if err := exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) VALUES (2, 'extra', 1, 99, 1, 1, 1, 20)"); err == nil {
			t.Fatal("a value was filed under another round")
		}
		// A response that stops being accepted takes its values along.
		before := count("SELECT COUNT(*) FROM response_values")
		if err := exec("UPDATE responses SET status = 'superseded' WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		if n := count("SELECT COUNT(*) FROM response_values WHERE response_id = 1"); n != 0 {
			t.Fatalf("%d values of a superseded response remain", n)
		}
		if after := count("SELECT COUNT(*) FROM response_values"); after != before-4 {
			t.Fatalf("values: %d before, %d after; want 4 fewer", before, after)
		}
	})
}
