package server_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/web"
)

// samplePath fills a route's parameters with plausible values.
func samplePath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		switch {
		case p == "*":
			parts[i] = "js/app.js"
		case p == ":lang":
			parts[i] = "en"
		case p == ":version" || p == ":id":
			parts[i] = "1"
		case strings.HasPrefix(p, ":"):
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

// getRoutes lists the paths of every GET route of s.
func getRoutes(s *server.Server) []string {
	var out []string
	for _, r := range s.Echo().Routes() {
		if r.Method == http.MethodGet {
			out = append(out, samplePath(r.Path))
		}
	}
	return out
}

// TestHeadEveryGetRoute: HEAD works wherever GET does, with the same status
// and headers and no body, logged in or not.
func TestHeadEveryGetRoute(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, base, logs := servertest.NewTestServer(t, db)
	routes := getRoutes(s)
	if len(routes) < 10 {
		t.Fatalf("only %d GET routes found: %v", len(routes), routes)
	}
	for name, c := range map[string]*http.Client{"anonymous": servertest.Client(t), "admin": servertest.Login(t, base, store.RoleAdmin)} {
		for _, path := range append(routes, "/no/such/page") {
			for _, accept := range []string{"application/json", "text/html"} {
				// One representation for both: Go's client asks for gzip on a
				// GET by itself, never on a HEAD.
				hdr := map[string]string{"Accept": accept, "Accept-Encoding": "identity"}
				get, getBody := servertest.Do(t, c, "GET", base+path, hdr)
				head, headBody := servertest.Do(t, c, "HEAD", base+path, hdr)
				if head.StatusCode != get.StatusCode || head.StatusCode == http.StatusMethodNotAllowed {
					t.Errorf("%s HEAD %s (%s) = %d, GET = %d", name, path, accept, head.StatusCode, get.StatusCode)
				}
				if len(headBody) != 0 {
					t.Errorf("%s HEAD %s sent a body of %d bytes", name, path, len(headBody))
				}
				for _, h := range []string{"Content-Type", "Cache-Control", "ETag", "Location"} {
					if head.Header.Get(h) != get.Header.Get(h) {
						t.Errorf("%s HEAD %s: %s = %q, GET has %q", name, path, h, head.Header.Get(h), get.Header.Get(h))
					}
				}
				if cl := head.Header.Get("Content-Length"); cl != "" && get.ContentLength >= 0 && cl != strings.TrimSpace(itoa(len(getBody))) {
					t.Errorf("%s HEAD %s: Content-Length %s, GET body %d", name, path, cl, len(getBody))
				}
			}
		}
	}
	logged := logs.String()
	if !strings.Contains(logged, `"method":"HEAD"`) {
		t.Error("the access log must name HEAD requests as such")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestErrorShapes: every error of the service has the JSON error shape, or
// is the HTML error page for a page navigation.
func TestErrorShapes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, base, _ := servertest.NewTestServer(t, db)
	c := servertest.Client(t)
	for _, tt := range []struct {
		path   string
		status int
		code   string
	}{
		{"/static/", 404, "not_found"},
		{"/static/js", 404, "not_found"},
		{"/static/js/", 404, "not_found"},
		{"/static/nope.js", 404, "not_found"},
		{"/static/js/next.test.mjs", 404, "not_found"},
		{"/static/../go.mod", 404, "not_found"},
		{"/no/such/route", 404, "not_found"},
		{"/api/v1/no/such", 404, "not_found"},
	} {
		res, b := servertest.Do(t, c, "GET", base+tt.path, nil)
		var eb server.ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil || res.StatusCode != tt.status || eb.Error.Code != tt.code || eb.Error.Message == "" ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s = %d %q %s", tt.path, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
		// A browser navigating there gets the error page, in its language
		// (API paths always answer JSON).
		for lang, want := range map[string]string{"zh-CN": "页面不存在", "en": "Page not found"} {
			res, b := servertest.Do(t, c, "GET", base+tt.path, map[string]string{"Accept": "text/html,application/xhtml+xml", "Accept-Language": lang})
			wantType := "text/html"
			if strings.HasPrefix(tt.path, "/api/") {
				wantType, want = "application/json", `"code":"not_found"`
			}
			if res.StatusCode != tt.status || !strings.HasPrefix(res.Header.Get("Content-Type"), wantType) ||
				!strings.Contains(string(b), want) || res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("page GET %s (%s) = %d %q: %.200s", tt.path, lang, res.StatusCode, res.Header.Get("Content-Type"), b)
			}
		}
	}

	// Errors net/http answers before any handler: a bad %-escape, a
	// malformed request line, headers too large.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, ln)
	for _, tt := range []struct {
		name, raw string
		status    int
		code      string
	}{
		{"bad escape", "GET /static/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"},
		{"bad escape in API", "GET /api/v1/surveys/%G1 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"},
		{"no host", "GET / HTTP/1.1\r\n\r\n", 400, "bad_request"},
		{"huge header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 431, "headers_too_large"},
		{"bad transfer encoding", "POST /api/v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "not_implemented"},
	} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		go io.WriteString(conn, tt.raw)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		b, _ := io.ReadAll(res.Body)
		conn.Close()
		var eb server.ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil || res.StatusCode != tt.status || eb.Error.Code != tt.code || eb.Error.Message == "" ||
			res.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q %s", tt.name, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
	// An ordinary answer through the same listener is untouched.
	res, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz through the wrapped listener: %v %v", res, err)
	}
}

// TestStaticCaching: every embedded file is served with its content hash as
// ETag and Cache-Control: no-cache, and revalidates with a 304.
func TestStaticCaching(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, base, _ := servertest.NewTestServer(t, db)
	c := servertest.Client(t)
	n := 0
	err := fs.WalkDir(web.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".test.mjs") {
			return err
		}
		n++
		content, _ := fs.ReadFile(web.Static(), p)
		sum := sha256.Sum256(content)
		etag := `"` + hex.EncodeToString(sum[:]) + `"`
		plain := map[string]string{"Accept-Encoding": "identity"}
		res, b := servertest.Do(t, c, "GET", base+"/static/"+p, plain)
		if res.StatusCode != 200 || !bytes.Equal(b, content) || res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET /static/%s = %d, ETag %q, Cache-Control %q", p, res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
		}
		res, b = servertest.Do(t, c, "GET", base+"/static/"+p, map[string]string{"Accept-Encoding": "identity", "If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified || len(b) != 0 {
			t.Errorf("revalidate /static/%s = %d", p, res.StatusCode)
		}
		if res, _ := servertest.Do(t, c, "GET", base+"/static/"+p, map[string]string{"Accept-Encoding": "identity", "If-None-Match": `"old"`}); res.StatusCode != 200 {
			t.Errorf("stale ETag /static/%s = %d", p, res.StatusCode)
		}
		// Scripts, styles and strings go gzip'd to a browser that takes it,
		// with an ETag of their own that revalidates too.
		res, b = servertest.Do(t, c, "GET", base+"/static/"+p, map[string]string{"Accept-Encoding": "gzip"})
		if text := strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css"); text && len(content) > 2000 {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil || res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("GET /static/%s with gzip: %v %v", p, res.Header, err)
				return nil
			}
			if inflated, _ := io.ReadAll(zr); !bytes.Equal(inflated, content) {
				t.Errorf("GET /static/%s with gzip: the body does not inflate to the file", p)
			}
			if res, _ := servertest.Do(t, c, "GET", base+"/static/"+p, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": res.Header.Get("ETag")}); res.StatusCode != http.StatusNotModified {
				t.Errorf("revalidate gzip'd /static/%s = %d", p, res.StatusCode)
			}
		}
		return nil
	})
	if err != nil || n < 3 {
		t.Fatalf("walked %d static files: %v", n, err)
	}
	res, _ := servertest.Do(t, c, "GET", base+"/static/js/app.js", nil)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type = %q", ct)
	}
}

