package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The interviewer's tablet app lives at /t/ (web/static/tablet): its page,
// modules, manifest and service worker are served from there, so that the
// worker's scope is /t/ without any Service-Worker-Allowed header.

// tabletBuild is the app's version: a hash of all its files. It replaces
// __BUILD__ in sw.js, so a deployment that changes any file changes the
// worker's bytes, which is what makes browsers install the new version.
var tabletBuild = sync.OnceValues(func() (string, error) {
	files, err := staticFiles()
	if err != nil {
		return "", err
	}
	var names []string
	for name := range files {
		if strings.HasPrefix(name, "tablet/") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n + "\x00" + files[n].etag + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
})

// tabletWorker is sw.js with the build stamped in, and its ETag.
var tabletWorker = sync.OnceValues(func() (staticFile, error) {
	files, err := staticFiles()
	if err != nil {
		return staticFile{}, err
	}
	build, err := tabletBuild()
	if err != nil {
		return staticFile{}, err
	}
	body := bytes.ReplaceAll(files["tablet/sw.js"].body, []byte("__BUILD__"), []byte(build))
	sum := sha256.Sum256(body)
	return staticFile{name: "sw.js", body: body, etag: `"` + hex.EncodeToString(sum[:]) + `"`}, nil
})

// serveTablet serves /t/ (the app's page) and its files, with ETags and
// Cache-Control: no-cache like every static file; the service worker keeps
// its own copy for offline use.
func (s *Server) serveTablet(c echo.Context) error {
	name := c.Param("*")
	if name == "" {
		name = "index.html"
	}
	files, err := staticFiles()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "static files")
	}
	f, ok := files["tablet/"+name]
	if name == "sw.js" {
		if f, err = tabletWorker(); err != nil {
			return apperr.Wrap(apperr.Internal, err, "service worker")
		}
	}
	if !ok || strings.HasSuffix(name, ".test.mjs") {
		return apperr.New(apperr.NotFound, "no such file: %s", c.Request().URL.Path)
	}
	h := c.Response().Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	if path.Ext(name) == ".webmanifest" {
		h.Set(echo.HeaderContentType, "application/manifest+json")
	}
	http.ServeContent(c.Response(), c.Request(), path.Base(f.name), time.Time{}, bytes.NewReader(f.body))
	return nil
}
