package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/web"
)

// staticFile is one embedded file served under /static/.
type staticFile struct {
	name string
	body []byte
	etag string // a strong ETag: the file's SHA-256, hex, in quotes
}

// staticFiles reads the embedded static files and hashes each once per
// process. Directories are not listed and the modules' own tests
// (*.test.mjs, run by node --test) are not served.
var staticFiles = sync.OnceValues(func() (map[string]staticFile, error) {
	fsys := web.Static()
	files := map[string]staticFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".test.mjs") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		files[p] = staticFile{name: p, body: b, etag: `"` + hex.EncodeToString(sum[:]) + `"`}
		return nil
	})
	return files, err
})

// serveStatic serves an embedded file with its ETag and Cache-Control:
// no-cache, so a browser (and later the tablet app) keeps it and
// revalidates cheaply: If-None-Match with the same ETag answers 304. A
// directory or unknown name is a 404 like any other.
func (s *Server) serveStatic(c echo.Context) error {
	files, err := staticFiles()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "static files")
	}
	f, ok := files[c.Param("*")]
	if !ok {
		return apperr.New(apperr.NotFound, "no such file: %s", c.Request().URL.Path)
	}
	h := c.Response().Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(c.Response(), c.Request(), f.name, time.Time{}, bytes.NewReader(f.body))
	return nil
}

// noStoreAPI marks every API response (households, addresses, answers,
// errors) Cache-Control: no-store before the handler runs; a handler with
// its own caching (a questionnaire version's ETag) sets its own header.
func noStoreAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}
