package server

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/ui"

	"github.com/minyi-survey/minyi/internal/tablet"
)

func (s *Server) webRoutes() {
	e := s.e
	e.GET("/static/*", s.serveStatic)
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
	})
	e.GET("/i18n/:lang", s.i18n)
	e.GET("/t", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/t/") })
	e.GET("/t/*", tablet.Serve) // the tablet app (internal/tablet)
	e.GET("/login", s.loginPage)
	// Public: an account slip's QR code; the code is the credential, used
	// once (password.go).
	e.GET("/login/code/:code", s.loginCode)
	// Public: a tablet fetches the office's authority before it can trust
	// the server (serve --tls-local; 404 without).
	e.GET("/ca.crt", s.office.CACert)
	s.registerPages() // pages.go
}

// i18n serves a language's strings as a static file (ETag, no-cache,
// gzip'd): the tablet preloads them on every start.
func (s *Server) i18n(c echo.Context) error {
	lang := s.pages.Lang(strings.TrimSuffix(c.Param("lang"), ".json")) // a language minyi has: the map stays small
	f, _ := s.strings.LoadOrStore(lang, sync.OnceValue(func() ui.StaticFile { return ui.NewStaticFile(lang+".json", s.pages.StringsJSON(lang)) }))
	ui.Serve(c, f.(func() ui.StaticFile)(), echo.MIMEApplicationJSON)
	return nil
}

func (s *Server) loginPage(c echo.Context) error {
	return s.ui.Render(c, "login", "login.title", localPath(c.QueryParam("next")))
}

// localPath returns next as a path on this site, or "/": the page a login
// returns to must not send the user elsewhere. It resolves next as a
// browser does against the service's own origin (dot segments removed,
// "%2e" counting as a dot) and returns the resolved form, which must be a
// path: a result starting with "//" would be read as another host when the
// page uses it ("/.//evil.example", "/a/..//evil.example"). Backslashes
// (read as slashes) and control characters (tabs and newlines are dropped
// by browsers) are refused outright. web/static/js/next.js does the same
// in the browser; testdata/next.json is the table both are tested with.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	p := removeDotSegments(u.EscapedPath())
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		p += "#" + u.EscapedFragment()
	}
	return p
}

// removeDotSegments resolves "." and ".." segments of an absolute path the
// way the WHATWG URL standard (and so every browser) does: "%2e" is a dot,
// empty segments are kept, and a final dot segment leaves a trailing slash.
func removeDotSegments(p string) string {
	segs := strings.Split(p, "/")[1:]
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		last := i == len(segs)-1
		switch strings.ReplaceAll(strings.ToLower(seg), "%2e", ".") {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}