// TestAPINoStore: no API answer may be kept by a browser or a proxy, except
// one that sets its own validators (a questionnaire version's ETag).
func TestAPINoStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, base, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, base, store.RoleAdmin)
		anon := servertest.Client(t)
		checked := 0
		for _, path := range append(getRoutes(s), "/api/v1/nope") {
			if !strings.HasPrefix(path, "/api/") {
				continue
			}
			for who, c := range map[string]*http.Client{"admin": admin, "anonymous": anon} {
				res, _ := servertest.Do(t, c, "GET", base+path, nil)
				cc := res.Header.Get("Cache-Control")
				if res.Header.Get("ETag") != "" && res.StatusCode < 300 {
					if !strings.Contains(cc, "private") || !strings.Contains(cc, "must-revalidate") {
						t.Errorf("%s GET %s (%d, with ETag): Cache-Control %q", who, path, res.StatusCode, cc)
					}
				} else if cc != "no-store" {
					t.Errorf("%s GET %s (%d): Cache-Control %q, want no-store", who, path, res.StatusCode, cc)
				}
				checked++
			}
		}
		for _, path := range []string{"/api/v1/login", "/api/v1/samples"} {
			res, _ := servertest.PostJSON(t, admin, base+path, `{}`)
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("POST %s (%d): Cache-Control %q", path, res.StatusCode, res.Header.Get("Cache-Control"))
			}
		}
		if checked < 10 {
			t.Fatalf("checked only %d API answers", checked)
		}
	})
}
