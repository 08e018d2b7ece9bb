package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// uploadMemory is how much of a multipart upload is held in memory; the
// rest of a file goes to a temporary file.
const uploadMemory = 4 << 20

// TooLarge is the 413 of a body over limit bytes, stating the limit.
func TooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the request body is larger than the limit of %s", FormatBytes(limit))
}

// BodyError maps an error met while reading a request body: over the limit
// is a 413 stating it, anything else what is given as otherwise.
func BodyError(err error, otherwise error) error {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &mbe):
		return TooLarge(mbe.Limit)
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return apperr.New(apperr.TooLarge, "the form fields besides the file are too large")
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "the request body is too large")
	}
	return otherwise
}

// FormatBytes writes a size as people read it: 256 MB, 8 MB, 1.5 KB, 900 bytes.
func FormatBytes(n int64) string {
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

// UploadedFile reads a multipart upload's "file" field: anything but
// multipart is refused unread (it would be parsed into memory whole), at
// most uploadMemory of the body is held in memory and the rest waits in
// temporary files, which cleanup removes. what names the upload in the
// error ("the register"). A file name with text the service refuses is a
// 422 on the field.
func UploadedFile(c echo.Context, what string) (fh *multipart.FileHeader, cleanup func(), err error) {
	r := c.Request()
	notMultipart := apperr.WithFields("upload "+what+" as multipart form field \"file\"", map[string]string{"file": "required"})
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return nil, nil, notMultipart
	}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		return nil, nil, BodyError(err, notMultipart)
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

// Upload is a multipart upload's "file" field, opened. Close releases the
// file and the temporary files the request's form kept.
type Upload struct {
	multipart.File
	Name    string // the file name the client gave, without its directories
	Size    int64
	cleanup func()
}

// Close closes the file and removes the request's temporary files.
func (u *Upload) Close() error {
	err := u.File.Close()
	u.cleanup()
	return err
}

// OpenUpload is UploadedFile, opened: the one way a handler reads an
// uploaded file. The caller defers Close.
func OpenUpload(c echo.Context, what string) (*Upload, error) {
	fh, cleanup, err := UploadedFile(c, what)
	if err != nil {
		return nil, err
	}
	f, err := fh.Open()
	if err != nil {
		cleanup()
		return nil, apperr.Wrap(apperr.Internal, err, "open the upload")
	}
	return &Upload{File: f, Name: filepath.Base(fh.Filename), Size: fh.Size, cleanup: cleanup}, nil
}

// BindJSON decodes a JSON request body into v strictly: unknown fields and
// trailing data are errors, and a wrong type names the field.
func BindJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send a JSON body with Content-Type: application/json")
	}
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return BodyError(err, echo.NewHTTPError(http.StatusBadRequest, "could not read the request body"))
	}
	// Text a database would refuse (a NUL, invalid UTF-8) is named here,
	// before any handler sees it.
	if path, problem := textcheck.JSON(raw); problem != "" {
		if path == "" {
			path = "body"
		}
		return apperr.WithFields("text with invalid characters", map[string]string{path: problem})
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		if berr := BodyError(err, nil); berr != nil {
			return berr
		}
		switch {
		case errors.As(err, &te):
			return apperr.WithFields("wrong type in JSON body", map[string]string{te.Field: "must be " + te.Type.String()})
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON body")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return apperr.WithFields("unknown field in JSON body", map[string]string{f: "unknown field"})
		default:
			return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON body")
		}
	}
	if dec.More() {
		return echo.NewHTTPError(http.StatusBadRequest, "malformed JSON body: data after the object")
	}
	return nil
}

// FormValue returns a multipart (or URL-encoded) form value after
// checking its text, as checkText does for the fields it can see.
func FormValue(c echo.Context, name string, fields map[string]string) string {
	v := c.FormValue(name)
	if msg := textcheck.Field(v); msg != "" {
		fields[name] = msg
		return ""
	}
	return v
}
