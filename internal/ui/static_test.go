package ui

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"gzip, deflate, br": true, "br;q=1.0, gzip;q=0.8": true, "*": true, "GZIP": true,
		"": false, "br": false, "gzip;q=0": false, "gzip; q=0.000": false, "identity": false, "gzip;q=0.001": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

// A static file is served gzip'd to a browser that accepts it, with an
// ETag of its own and Vary, and revalidates to 304 either way; an image
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
	gz := serve(map[string]string{"Accept-Encoding": "gzip, br"})
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
	for _, c := range []struct{ enc, etag string }{{"gzip", gz.Header().Get("ETag")}, {"", plain.Header().Get("ETag")}} {
		if w := serve(map[string]string{"Accept-Encoding": c.enc, "If-None-Match": c.etag}); w.Code != http.StatusNotModified {
			t.Errorf("revalidation (%q): %d", c.enc, w.Code)
		}
	}
}
