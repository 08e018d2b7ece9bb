package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/request"
)

// Request body limits; the Server holds them as fields so tests can lower
// them.
const (
	defaultBodyLimit   = 8 << 20   // JSON and YAML bodies of the API
	defaultUploadLimit = 256 << 20 // a frame upload: a register of a million households is about 50 MB as CSV
)

// limitBody bounds the request body to limit() bytes: a larger
// Content-Length is refused before reading, and a body without one
// (chunked) fails with *http.MaxBytesError once it passes the limit, which
// bodyError turns into the 413. Nothing is read beyond the limit.
func limitBody(limit func() int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			n := limit()
			r := c.Request()
			if r.ContentLength > n {
				return request.TooLarge(n)
			}
			// The net/http writer (not echo's wrapper) so that net/http
			// closes the connection instead of reading the rest.
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, n)
			return next(c)
		}
	}
}
