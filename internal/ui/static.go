package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/web"
)

// StaticFile is one embedded file served under /static/ (and the tablet
// app's under /t/).
type StaticFile struct {
	Name string
	Body []byte
	ETag string // a strong ETag: the file's SHA-256, hex, in quotes
	// Gzip is Body compressed once at start (best compression), nil where
	// compressing saves too little (images, small files): served to a
	// browser that accepts gzip, so that a tablet's first load over 4G is
	// a third of the bytes without a proxy in front.
	Gzip []byte
}

// NewStaticFile makes the served form of a file: its ETag and, for text,
// its gzip'd body.
func NewStaticFile(name string, body []byte) StaticFile {
	sum := sha256.Sum256(body)
	f := StaticFile{Name: name, Body: body, ETag: `"` + hex.EncodeToString(sum[:]) + `"`}
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".html", ".json", ".svg", ".webmanifest", ".txt":
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(body)
		w.Close()
		if b.Len() < len(body)*9/10 {
			f.Gzip = b.Bytes()
		}
	}
	return f
}

// Serve answers a static file with its ETag and Cache-Control: no-cache,
// so a browser (and the tablet's service worker) keeps it and revalidates
// cheaply (If-None-Match with the same ETag answers 304); gzip'd when the
// browser accepts it (Vary: Accept-Encoding; the gzip'd answer has an ETag
// of its own, as the bytes differ).
func Serve(c echo.Context, f StaticFile, contentType string) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	if contentType != "" {
		h.Set(echo.HeaderContentType, contentType)
	}
	body, etag := f.Body, f.ETag
	if f.Gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
			body, etag = f.Gzip, strings.TrimSuffix(f.ETag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip")
			if contentType == "" {
				if ct := mime.TypeByExtension(path.Ext(f.Name)); ct != "" {
					h.Set(echo.HeaderContentType, ct) // not sniffed from the compressed bytes
				}
			}
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(c.Response(), c.Request(), path.Base(f.Name), time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reads an Accept-Encoding header (RFC 9110 §12.5.3): gzip
// (or *) listed with a weight above 0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		enc = strings.ToLower(strings.TrimSpace(enc))
		if enc != "gzip" && enc != "*" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q="); ok {
			var err error
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				q = 0
			}
		}
		return q > 0
	}
	return false
}

// StaticFiles reads the embedded static files and prepares each once per
// process (NewStaticFile). Directories are not listed and the modules' own
// tests (*.test.mjs, run by node --test) are not served.
var StaticFiles = sync.OnceValues(func() (map[string]StaticFile, error) {
	fsys := web.Static()
	files := map[string]StaticFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".test.mjs") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = NewStaticFile(p, b)
		return nil
	})
	return files, err
})
