package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestHealth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		for _, path := range []string{"/healthz", "/readyz"} {
			res, err := http.Get(url + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("%s = %d", path, res.StatusCode)
			}
		}
		db.Close() // the database goes away: ready no more, alive still
		res, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || strings.Contains(string(b), "sql") {
			t.Fatalf("readyz on closed db = %d %s", res.StatusCode, b)
		}
		res, _ = http.Get(url + "/healthz")
		if res.StatusCode != 200 {
			t.Fatalf("healthz = %d", res.StatusCode)
		}
	})
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		c := servertest.Client(t)

		res, _ := c.Get(url + "/api/v1/me")
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("me before login = %d", res.StatusCode)
		}
		tests := []struct {
			name, body string
			status     int
			code       string
			field      string
		}{
			{"wrong password", `{"username":"analyst","password":"nope-nope-nope"}`, 401, "unauthenticated", ""},
			{"unknown user", `{"username":"ghost","password":"password-analyst"}`, 401, "unauthenticated", ""},
			{"missing fields", `{"username":""}`, 422, "invalid", "password"},
			{"unknown field", `{"username":"a","password":"b","admin":true}`, 422, "invalid", "admin"},
			{"wrong type", `{"username":5,"password":"b"}`, 422, "invalid", "username"},
			{"malformed", `{"username":`, 400, "bad_request", ""},
		}
		for _, tt := range tests {
			res, eb := servertest.PostJSON(t, c, url+"/api/v1/login", tt.body)
			if res.StatusCode != tt.status || eb.Error.Code != tt.code {
				t.Errorf("%s: %d %+v, want %d %s", tt.name, res.StatusCode, eb, tt.status, tt.code)
			}
			if tt.field != "" && eb.Error.Fields[tt.field] == "" {
				t.Errorf("%s: fields = %v, want %q", tt.name, eb.Error.Fields, tt.field)
			}
		}
		res, _ = servertest.PostJSON(t, c, url+"/api/v1/login", `{"username":"analyst","password":"password-analyst"}`)
		if res.StatusCode != 200 {
			t.Fatalf("login = %d", res.StatusCode)
		}
		ck := res.Cookies()[0]
		if ck.Name != server.SessionCookie || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie = %+v", ck)
		}
		res, _ = c.Get(url + "/api/v1/me")
		var me store.User
		json.NewDecoder(res.Body).Decode(&me)
		res.Body.Close()
		if res.StatusCode != 200 || me.Username != "analyst" || me.Role != store.RoleAnalyst {
			t.Fatalf("me = %d %+v", res.StatusCode, me)
		}
		// a forged cookie is refused
		forged := &http.Client{}
		req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: strings.SplitN(ck.Value, ".", 2)[0] + ".forged"})
		if res, _ := forged.Do(req); res.StatusCode != 401 {
			t.Fatalf("forged cookie = %d", res.StatusCode)
		}
		res, _ = servertest.PostJSON(t, c, url+"/api/v1/logout", `{}`)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("logout = %d", res.StatusCode)
		}
		// the old cookie value no longer works either
		req, _ = http.NewRequest("GET", url+"/api/v1/me", nil)
		req.AddCookie(ck)
		if res, _ := forged.Do(req); res.StatusCode != 401 {
			t.Fatalf("cookie after logout = %d", res.StatusCode)
		}
		es, _ := db.AuditLog(context.Background(), 50)
		var ok, failed int
		for _, e := range es {
			switch e.Action {
			case "login":
				ok++
			case "login.failed":
				failed++
			}
		}
		if ok != 1 || failed != 2 {
			t.Fatalf("audit: %d logins, %d failures; want 1 and 2", ok, failed)
		}
	})
}

