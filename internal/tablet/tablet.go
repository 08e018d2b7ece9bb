// Package tablet is the interviewer's face of the web interface: the
// offline tablet app (web/static/tablet), served at /t/ with its build
// stamped into the service worker. The app itself is plain ES modules; the
// JSON API is all it talks to.
package tablet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/ui"
)

// The interviewer's tablet app lives at /t/ (web/static/tablet): its page,
// modules, manifest and service worker are served from there, so that the
// worker's scope is /t/ without any Service-Worker-Allowed header.

// Build is the app's version: a hash of all its files. It replaces
// __BUILD__ in sw.js, so a deployment that changes any file changes the
// worker's bytes, which is what makes browsers install the new version.
var Build = sync.OnceValues(func() (string, error) {
	files, err := ui.StaticFiles()
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
		h.Write([]byte(n + "\x00" + files[n].ETag + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
})

// worker is sw.js with the build stamped in, and its ETag.
var worker = sync.OnceValues(func() (ui.StaticFile, error) {
	files, err := ui.StaticFiles()
	if err != nil {
		return ui.StaticFile{}, err
	}
	build, err := Build()
	if err != nil {
		return ui.StaticFile{}, err
	}
	body := bytes.ReplaceAll(files["tablet/sw.js"].Body, []byte("__BUILD__"), []byte(build))
	return ui.NewStaticFile("sw.js", body), nil
})

// Serve serves /t/ (the app's page) and its files, with ETags and
// Cache-Control: no-cache like every static file; the service worker keeps
// its own copy for offline use.
func Serve(c echo.Context) error {
	name := c.Param("*")
	if name == "" {
		name = "index.html"
	}
	files, err := ui.StaticFiles()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "static files")
	}
	f, ok := files["tablet/"+name]
	if name == "sw.js" {
		if f, err = worker(); err != nil {
			return apperr.Wrap(apperr.Internal, err, "service worker")
		}
	}
	if !ok || strings.HasSuffix(name, ".test.mjs") {
		return apperr.New(apperr.NotFound, "no such file: %s", c.Request().URL.Path)
	}
	ct := ""
	if path.Ext(name) == ".webmanifest" {
		ct = "application/manifest+json"
	}
	ui.Serve(c, f, ct)
	return nil
}
