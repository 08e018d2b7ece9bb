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

	"github.com/andybalholm/brotli"
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
	// brotli is Body compressed with Brotli (quality 11), made when a
	// browser first asks for it (it takes seconds for all the files, too
	// long for every start), nil where it saves nothing over gzip: a
	// further 10–15 % off the tablet's modules for the browsers that ask
	// for it (all of them, over HTTPS).
	brotli func() []byte
}

// NewStaticFile makes the served form of a file: its ETag and, for text,
// its gzip'd and Brotli bodies.
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
			f.brotli = sync.OnceValue(func() []byte {
				var br bytes.Buffer
				w := brotli.NewWriterLevel(&br, brotli.BestCompression)
				w.Write(body)
				w.Close()
				if br.Len() >= len(f.Gzip) {
					return nil
				}
				return br.Bytes()
			})
		}
	}
	return f
}

// Serve answers a static file with its ETag and Cache-Control: no-cache,
// so a browser (and the tablet's service worker) keeps it and revalidates
// cheaply (If-None-Match with the same ETag answers 304); compressed when
// the browser accepts it, Brotli before gzip unless it weighs gzip higher
// (Vary: Accept-Encoding; each encoding has an ETag of its own, as the
// bytes differ).
func Serve(c echo.Context, f StaticFile, contentType string) {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	if contentType != "" {
		h.Set(echo.HeaderContentType, contentType)
	}
	body, etag := f.Body, f.ETag
	if f.Gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		ae := c.Request().Header.Get("Accept-Encoding")
		br, gz := encodingQ(ae, "br"), encodingQ(ae, "gzip")
		enc := ""
		if br > 0 && br >= gz {
			if b := f.brotli(); b != nil {
				body, enc = b, "br"
			}
		}
		if enc == "" && gz > 0 {
			body, enc = f.Gzip, "gzip"
		}
		if enc != "" {
			etag = strings.TrimSuffix(f.ETag, `"`) + "-" + enc + `"`
			h.Set("Content-Encoding", enc)
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

// encodingQ reads an Accept-Encoding header (RFC 9110 §12.5.3): the
// weight it gives the content coding name, or "*" when it does not list
// it; 0 when neither is listed or the weight is 0 or unreadable.
func encodingQ(header, name string) float64 {
	star := 0.0
	for _, part := range strings.Split(header, ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		enc = strings.ToLower(strings.TrimSpace(enc))
		if enc != name && enc != "*" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.ToLower(params), " ", ""), "q="); ok {
			var err error
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				q = 0
			}
		}
		if enc == name {
			return q
		}
		star = q
	}
	return star
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
