package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// tokenBody is the answer of POST /api/v1/tokens.
type tokenBody struct {
	store.APIToken
	Token string `json:"token"`
}

// withToken sends a request authenticated by a bearer token only (no
// cookie jar), with extra headers.
func withToken(t *testing.T, token, method, url, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + token}
	for k, v := range header {
		h[k] = v
	}
	ctype := ""
	if body != "" {
		ctype = "application/json"
	}
	return servertest.Send(t, &http.Client{}, method, url, ctype, body, h)
}

func createToken(t *testing.T, c *http.Client, base, body string) tokenBody {
	t.Helper()
	res, b := servertest.Send(t, c, "POST", base+"/api/v1/tokens", "application/json", body, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create token %s = %d %s", body, res.StatusCode, b)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control of a new token = %q", cc)
	}
	var tb tokenBody
	if err := json.Unmarshal(b, &tb); err != nil || tb.Token == "" || tb.ID == 0 {
		t.Fatalf("create token body %s: %v", b, err)
	}
	return tb
}

func errorOf(t *testing.T, b []byte) server.ErrorBody {
	t.Helper()
	var eb server.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil {
		t.Fatalf("error body is not JSON: %q", b)
	}
	return eb
}

func TestTokenAPI(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		users := map[string]store.User{}
		for _, name := range []string{store.RoleAdmin, store.RoleAnalyst, store.RoleInterviewer} {
			u, err := db.UserByUsername(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			users[name] = u
		}
		admin, interviewer := servertest.Login(t, base, store.RoleAdmin), servertest.Login(t, base, store.RoleInterviewer)

		// A tablet logs in with a password once and gets a device token.
		tablet := createToken(t, interviewer, base, `{"name":"tablet 3","ttl":"720h"}`)
		if tablet.UserID != users["interviewer"].ID || tablet.Name != "tablet 3" || !strings.HasPrefix(tablet.Token, "minyi_") ||
			tablet.Prefix != tablet.Token[6:14] || tablet.ExpiresAt == nil || tablet.ExpiresAt.Sub(time.Now().Add(720*time.Hour)).Abs() > time.Minute {
			t.Fatalf("tablet token = %+v", tablet)
		}
		// An admin makes one for the analyst's script, one for itself that never expires.
		script := createToken(t, admin, base, fmt.Sprintf(`{"user_id":%d,"name":"nightly export"}`, users["analyst"].ID))
		if script.UserID != users["analyst"].ID || script.ExpiresAt == nil {
			t.Fatalf("analyst's token = %+v", script.APIToken)
		}
		adminTok := createToken(t, admin, base, `{"ttl":"never"}`)
		if adminTok.ExpiresAt != nil || adminTok.UserID != users["admin"].ID {
			t.Fatalf("admin token = %+v", adminTok.APIToken)
		}

		// A bearer token carries its user's role, on every route.
		for _, tt := range []struct {
			who, token, path string
			want             int
		}{
			{"interviewer", tablet.Token, "/api/v1/me", 200},
			{"interviewer", tablet.Token, "/api/v1/frames", 403},
			{"analyst", script.Token, "/api/v1/frames", 200},
			{"admin", adminTok.Token, "/api/v1/frames", 200},
			{"analyst", script.Token, "/api/v1/tokens", 200},
		} {
			if res, b := withToken(t, tt.token, "GET", base+tt.path, "", nil); res.StatusCode != tt.want {
				t.Errorf("%s GET %s with a token = %d %s, want %d", tt.who, tt.path, res.StatusCode, b, tt.want)
			}
		}
		res, b := withToken(t, tablet.Token, "GET", base+"/api/v1/me", "", nil)
		var me store.User
		if json.Unmarshal(b, &me); res.StatusCode != 200 || me.Username != "interviewer" || me.Role != store.RoleInterviewer {
			t.Fatalf("me with the tablet's token = %d %s", res.StatusCode, b)
		}
		if got, _ := db.APIToken(ctx, tablet.ID, 0); got.LastUsedAt == nil || time.Since(*got.LastUsedAt) > time.Minute {
			t.Fatalf("last use of the tablet's token = %v", got.LastUsedAt)
		}

		// Who may create what.
		for _, tt := range []struct {
			name   string
			c      *http.Client
			token  string
			body   string
			status int
			field  string
		}{
			{"for another user", interviewer, "", fmt.Sprintf(`{"user_id":%d}`, users["admin"].ID), 403, ""},
			{"with a token, not a password", nil, tablet.Token, `{"name":"another"}`, 403, ""},
			{"bad user id", admin, "", `{"user_id":0}`, 422, "user_id"},
			{"unknown user", admin, "", `{"user_id":999}`, 422, "user_id"},
			{"zero ttl", interviewer, "", `{"ttl":"0"}`, 422, "ttl"},
			{"ttl too long", interviewer, "", `{"ttl":"9000h"}`, 422, "ttl"},
			{"ttl a number", interviewer, "", `{"ttl":720}`, 422, "ttl"},
			// Issue 23: a user's own token from a session is bounded.
			{"own token that never expires", interviewer, "", `{"ttl":"never"}`, 422, "ttl"},
			{"own token over 30 days", interviewer, "", `{"ttl":"721h"}`, 422, "ttl"},
			{"name too long", interviewer, "", `{"name":"` + strings.Repeat("x", 65) + `"}`, 422, "name"},
			{"unknown field", interviewer, "", `{"role":"admin"}`, 422, "role"},
		} {
			var res *http.Response
			var b []byte
			if tt.c != nil {
				res, b = servertest.Send(t, tt.c, "POST", base+"/api/v1/tokens", "application/json", tt.body, nil)
			} else {
				res, b = withToken(t, tt.token, "POST", base+"/api/v1/tokens", tt.body, nil)
			}
			if res.StatusCode != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, res.StatusCode, b, tt.status)
				continue
			}
			if eb := errorOf(t, b); tt.field != "" && eb.Error.Fields[tt.field] == "" {
				t.Errorf("%s: fields %v, want %q", tt.name, eb.Error.Fields, tt.field)
			}
		}

		// Listing: an admin sees every token, anyone else their own; never a value.
		list := func(c *http.Client) []store.APIToken {
			t.Helper()
			res, b := servertest.Send(t, c, "GET", base+"/api/v1/tokens", "", "", nil)
			var ts []store.APIToken
			if res.StatusCode != 200 || json.Unmarshal(b, &ts) != nil {
				t.Fatalf("list tokens = %d %s", res.StatusCode, b)
			}
			if strings.Contains(string(b), `"token"`) || strings.Contains(string(b), tablet.Token) {
				t.Fatalf("a listing shows a token value: %s", b)
			}
			return ts
		}
		if ts := list(admin); len(ts) != 3 {
			t.Fatalf("admin lists %d tokens, want 3: %+v", len(ts), ts)
		}
		if ts := list(interviewer); len(ts) != 1 || ts[0].ID != tablet.ID {
			t.Fatalf("interviewer lists %+v, want only the tablet's", ts)
		}

		// Revoking: another user's token is not found; one's own works once.
		for _, tt := range []struct {
			name   string
			c      *http.Client
			id     string
			status int
		}{
			{"another user's", interviewer, fmt.Sprint(adminTok.ID), 404},
			{"unknown", admin, "9999", 404},
			{"not a number", admin, "abc", 404},
		} {
			if res, b := servertest.Send(t, tt.c, "DELETE", base+"/api/v1/tokens/"+tt.id, "", "", nil); res.StatusCode != tt.status {
				t.Errorf("revoke %s = %d %s, want %d", tt.name, res.StatusCode, b, tt.status)
			}
		}
		if res, b := withToken(t, adminTok.Token, "GET", base+"/api/v1/me", "", nil); res.StatusCode != 200 {
			t.Fatalf("the admin's token after a refused revoke = %d %s", res.StatusCode, b)
		}
		res, b = servertest.Send(t, interviewer, "DELETE", fmt.Sprintf("%s/api/v1/tokens/%d", base, tablet.ID), "", "", nil)
		var revoked store.APIToken
		if json.Unmarshal(b, &revoked); res.StatusCode != 200 || revoked.RevokedAt == nil {
			t.Fatalf("revoke own token = %d %s", res.StatusCode, b)
		}
		if res, _ := servertest.Send(t, interviewer, "DELETE", fmt.Sprintf("%s/api/v1/tokens/%d", base, tablet.ID), "", "", nil); res.StatusCode != 409 {
			t.Fatalf("revoke twice = %d, want 409", res.StatusCode)
		}

		// Expired, revoked, wrong tokens and disabled users are 401 with a
		// message that says which.
		expiring := createToken(t, admin, base, fmt.Sprintf(`{"user_id":%d,"ttl":"1m"}`, users["analyst"].ID))
		if _, err := db.Writer().ExecContext(ctx, db.Writer().Rebind("UPDATE api_tokens SET expires_at = ? WHERE id = ?"),
			time.Now().UTC().Add(-time.Second), expiring.ID); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ name, header, want string }{
			{"revoked", "Bearer " + tablet.Token, "revoked"},
			{"expired", "Bearer " + expiring.Token, "expired on"},
			{"wrong", "Bearer minyi_" + strings.Repeat("A", 43), "invalid API token"},
			{"not a minyi token", "Bearer abc.def", "invalid API token"},
			{"empty", "Bearer ", "invalid API token"},
			{"scheme in lower case", "bearer " + tablet.Token, "revoked"},
		} {
			res, b := servertest.Send(t, &http.Client{}, "GET", base+"/api/v1/me", "", "", map[string]string{"Authorization": tt.header})
			eb := errorOf(t, b)
			if res.StatusCode != 401 || eb.Error.Code != "unauthenticated" || !strings.Contains(eb.Error.Message, tt.want) {
				t.Errorf("%s token: %d %s, want 401 %q", tt.name, res.StatusCode, b, tt.want)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s token: WWW-Authenticate = %q", tt.name, res.Header.Get("WWW-Authenticate"))
			}
		}
		// A bad token is refused even beside a good session cookie.
		if res, _ := servertest.Send(t, admin, "GET", base+"/api/v1/me", "", "", map[string]string{"Authorization": "Bearer " + tablet.Token}); res.StatusCode != 401 {
			t.Fatalf("revoked token with a valid cookie = %d, want 401", res.StatusCode)
		}
		if _, err := db.Writer().ExecContext(ctx, db.Writer().Rebind("UPDATE users SET disabled = ? WHERE id = ?"), true, users["analyst"].ID); err != nil {
			t.Fatal(err)
		}
		res, b = withToken(t, script.Token, "GET", base+"/api/v1/frames", "", nil)
		if eb := errorOf(t, b); res.StatusCode != 401 || !strings.Contains(eb.Error.Message, "disabled") {
			t.Fatalf("token of a disabled user = %d %s", res.StatusCode, b)
		}

		// CSRF rules are for cookies: a cross-origin POST with a token and
		// no cookie is served; with the session cookie it is still refused.
		evil := map[string]string{"Origin": "https://evil.example"}
		if res, b := withToken(t, adminTok.Token, "POST", base+"/api/v1/tokens", `{"name":"from a script"}`, evil); res.StatusCode != 201 {
			t.Fatalf("cross-origin POST with a token = %d %s, want 201", res.StatusCode, b)
		}
		evil["Authorization"] = "Bearer " + adminTok.Token
		res, b = servertest.Send(t, admin, "POST", base+"/api/v1/tokens", "application/json", `{"name":"csrf"}`, evil)
		if eb := errorOf(t, b); res.StatusCode != 403 || !strings.Contains(eb.Error.Message, "cross-origin") {
			t.Fatalf("cross-origin POST with token and cookie = %d %s, want 403", res.StatusCode, b)
		}
		delete(evil, "Authorization")
		if res, _ := servertest.Send(t, admin, "POST", base+"/api/v1/tokens", "application/json", `{"name":"csrf"}`, evil); res.StatusCode != 403 {
			t.Fatalf("cross-origin POST with the cookie = %d, want 403", res.StatusCode)
		}

		// The database holds hashes, never a token.
		rows, err := db.Reader().QueryxContext(ctx, "SELECT * FROM api_tokens")
		if err != nil {
			t.Fatal(err)
		}
		hashes := map[string]bool{}
		n := 0
		for rows.Next() {
			row := map[string]any{}
			if err := rows.MapScan(row); err != nil {
				t.Fatal(err)
			}
			n++
			for col, v := range row {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				for _, tok := range []string{tablet.Token, script.Token, adminTok.Token, expiring.Token} {
					if strings.Contains(s, tok[6:]) {
						t.Fatalf("api_tokens.%s holds a token in clear: %q", col, s)
					}
				}
				if col == "token_hash" {
					hashes[s] = true
				}
			}
		}
		rows.Close()
		for _, tok := range []string{tablet.Token, script.Token, adminTok.Token, expiring.Token} {
			sum := sha256.Sum256([]byte(tok))
			if !hashes[hex.EncodeToString(sum[:])] {
				t.Errorf("no SHA-256 of token %s… stored", tok[:14])
			}
		}
		if n != 5 {
			t.Errorf("%d tokens stored, want 5", n)
		}

		// Each creation and revocation is audited with who, from where.
		es, err := db.AuditLog(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range es {
			if !strings.HasPrefix(e.Action, "token.") {
				continue
			}
			counts[e.Action]++
			if e.Via != "api" || e.IP != "127.0.0.1" || e.RequestID == "" || e.Username == "" {
				t.Errorf("audit entry without its actor: %+v", e)
			}
		}
		if counts["token.create"] != 5 || counts["token.revoke"] != 1 {
			t.Errorf("audit counts = %v, want 5 creations and 1 revocation", counts)
		}

		// Issue 23: an administrator's password reset ends the tablet's
		// token with the interviewer's sessions.
		phone := createToken(t, interviewer, base, `{"name":"phone"}`)
		if res, b := withToken(t, phone.Token, "GET", base+"/api/v1/me", "", nil); res.StatusCode != 200 {
			t.Fatalf("the phone's token before the reset = %d %s", res.StatusCode, b)
		}
		if res, b := servertest.Send(t, admin, "POST", fmt.Sprintf("%s/api/v1/users/%d/password", base, users["interviewer"].ID), "application/json", `{}`, nil); res.StatusCode != 200 {
			t.Fatalf("password reset = %d %s", res.StatusCode, b)
		}
		if res, b := withToken(t, phone.Token, "GET", base+"/api/v1/me", "", nil); res.StatusCode != 401 {
			t.Errorf("the phone's token after its user's password reset = %d %s, want 401", res.StatusCode, b)
		}
	})
}
