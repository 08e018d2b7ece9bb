package server

import (
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Request body limits; the Server holds them as fields so tests can lower
// them.
const (
	defaultBodyLimit   = 8 << 20   // JSON and YAML bodies of the API
	defaultUploadLimit = 256 << 20 // a frame upload: a register of a million households is about 50 MB as CSV
	// uploadMemory is how much of a multipart upload is held in memory;
	// the rest of a file goes to a temporary file.
	uploadMemory = 4 << 20
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
				return tooLarge(n)
			}
			// The net/http writer (not echo's wrapper) so that net/http
			// closes the connection instead of reading the rest.
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, n)
			return next(c)
		}
	}
}

// tooLarge is the 413 of a body over limit bytes, stating the limit.
func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the request body is larger than the limit of %s", formatBytes(limit))
}

// bodyError maps an error met while reading a request body: over the limit
// is a 413 stating it, anything else what is given as otherwise.
func bodyError(err error, otherwise error) error {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return apperr.New(apperr.TooLarge, "the form fields besides the file are too large")
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "the request body is too large")
	}
	return otherwise
}

// formatBytes writes a size as people read it: 256 MB, 8 MB, 1.5 KB, 900 bytes.
func formatBytes(n int64) string {
	const k = 1 << 10
	switch {
	case n >= k*k && n%(k*k) == 0:
		return fmt.Sprintf("%d MB", n/(k*k))
	case n >= k*k:
		return fmt.Sprintf("%.1f MB", float64(n)/(k*k))
	case n >= k && n%k == 0:
		return fmt.Sprintf("%d KB", n/k)
	case n >= k:
		return fmt.Sprintf("%.1f KB", float64(n)/k)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// uploadedFile reads a multipart upload's "file" field: anything but
// multipart is refused unread (it would be parsed into memory whole), at
// most uploadMemory of the body is held in memory and the rest waits in
// temporary files, which cleanup removes. what names the upload in the
// error ("the register"). A file name with text the service refuses is a
// 422 on the field.
func uploadedFile(c echo.Context, what string) (fh *multipart.FileHeader, cleanup func(), err error) {
	r := c.Request()
	notMultipart := apperr.WithFields("upload "+what+" as multipart form field \"file\"", map[string]string{"file": "required"})
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return nil, nil, notMultipart
	}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		return nil, nil, bodyError(err, notMultipart)
	}
	cleanup = func() { r.MultipartForm.RemoveAll() }
	if fh, err = c.FormFile("file"); err != nil {
		cleanup()
		return nil, nil, notMultipart
	}
	if msg := textcheck.Field(fh.Filename); msg != "" {
		cleanup()
		return nil, nil, apperr.WithFields("invalid file name", map[string]string{"file": "the file name " + msg})
	}
	return fh, cleanup, nil
}
