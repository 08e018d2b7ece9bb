package server_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// nextCases reads testdata/next.json, the table web/static/js/next.test.mjs
// runs as well.
func nextCases(t *testing.T) []struct{ Next, Want string } {
	t.Helper()
	b, err := os.ReadFile("testdata/next.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Cases []struct{ Next, Want string }
	}
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	return table.Cases
}

// browserResolve resolves ref against base as a browser's URL parser does
// (WHATWG URL standard, for http(s)): tabs and newlines are dropped,
// leading and trailing spaces and controls trimmed, backslashes read as
// slashes; scheme and host are then resolved with net/url, and the path is
// cleaned like a browser's: dot segments ("%2e" is a dot) removed, empty
// segments kept (Go's ResolveReference would fold a leading "//" into "/",
// which a browser does not).
func browserResolve(t *testing.T, base *url.URL, ref string) *url.URL {
	t.Helper()
	ref = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, ref)
	ref = strings.TrimFunc(ref, func(r rune) bool { return r <= 0x20 })
	ref = strings.ReplaceAll(ref, `\`, "/")
	u, err := url.Parse(ref)
	if err != nil {
		t.Fatalf("browser model cannot parse %q: %v", ref, err)
	}
	r := base.ResolveReference(u)
	if u.Scheme != "" || u.Host != "" || strings.HasPrefix(ref, "//") {
		return r // another scheme or authority: the host is the reference's
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		dir := base.EscapedPath()
		p = dir[:strings.LastIndex(dir, "/")+1] + p
	}
	var segs []string
	parts := strings.Split(p, "/")[1:]
	for i, s := range parts {
		last := i == len(parts)-1
		switch strings.ReplaceAll(strings.ToLower(s), "%2e", ".") {
		case ".":
			if last {
				segs = append(segs, "")
			}
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if last {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, s)
		}
	}
	out := *base
	out.RawPath = "/" + strings.Join(segs, "/")
	out.Path, _ = url.PathUnescape(out.RawPath)
	out.RawQuery, out.Fragment = u.RawQuery, u.Fragment
	return &out
}

// TestLocalPath: whatever next a link carries, the login sends the user to
// a page of this site, even after the page's script resolves the answer
// once more.
func TestLocalPath(t *testing.T) {
	origin, _ := url.Parse("https://minyi.example.gov.cn/login")
	for _, tc := range nextCases(t) {
		got := server.LocalPath(tc.Next)
		if got != tc.Want {
			t.Errorf("server.LocalPath(%q) = %q, want %q", tc.Next, got, tc.Want)
		}
		first := browserResolve(t, origin, got)
		if first.Host != origin.Host || first.Scheme != origin.Scheme {
			t.Errorf("server.LocalPath(%q) = %q leads to %s", tc.Next, got, first)
			continue
		}
		// The page hands the resolved path (and query) to location again.
		again := browserResolve(t, origin, first.EscapedPath()+"?"+first.RawQuery)
		if again.Host != origin.Host || again.EscapedPath() != first.EscapedPath() {
			t.Errorf("server.LocalPath(%q) = %q: resolved twice it leads to %s", tc.Next, got, again)
		}
	}
}

// TestBrowserModel: the model above reproduces what browsers do with the
// forms the probe used, so TestLocalPath tests against the real danger.
func TestBrowserModel(t *testing.T) {
	origin, _ := url.Parse("https://minyi.example.gov.cn/login")
	for ref, want := range map[string]string{
		"/.//evil.example":      "https://minyi.example.gov.cn//evil.example",
		"/a/..//evil.example/x": "https://minyi.example.gov.cn//evil.example/x",
		"//evil.example/x":      "https://evil.example/x",
		"/\\evil.example":       "https://evil.example",
		"/\t/evil.example":      "https://evil.example",
		"/%2e/x":                "https://minyi.example.gov.cn/x",
		"x/../y":                "https://minyi.example.gov.cn/y",
	} {
		if got := browserResolve(t, origin, ref).String(); got != want {
			t.Errorf("browser(%q) = %s, want %s", ref, got, want)
		}
	}
}

// TestLoginPageNext: the login page carries only the checked path.
func TestLoginPageNext(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, base, _ := servertest.NewTestServer(t, db)
	for next, want := range map[string]string{
		"/.//evil.example":      `data-next="/"`,
		"/a/..//evil.example/x": `data-next="/"`,
		"/surveys?lang=en":      `data-next="/surveys?lang=en"`,
	} {
		res, err := http.Get(base + "/login?next=" + url.QueryEscape(next))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(html.UnescapeString(string(b)), want) {
			t.Errorf("login?next=%s: page lacks %s", next, want)
		}
	}
}
