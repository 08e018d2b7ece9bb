package ui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"
)

func TestEncodingQ(t *testing.T) {
	for _, c := range []struct {
		header, name string
		want         float64
	}{
		{"gzip, deflate, br", "gzip", 1}, {"gzip, deflate, br", "br", 1}, {"br;q=1.0, gzip;q=0.8", "gzip", 0.8},
		{"*", "gzip", 1}, {"GZIP", "gzip", 1}, {"", "gzip", 0}, {"br", "gzip", 0}, {"gzip;q=0", "gzip", 0},
		{"gzip; q=0.000", "gzip", 0}, {"identity", "gzip", 0}, {"gzip;q=0.001", "gzip", 0.001},
		{"*;q=0.5, br;q=0", "br", 0}, {"*;q=0.5, br;q=0", "gzip", 0.5}, {"gzip;q=x", "gzip", 0}, {"br;q=2", "br", 0},
	} {
		if got := encodingQ(c.header, c.name); got != c.want {
			t.Errorf("encodingQ(%q, %s) = %v, want %v", c.header, c.name, got, c.want)
		}
	}
}

// A static file is served Brotli or gzip'd to a browser that accepts it,
// each with an ETag of its own and Vary, and revalidates to 304 either way; an image
// is never compressed.
func TestServeGzip(t *testing.T) {
	js := NewStaticFile("tablet/app.js", []byte(strings.Repeat("export const x = 1;\n", 400)))
	if js.Gzip == nil || len(js.Gzip) > len(js.Body)/5 {
		t.Fatalf("gzip of repetitive JS: %d of %d bytes", len(js.Gzip), len(js.Body))
	}
	if png := NewStaticFile("icon.png", bytes.Repeat([]byte{0x89}, 4000)); png.Gzip != nil {
		t.Error("an image was compressed")
	}
	e := echo.New()
	serve := func(hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/t/app.js", nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		Serve(e.NewContext(r, w), js, "")
		return w
	}
	gz := serve(map[string]string{"Accept-Encoding": "gzip, br;q=0.9"})
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Vary") != "Accept-Encoding" ||
		!strings.HasPrefix(gz.Header().Get("Content-Type"), "text/javascript") || gz.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("gzip'd answer %d %v", gz.Code, gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); !bytes.Equal(b, js.Body) {
		t.Error("the gzip'd body does not inflate to the file")
	}
	plain := serve(nil)
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), js.Body) || plain.Header().Get("ETag") == gz.Header().Get("ETag") {
		t.Fatalf("plain answer %v", plain.Header())
	}
	// Brotli when the browser weighs it as high as gzip, as browsers do.
	if b := js.brotli(); b == nil || len(b) >= len(js.Gzip) {
		t.Fatalf("brotli of repetitive JS: %d bytes, gzip %d", len(b), len(js.Gzip))
	}
	br := serve(map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"})
	if br.Header().Get("Content-Encoding") != "br" || br.Header().Get("Vary") != "Accept-Encoding" || !strings.HasPrefix(br.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("brotli answer %v", br.Header())
	}
	if b, err := io.ReadAll(brotli.NewReader(br.Body)); err != nil || !bytes.Equal(b, js.Body) {
		t.Errorf("the brotli body does not decode to the file: %v", err)
	}
	etags := map[string]bool{gz.Header().Get("ETag"): true, br.Header().Get("ETag"): true, plain.Header().Get("ETag"): true}
	if len(etags) != 3 {
		t.Errorf("one ETag for two encodings: %v", etags)
	}
	for _, c := range []struct{ enc, etag string }{{"gzip", gz.Header().Get("ETag")}, {"br", br.Header().Get("ETag")}, {"", plain.Header().Get("ETag")}} {
		if w := serve(map[string]string{"Accept-Encoding": c.enc, "If-None-Match": c.etag}); w.Code != http.StatusNotModified {
			t.Errorf("revalidation (%q): %d", c.enc, w.Code)
		}
	}
}
