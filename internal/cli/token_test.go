package cli

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestTokenCommands creates a token on the command line and uses it
// against a server on the same database: it authenticates as its user
// until it is revoked.
func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			env := map[string]string{"DATABASE_URL": url}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCLI(t, env, "", "user", "add", "--username", "li.wei", "--role", "analyst"); err != nil {
				t.Fatal(err)
			}

			out, _, err := runCLI(t, env, "", "token", "create", "--user", "li.wei", "--ttl", "24h", "--name", "tablet 3")
			if err != nil {
				t.Fatalf("token create: %v", err)
			}
			m := regexp.MustCompile(`created API token (\d+) for li\.wei \(role analyst\): (minyi_\S{8})…, expires (\S+ \S+) UTC\ntoken: (minyi_\S+)\n`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("token create printed:\n%s", out)
			}
			id, prefix, token := m[1], m[2], m[4]
			if !strings.HasPrefix(token, prefix) || len(token) != len("minyi_")+43 {
				t.Fatalf("token %q does not match its prefix %q", token, prefix)
			}
			if exp, err := time.Parse("2006-01-02 15:04", m[3]); err != nil || exp.Sub(time.Now().Add(24*time.Hour)).Abs() > 2*time.Minute {
				t.Fatalf("expiry %q, %v", m[3], err)
			}

			// The printed token authenticates against a server on the same database.
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			srv, err := server.New(config.Config{SessionTTL: time.Hour, MinCell: 30}, db, auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			me := func(token string) (int, string) {
				req, _ := http.NewRequest("GET", ts.URL+"/api/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var u struct {
					Username string `json:"username"`
					Role     string `json:"role"`
				}
				json.NewDecoder(res.Body).Decode(&u)
				return res.StatusCode, u.Username + "/" + u.Role
			}
			if status, who := me(token); status != 200 || who != "li.wei/analyst" {
				t.Fatalf("me with the printed token = %d %s", status, who)
			}

			out, _, err = runCLI(t, env, "", "token", "create", "--user", "li.wei", "--ttl", "never")
			if err != nil || !strings.Contains(out, "never expires") {
				t.Fatalf("token create --ttl never = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "token", "list", "--user", "li.wei")
			if err != nil || !strings.Contains(out, prefix+"…") || !strings.Contains(out, "tablet 3") ||
				strings.Count(out, "active") != 2 || strings.Contains(out, token[len(prefix):]) {
				t.Fatalf("token list = %q, %v", out, err)
			}

			// Revoke by prefix (as listed): the token stops working.
			out, _, err = runCLI(t, env, "", "token", "revoke", prefix+"…")
			if err != nil || !strings.Contains(out, "revoked API token "+id) {
				t.Fatalf("token revoke %s = %q, %v", prefix, out, err)
			}
			if status, _ := me(token); status != 401 {
				t.Fatalf("me with a revoked token = %d, want 401", status)
			}
			out, _, err = runCLI(t, env, "", "token", "list")
			if err != nil || strings.Count(out, "revoked") != 1 || strings.Count(out, "active") != 1 {
				t.Fatalf("token list after revoke = %q, %v", out, err)
			}
			if _, _, err = runCLI(t, env, "", "token", "revoke", id); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "already revoked") {
				t.Fatalf("revoke twice: %v", err)
			}

			// Audited as the command line's doing.
			es, err := db.AuditLog(ctx, 20)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range es {
				if strings.HasPrefix(e.Action, "token.") {
					actions = append(actions, e.Action+"/"+e.Via+"/"+e.Username)
				}
			}
			if strings.Join(actions, " ") != "token.revoke/cli/ token.create/cli/ token.create/cli/" {
				t.Fatalf("audit = %v", actions)
			}

			for _, tt := range []struct {
				args []string
				want string
			}{
				{[]string{"token", "create"}, "--user: required"},
				{[]string{"token", "create", "--user", "li.wei", "--ttl", "0"}, "say never"},
				{[]string{"token", "create", "--user", "li.wei", "--ttl", "5s"}, "from 1m to 8760h"},
				{[]string{"token", "create", "--user", "li.wei", "--ttl", "9000h"}, "from 1m to 8760h"},
				{[]string{"token", "create", "--user", "li.wei", "--ttl", ""}, "from 1m to 8760h"},
				{[]string{"token", "create", "--user", "li.wei", "--name", strings.Repeat("x", 65)}, "--name: at most 64"},
				{[]string{"token", "create", "--user", "nobody"}, `no user "nobody"`},
				{[]string{"token", "create", "--user", "li.wei", "extra"}, `unexpected argument "extra"`},
				{[]string{"token", "list", "--user", "nobody"}, `no user "nobody"`},
				{[]string{"token", "revoke"}, "name one token"},
				{[]string{"token", "revoke", "9999"}, "no API token 9999"},
				{[]string{"token", "revoke", "0"}, "not a token id"},
				{[]string{"token", "revoke", "minyi_zzzzzzzz"}, "no API token minyi_zzzzzzzz…"},
				{[]string{"token", "revoke", "abc"}, "neither a token id nor a prefix"},
				{[]string{"token", "rotate"}, `unknown action "rotate"`},
			} {
				_, _, err := runCLI(t, env, "", tt.args...)
				if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != 2 {
					t.Errorf("%v: %v (exit %d), want %q and exit 2", tt.args, err, ExitCode(err), tt.want)
				}
			}
		})
	}
}

func TestTokenHelp(t *testing.T) {
	out, _, err := runCLI(t, nil, "", "token", "-h")
	if err != nil || !strings.Contains(out, "minyi token create --user NAME") || !strings.Contains(out, "never") || !strings.Contains(out, "Authorization: Bearer") {
		t.Fatalf("token -h = %q, %v", out, err)
	}
	out, _, err = runCLI(t, nil, "", "token", "create", "-h")
	if err != nil || !strings.Contains(out, "-ttl") || !strings.Contains(out, "8760h") {
		t.Fatalf("token create -h = %q, %v", out, err)
	}
}
