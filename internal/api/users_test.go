package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// addSupervisor adds the user "supervisor" (password "password-supervisor")
// of street 城关街道, which servertest.NewTestServer does not create.
func addSupervisor(t *testing.T, db *store.DB) int64 {
	t.Helper()
	h, err := auth.HashPassword("password-supervisor")
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Street(t, db, "城关街道")
	id, err := db.CreateUser(context.Background(), store.NewUser{Username: "supervisor", Role: store.RoleSupervisor, StreetID: &st, PasswordHash: h}, store.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestUserRoutesByRole: every account route answers an admin, refuses the
// other roles (403) and anonymous callers (401).
func TestUserRoutesByRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		target := addSupervisor(t, db)
		routes := []struct{ method, path, body string }{
			{"GET", "/api/v1/users", ""},
			{"POST", "/api/v1/users", `{"username":"li.wei","role":"analyst"}`},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", target), `{"display_name":"王芳"}`},
			{"POST", fmt.Sprintf("/api/v1/users/%d/disable", target), ""},
			{"POST", fmt.Sprintf("/api/v1/users/%d/enable", target), ""},
			{"POST", fmt.Sprintf("/api/v1/users/%d/password", target), ""},
		}
		callers := []struct {
			role string
			want int
		}{
			{"", http.StatusUnauthorized},
			{store.RoleInterviewer, http.StatusForbidden},
			{store.RoleAnalyst, http.StatusForbidden},
			{store.RoleSupervisor, http.StatusForbidden},
			{store.RoleAdmin, 0}, // 200 or 201
		}
		for _, who := range callers {
			c := servertest.Client(t)
			if who.role != "" {
				c = servertest.Login(t, url, who.role)
			}
			for _, r := range routes {
				res, body := servertest.Send(t, c, r.method, url+r.path, "application/json", r.body, nil)
				ok := res.StatusCode == who.want || who.want == 0 && (res.StatusCode == 200 || res.StatusCode == 201)
				if !ok {
					t.Errorf("%s %s as %q = %d %s, want %d", r.method, r.path, who.role, res.StatusCode, body, who.want)
				}
			}
		}
	})
}