func TestPagesRedirectToLogin(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	c := servertest.Client(t)
	req, _ := http.NewRequest("GET", url+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2F" {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	for _, lang := range []string{"zh-CN", "en"} {
		res, err := c.Get(url + "/login?lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := map[string]string{"zh-CN": "登录", "en": "Log in"}[lang]
		if res.StatusCode != 200 || !strings.Contains(string(b), want) || !strings.Contains(string(b), `lang="`+lang+`"`) {
			t.Fatalf("login page %s = %d, missing %q", lang, res.StatusCode, want)
		}
	}
	res, _ = c.Get(url + "/static/js/app.js")
	if res.StatusCode != 200 {
		t.Fatalf("static = %d", res.StatusCode)
	}
}

func TestErrorMapping(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, url, logs := servertest.NewTestServer(t, db)
	secret := errors.New("pq: relation \"users\" does not exist")
	s.Echo().GET("/test/kind/:k", func(c echo.Context) error {
		switch c.Param("k") {
		case "invalid":
			return apperr.WithFields("bad input", map[string]string{"A1": "required"})
		case "notfound":
			return apperr.New(apperr.NotFound, "round 7 not found")
		case "conflict":
			return apperr.New(apperr.Conflict, "already published")
		case "forbidden":
			return apperr.New(apperr.Forbidden, "no")
		case "unavailable":
			return apperr.Wrap(apperr.Unavailable, secret, "db down")
		case "busy":
			return apperr.Wrap(apperr.Busy, secret, "the database is busy: nothing was stored; send it again")
		case "panic":
			panic("boom")
		}
		return apperr.Wrap(apperr.Internal, secret, "load users")
	})
	tests := []struct {
		kind   string
		status int
		code   string
		msg    string
	}{
		{"invalid", 422, "invalid", "bad input"},
		{"notfound", 404, "not_found", "round 7 not found"},
		{"conflict", 409, "conflict", "already published"},
		{"forbidden", 403, "forbidden", "no"},
		{"unavailable", 503, "unavailable", "service temporarily unavailable"},
		{"busy", 503, "busy", "the database is busy: nothing was stored; send it again"},
		{"internal", 500, "internal", "internal error"},
		{"panic", 500, "internal", "internal error"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", url+"/test/kind/"+tt.kind, nil)
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var eb server.ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil {
			t.Fatalf("%s: body %q", tt.kind, b)
		}
		if res.StatusCode != tt.status || eb.Error.Code != tt.code || eb.Error.Message != tt.msg {
			t.Errorf("%s: %d %+v, want %d %s %q", tt.kind, res.StatusCode, eb.Error, tt.status, tt.code, tt.msg)
		}
		if strings.Contains(string(b), "pq:") || strings.Contains(string(b), "boom") {
			t.Errorf("%s: internal text leaked: %s", tt.kind, b)
		}
		if tt.status >= 500 && eb.Error.RequestID == "" {
			t.Errorf("%s: a 5xx must carry the request id", tt.kind)
		}
		if ra := res.Header.Get("Retry-After"); (tt.kind == "busy") != (ra != "") {
			t.Errorf("%s: Retry-After %q", tt.kind, ra)
		}
		if tt.kind == "invalid" && eb.Error.Fields["A1"] != "required" {
			t.Errorf("fields = %v", eb.Error.Fields)
		}
	}
	// Without Accept-Language (or with zh), the messages the catalog knows
	// are in Chinese, with their code and parameters.
	for _, tt := range []struct{ kind, msg, code string }{
		{"notfound", "找不到轮次 7", "round_not_found_2"},
		{"internal", "内部错误", "internal_error"},
		{"unavailable", "服务暂时不可用，请稍后再试", "service_unavailable"},
	} {
		var eb server.ErrorBody
		res, err := http.Get(url + "/test/kind/" + tt.kind)
		if err != nil {
			t.Fatal(err)
		}
		servertest.DecodeJSON(res, &eb)
		res.Body.Close()
		if eb.Error.Message != tt.msg || eb.Error.MessageCode != tt.code {
			t.Errorf("%s in zh-CN: %+v, want %q (%s)", tt.kind, eb.Error, tt.msg, tt.code)
		}
	}
	var eb server.ErrorBody
	res, err := http.Get(url + "/test/kind/invalid")
	if err != nil {
		t.Fatal(err)
	}
	servertest.DecodeJSON(res, &eb)
	res.Body.Close()
	if eb.Error.Fields["A1"] != "必填" || eb.Error.FieldCodes["A1"].Code == "" {
		t.Errorf("field messages in zh-CN: %v %v", eb.Error.Fields, eb.Error.FieldCodes)
	}
	logged := logs.String()
	if !strings.Contains(logged, `relation \"users\" does not exist`) || !strings.Contains(logged, "boom") {
		t.Errorf("internal errors must be logged:\n%s", logged)
	}
	res, _ = http.Get(url + "/no/such/route")
	if res.StatusCode != 404 {
		t.Errorf("unknown route = %d", res.StatusCode)
	}
}

func TestBodyLimitAndOrigin(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	big := `{"username":"` + strings.Repeat("x", 9<<20) + `","password":"p"}`
	res, eb := servertest.PostJSON(t, http.DefaultClient, url+"/api/v1/login", big)
	if res.StatusCode != http.StatusRequestEntityTooLarge || eb.Error.Code != "too_large" {
		t.Fatalf("big body = %d %+v", res.StatusCode, eb)
	}
	// the same without a Content-Length (chunked): caught while reading
	pr, pw := io.Pipe()
	go func() { io.WriteString(pw, big); pw.Close() }()
	res, err := http.Post(url+"/api/v1/login", "application/json", pr)
	if err != nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("big chunked body = %v, %v", res.StatusCode, err)
	}
	req, _ := http.NewRequest("POST", url+"/api/v1/login", strings.NewReader(`{"username":"analyst","password":"password-analyst"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin login = %d", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", url+"/api/v1/login", strings.NewReader(`{"username":"analyst","password":"password-analyst"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "null") // sandboxed frames and file: pages
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("login from Origin null = %v, %v", res.StatusCode, err)
	}
	res, _ = http.Post(url+"/api/v1/login", "text/plain", strings.NewReader(`{}`))
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain login = %d", res.StatusCode)
	}
}

func TestRequireRole(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, url, _ := servertest.NewTestServer(t, db)
	s.Echo().GET("/test/analysts", func(c echo.Context) error { return c.String(200, "ok") }, s.Authenticated, server.Require(store.RoleAnalyst))
	for role, want := range map[string]int{store.RoleAnalyst: 200, store.RoleAdmin: 200, store.RoleInterviewer: 403} {
		c := servertest.Client(t)
		if res, _ := servertest.PostJSON(t, c, url+"/api/v1/login", `{"username":"`+role+`","password":"password-`+role+`"}`); res.StatusCode != 200 {
			t.Fatalf("login %s = %d", role, res.StatusCode)
		}
		res, _ := c.Get(url + "/test/analysts")
		if res.StatusCode != want {
			t.Errorf("%s = %d, want %d", role, res.StatusCode, want)
		}
	}
}

// TestGracefulShutdown cancels the server while a request is in flight: the
// request completes, new connections are refused, Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, _, _ := servertest.NewTestServer(t, db)
	started, release := make(chan struct{}), make(chan struct{})
	s.Echo().GET("/test/slow", func(c echo.Context) error {
		close(started)
		<-release
		return c.String(200, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	got := make(chan string, 1)
	go func() {
		res, err := http.Get(url + "/test/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	// Shutdown closes the listener first; wait until it does.
	for range 100 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		conn.Close()
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	default:
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve = %v", err)
	}
}

// TestReadyDuringLongWrite: on SQLite a long write (a frame import) holds
// the only writer connection; readiness must not wait for it.
func TestReadyDuringLongWrite(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *sqlx.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	res, err := http.Get(url + "/readyz")
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("readyz during a write = %d", res.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The session cookie is Secure, and Strict-Transport-Security sent, when
// the request came over HTTPS: behind a trusted proxy that says so
// (X-Forwarded-Proto), or with an https base URL; not when an untrusted
// client claims it. Pages forbid other bases and form targets in their CSP.
// (Issue 23 item 8: X-Forwarded-Proto from a trusted proxy set nothing,
// and no Strict-Transport-Security was sent even with an https base URL.)
func TestHTTPSBehindAProxy(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	servertest.SeedUsers(t, db)
	loopback, _ := config.ParseProxies("127.0.0.1")
	for _, c := range []struct {
		name   string
		cfg    config.Config
		header map[string]string
		secure bool
	}{
		{"trusted proxy, https", config.Config{TrustedProxies: loopback}, map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"trusted proxy, http", config.Config{TrustedProxies: loopback}, map[string]string{"X-Forwarded-Proto": "http"}, false},
		{"untrusted client claims https", config.Config{}, map[string]string{"X-Forwarded-Proto": "https"}, false},
		{"https base URL", config.Config{BaseURL: "https://minyi.example.gov.cn"}, nil, true},
		{"plain", config.Config{}, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.Addr, cfg.SessionTTL, cfg.MinCell = "127.0.0.1:0", time.Hour, 30
			_, url, _ := servertest.StartServer(t, db, cfg)
			hdr := map[string]string{"Origin": url}
			for k, v := range c.header {
				hdr[k] = v
			}
			if cfg.BaseURL != "" {
				hdr["Origin"] = cfg.BaseURL
			}
			res, b := servertest.Send(t, &http.Client{}, "POST", url+"/api/v1/login", "application/json", `{"username":"admin","password":"password-admin"}`, hdr)
			if res.StatusCode != 200 {
				t.Fatalf("login = %d %s", res.StatusCode, b)
			}
			ck := res.Cookies()
			if len(ck) != 1 || ck[0].Secure != c.secure {
				t.Errorf("cookie %+v, want Secure %v", ck, c.secure)
			}
			if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != c.secure {
				t.Errorf("Strict-Transport-Security %q, want it %v", hsts, c.secure)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "base-uri 'none'") || !strings.Contains(csp, "form-action 'self'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

// A write with the session cookie must say it comes from this site, as a
// browser's does (issue 23 item 5: with the admin's cookie and no Origin,
// POST /api/v1/users/{id}/disable and the other bodyless routes went
// through): an Origin of this site or Sec-Fetch-Site: same-origin; neither,
// or a foreign Referer, is a 403 and changes nothing.
func TestCookieWritesSayWhereTheyComeFrom(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	admin := servertest.Login(t, url, store.RoleAdmin)
	raw := &http.Client{Jar: admin.Jar} // the same cookie, sent as a foreign page's form would
	analyst, err := db.UserByUsername(context.Background(), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	disable := fmt.Sprintf("%s/api/v1/users/%d/disable", url, analyst.ID)
	for _, c := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no Origin, no Sec-Fetch-Site", nil, 403},
		{"a form's content type", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 403},
		{"foreign Referer only", map[string]string{"Referer": "https://evil.example/page"}, 403},
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}, 403},
		{"same-origin fetch without Origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
	} {
		res, b := servertest.Send(t, raw, "POST", disable, "", "", c.header)
		if res.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, res.StatusCode, b, c.want)
		}
		u, _ := db.UserByUsername(context.Background(), "analyst")
		if u.Disabled != (c.want == 200) {
			t.Errorf("%s: analyst disabled %v", c.name, u.Disabled)
		}
	}
	// With its own Origin the write goes through; a bearer token needs none.
	if res, b := servertest.Send(t, raw, "POST", fmt.Sprintf("%s/api/v1/users/%d/enable", url, analyst.ID), "", "", map[string]string{"Origin": url}); res.StatusCode != 200 {
		t.Errorf("enable with this site's Origin: %d %s", res.StatusCode, b)
	}
	if res, _ := servertest.Send(t, raw, "POST", url+"/api/v1/logout", "", "", nil); res.StatusCode != 403 {
		t.Errorf("logout with the cookie and no Origin: %d", res.StatusCode)
	}
}
