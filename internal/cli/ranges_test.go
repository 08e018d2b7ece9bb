package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Every numeric flag has a range: outside it (a typed 0 included) the
// command exits 2 naming the flag, before touching anything.
func TestNumericFlagsOutOfRange(t *testing.T) {
	env := map[string]string{"DATABASE_URL": storetest.URL(t, store.SQLite)}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"sample", "size", "--margin", "1e-300", "--no-frame"}, "--margin"},
		{[]string{"sample", "size", "--margin", "0", "--no-frame"}, "--margin"},
		{[]string{"sample", "size", "--no-frame"}, "--margin"},
		{[]string{"sample", "size", "--margin", "0.05", "--confidence", "1", "--no-frame"}, "--confidence"},
		{[]string{"sample", "size", "--margin", "0.05", "--p", "0", "--no-frame"}, "--p"},
		{[]string{"sample", "size", "--margin", "0.05", "--deff", "0", "--no-frame"}, "--deff"},
		{[]string{"sample", "size", "--margin", "0.05", "--response-rate", "0", "--no-frame"}, "--response-rate"},
		{[]string{"sample", "size", "--margin", "0.05", "--population", "0", "--no-frame"}, "--population"},
		{[]string{"sample", "size", "--margin", "0.05", "--population", "1e300", "--no-frame"}, "--population"},
		{[]string{"sample", "size", "--margin", "0.05", "--frame", "0"}, "--frame"},
		{[]string{"sample", "draw", "--name", "x", "--n", "0"}, "--n"},
		{[]string{"sample", "draw", "--name", "x"}, "--n"},
		{[]string{"sample", "draw", "--name", "x", "--n", "10", "--per-community", "0"}, "--per-community"},
		{[]string{"sample", "draw", "--name", "x", "--n", "10", "--reserves", "-1"}, "--reserves"},
		{[]string{"sample", "draw", "--name", "x", "--n", "10", "--min-per-street", "-1"}, "--min-per-street"},
		{[]string{"sample", "draw", "--name", "x", "--n", "10", "--frame", "0"}, "--frame"},
		{[]string{"sample", "draw", "--name", "x", "--n", "10", "--seed", "0"}, "--seed"},
		{[]string{"sample", "draw", "--name", "a/b", "--n", "10"}, "--name"},
		{[]string{"frame", "import", "x.csv", "--max-errors", "0"}, "--max-errors"},
		{[]string{"estimate", "--data", "x.csv", "--strata", "s", "--cluster", "c", "--weight", "w", "--vars", "v", "--level", "0.1"}, "--level"},
	} {
		out, _, err := runCLI(t, env, "", tc.args...)
		if ExitCode(err) != 2 || apperr.FieldsOf(err)[tc.flag] == "" {
			t.Errorf("%q: %v (exit %d), out %q; want exit 2 naming %s", tc.args, err, ExitCode(err), out, tc.flag)
		}
	}
	if ss, _, err := runCLI(t, env, "", "sample", "list"); err != nil || strings.Count(ss, "\n") != 1 {
		t.Fatalf("samples after refused draws: %q, %v", ss, err)
	}
}

// The CLI and the API resolve the same minimal request with the same
// defaults: the same name-free input (n and a seed) draws the same
// households, and both explain a sample larger than n.
func TestCLIAndAPIDrawTheSameSample(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			dbURL := storetest.URL(t, d)
			env := map[string]string{"DATABASE_URL": dbURL}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString("街道,社区,门牌号\n")
			for i := range 900 {
				fmt.Fprintf(&b, "街道%d,社区%d,%d号\n", i%3, i%15, i)
			}
			file := filepath.Join(t.TempDir(), "register.csv")
			os.WriteFile(file, []byte(b.String()), 0o600)
			if _, _, err := runCLI(t, env, "", "frame", "import", file); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCLI(t, env, "", "sample", "draw", "--name", "cli", "--n", "100", "--seed", "11")
			if err != nil || !strings.Contains(out, "note: drew 120 households, 20 more than n = 100") {
				t.Fatalf("cli draw = %q, %v", out, err)
			}

			ctx := context.Background()
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			h, _ := auth.HashPassword("password-admin")
			if _, err := db.CreateUser(ctx, store.NewUser{Username: "admin", Role: store.RoleAdmin, PasswordHash: h}, store.System); err != nil {
				t.Fatal(err)
			}
			s, err := server.New(config.Config{SessionTTL: time.Hour, MinCell: 30}, db, auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(s.Handler())
			defer ts.Close()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Transport: servertest.SameOrigin(nil)}
			res, err := c.Post(ts.URL+"/api/v1/login", "application/json", strings.NewReader(`{"username":"admin","password":"password-admin"}`))
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("login: %v %v", res, err)
			}
			res.Body.Close()
			res, err = c.Post(ts.URL+"/api/v1/samples", "application/json", strings.NewReader(`{"name":"api","n":100,"seed":"11"}`))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated || !strings.Contains(string(body), "20 more than n = 100") {
				t.Fatalf("api draw = %d %s", res.StatusCode, body)
			}
			cliCSV, _, err := runCLI(t, env, "", "sample", "export", "cli")
			if err != nil {
				t.Fatal(err)
			}
			apiCSV, _, err := runCLI(t, env, "", "sample", "export", "api")
			if err != nil {
				t.Fatal(err)
			}
			if cliCSV != apiCSV || strings.Count(cliCSV, "\n") != 121 {
				t.Fatalf("the CLI and the API drew different samples:\n%s\n---\n%s", cliCSV, apiCSV)
			}
			cliShow, _, _ := runCLI(t, env, "", "sample", "show", "cli")
			apiShow, _, _ := runCLI(t, env, "", "sample", "show", "api")
			spec := func(s string) string {
				_, after, _ := strings.Cut(s, "specification: ")
				line, _, _ := strings.Cut(after, "\n")
				return strings.Replace(line, `"name":"api"`, `"name":"cli"`, 1)
			}
			if spec(cliShow) != spec(apiShow) {
				t.Fatalf("specifications differ:\ncli %s\napi %s", spec(cliShow), spec(apiShow))
			}
			// --exact takes n.
			out, _, err = runCLI(t, env, "", "sample", "draw", "--name", "exact", "--n", "100", "--seed", "11", "--exact")
			if err != nil || !strings.Contains(out, ": 100 households") || strings.Contains(out, "note:") {
				t.Fatalf("exact draw = %q, %v", out, err)
			}
		})
	}
}