// TestUserAPI: create with a password shown once, change role and street,
// disable (ending sessions), enable, reset a password; errors as fields;
// every change audited with the admin, request id and address.
func TestUserAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		storetest.Street(t, db, "城关街道")
		storetest.Street(t, db, "南湖街道")
		admin := servertest.Login(t, url, store.RoleAdmin)

		res, body := servertest.Send(t, admin, "POST", url+"/api/v1/users", "application/json", `{"username":"wangfang","display_name":"王芳","role":"interviewer","street":"城关街道"}`, nil)
		var created struct {
			User     store.User `json:"user"`
			Password string     `json:"password"`
		}
		if err := json.Unmarshal(body, &created); err != nil || res.StatusCode != 201 || len(created.Password) != 16 || created.User.StreetName != "城关街道" {
			t.Fatalf("create = %d %s", res.StatusCode, body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("a password answer has Cache-Control %q", cc)
		}
		id := created.User.ID
		wang := servertest.Client(t)
		if res, _ := servertest.PostJSON(t, wang, url+"/api/v1/login", `{"username":"wangfang","password":"`+created.Password+`"}`); res.StatusCode != 200 {
			t.Fatalf("login with the generated password = %d", res.StatusCode)
		}

		bad := []struct {
			method, path, body string
			status             int
			field              string
		}{
			{"POST", "/api/v1/users", `{"username":"x y","role":"analyst"}`, 422, "username"},
			{"POST", "/api/v1/users", `{"username":"zhao","role":"interviewer"}`, 422, "street"},
			{"POST", "/api/v1/users", `{"username":"zhao","role":"analyst","street":"城关街道"}`, 422, "street"},
			{"POST", "/api/v1/users", `{"username":"zhao","role":"supervisor","street":"无此街道"}`, 422, "street"},
			{"POST", "/api/v1/users", `{"username":"zhao","role":"boss"}`, 422, "role"},
			{"POST", "/api/v1/users", `{"username":"zhao","role":"analyst","password":"chosen-by-me"}`, 422, "password"},
			{"POST", "/api/v1/users", `{"username":"wangfang","role":"analyst"}`, 409, ""},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", id), `{"role":"supervisor","street":"无此街道"}`, 422, "street"},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", id), `{}`, 422, "role"},
			{"PATCH", "/api/v1/users/abc", `{"display_name":"x"}`, 422, "id"},
			{"PATCH", "/api/v1/users/999999", `{"display_name":"x"}`, 404, ""},
			{"POST", "/api/v1/users/999999/disable", ``, 404, ""},
		}
		for _, b := range bad {
			res, body := servertest.Send(t, admin, b.method, url+b.path, "application/json", b.body, nil)
			var eb server.ErrorBody
			json.Unmarshal(body, &eb)
			if res.StatusCode != b.status || b.field != "" && eb.Error.Fields[b.field] == "" {
				t.Errorf("%s %s %s = %d %s, want %d with field %q", b.method, b.path, b.body, res.StatusCode, body, b.status, b.field)
			}
		}
		if res, _ := servertest.Send(t, wang, "GET", url+"/api/v1/me", "", "", nil); res.StatusCode != 200 {
			t.Fatalf("a refused change ended the session: %d", res.StatusCode)
		}

		res, body = servertest.Send(t, admin, "PATCH", fmt.Sprintf("%s/api/v1/users/%d", url, id), "application/json", `{"role":"supervisor","street":"南湖街道"}`, nil)
		var u store.User
		if json.Unmarshal(body, &u); res.StatusCode != 200 || u.Role != store.RoleSupervisor || u.StreetName != "南湖街道" {
			t.Fatalf("patch = %d %s", res.StatusCode, body)
		}
		if res, _ := servertest.Send(t, wang, "GET", url+"/api/v1/me", "", "", nil); res.StatusCode != 401 {
			t.Fatalf("a role change kept the session: %d", res.StatusCode)
		}

		res, body = servertest.Send(t, admin, "POST", fmt.Sprintf("%s/api/v1/users/%d/password", url, id), "", "", nil)
		var reset struct{ Password string }
		if json.Unmarshal(body, &reset); res.StatusCode != 200 || len(reset.Password) != 16 || reset.Password == created.Password {
			t.Fatalf("reset = %d %s", res.StatusCode, body)
		}
		if res, _ := servertest.PostJSON(t, wang, url+"/api/v1/login", `{"username":"wangfang","password":"`+reset.Password+`"}`); res.StatusCode != 200 {
			t.Fatalf("login with the reset password = %d", res.StatusCode)
		}

		res, body = servertest.Send(t, admin, "POST", fmt.Sprintf("%s/api/v1/users/%d/disable", url, id), "", "", nil)
		if json.Unmarshal(body, &u); res.StatusCode != 200 || !u.Disabled {
			t.Fatalf("disable = %d %s", res.StatusCode, body)
		}
		if res, _ := servertest.Send(t, wang, "GET", url+"/api/v1/me", "", "", nil); res.StatusCode != 401 {
			t.Fatalf("a disabled user's session works: %d", res.StatusCode)
		}
		if res, _ := servertest.PostJSON(t, wang, url+"/api/v1/login", `{"username":"wangfang","password":"`+reset.Password+`"}`); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a disabled user's login = %d, want 403", res.StatusCode)
		}
		if res, body := servertest.Send(t, admin, "POST", fmt.Sprintf("%s/api/v1/users/%d/enable", url, id), "", "", nil); res.StatusCode != 200 {
			t.Fatalf("enable = %d %s", res.StatusCode, body)
		}
		if res, _ := servertest.PostJSON(t, wang, url+"/api/v1/login", `{"username":"wangfang","password":"`+reset.Password+`"}`); res.StatusCode != 200 {
			t.Fatalf("an enabled user cannot log in: %d", res.StatusCode)
		}

		// The only admin cannot disable or demote themselves.
		me, _ := db.UserByUsername(context.Background(), store.RoleAdmin)
		if res, body := servertest.Send(t, admin, "POST", fmt.Sprintf("%s/api/v1/users/%d/disable", url, me.ID), "", "", nil); res.StatusCode != 409 {
			t.Fatalf("disable the last admin = %d %s", res.StatusCode, body)
		}
		if res, body := servertest.Send(t, admin, "PATCH", fmt.Sprintf("%s/api/v1/users/%d", url, me.ID), "application/json", `{"role":"analyst"}`, nil); res.StatusCode != 409 {
			t.Fatalf("demote the last admin = %d %s", res.StatusCode, body)
		}

		res, body = servertest.Send(t, admin, "GET", url+"/api/v1/users", "", "", nil)
		if res.StatusCode != 200 || strings.Contains(string(body), "password_hash") || strings.Contains(string(body), "$2a$") || !strings.Contains(string(body), "wangfang") {
			t.Fatalf("list = %d %s", res.StatusCode, body)
		}

		// Audited: each change once, by the admin, through the API, with the
		// request id and the client address.
		es, err := db.AuditLog(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range es {
			if e.ObjectID != "wangfang" || !strings.HasPrefix(e.Action, "user.") { // not the logins
				continue
			}
			count[e.Action]++
			if e.Via != "api" || e.Username != "admin" || e.RequestID == "" || e.IP != "127.0.0.1" {
				t.Errorf("audit entry %+v: want via api by admin with request id and ip", e)
			}
		}
		want := map[string]int{"user.create": 1, "user.update": 1, "user.passwd": 1, "user.disable": 1, "user.enable": 1}
		for a, n := range want {
			if count[a] != n {
				t.Errorf("%d %s entries, want %d (all: %v)", count[a], a, n, count)
			}
		}
	})
}
