package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/msgs"
)

// ErrorBody is the JSON shape of every error answer (tests and clients
// decode it).
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error answer's content: a stable code, a message, the
// fields at fault, details (e.g. a file's problems) and the request id.
//
// The message and the fields' messages are in the request's language (the
// user's choice, then Accept-Language, then zh-CN); message_code and params
// name the message whatever the language (internal/msgs, the catalog
// web/messages), and field_codes each field's.
type ErrorDetail struct {
	Code        string               `json:"code"`
	Message     string               `json:"message"`
	MessageCode string               `json:"message_code,omitempty"`
	Params      []string             `json:"params,omitempty"`
	Fields      map[string]string    `json:"fields,omitempty"`
	FieldCodes  map[string]msgs.Text `json:"field_codes,omitempty"`
	Details     any                  `json:"details,omitempty"`
	RequestID   string               `json:"request_id,omitempty"`
}

// localize says an error body's message and field messages in lang.
func (d *ErrorDetail) localize(lang string) {
	cat := msgs.Default()
	t := cat.Localize(d.Message, lang)
	d.Message, d.MessageCode, d.Params = t.Text, t.Code, t.Params
	d.Details = localizeDetails(d.Details, lang)
	if len(d.Fields) == 0 {
		return
	}
	fields := make(map[string]string, len(d.Fields)) // the error's own map stays as it was
	d.FieldCodes = make(map[string]msgs.Text, len(d.Fields))
	for k, v := range d.Fields {
		t := cat.Localize(v, lang)
		fields[k] = t.Text
		if t.Code != "" {
			d.FieldCodes[k] = t
		}
	}
	d.Fields = fields
}

// localizeDetails says the messages of an error's details in lang: the
// "message" of each problem a file's reader lists (a register's, a
// population table's, a questionnaire's), wherever it is in the details.
// A problem that says itself in Chinese too (an XLSForm's, message_zh)
// stays as it is. Details are returned as they came when they hold no
// message.
func localizeDetails(details any, lang string) any {
	if details == nil {
		return nil
	}
	b, err := json.Marshal(details)
	if err != nil || !bytes.Contains(b, []byte(`"message"`)) {
		return details
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers as they were written
	var v any
	if err := dec.Decode(&v); err != nil {
		return details
	}
	cat := msgs.Default()
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if m, ok := x["message"].(string); ok {
				if _, both := x["message_zh"]; !both {
					t := cat.Localize(m, lang)
					x["message"] = t.Text
					if t.Code != "" {
						x["message_code"] = t.Code
					}
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return v
}

// statusOf maps an error kind to its HTTP status. This is the only place
// that does.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.Unavailable, apperr.Busy:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// busyRetryAfter is the Retry-After (seconds) of a 503 busy answer: the
// store has already waited and tried again a few times (store.Tx).
const busyRetryAfter = 1

// httpCodes names echo's own HTTP errors (unknown route, body too large, …).
var httpCodes = map[int]string{
	http.StatusBadRequest:                  "bad_request",
	http.StatusUnauthorized:                "unauthenticated",
	http.StatusForbidden:                   "forbidden",
	http.StatusNotFound:                    "not_found",
	http.StatusMethodNotAllowed:            "method_not_allowed",
	http.StatusRequestEntityTooLarge:       "too_large",
	http.StatusUnsupportedMediaType:        "unsupported_media_type",
	http.StatusTooManyRequests:             "too_many_requests",
	http.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	http.StatusNotImplemented:              "not_implemented",
	http.StatusServiceUnavailable:          "unavailable",
}

// handleError is echo's HTTPErrorHandler: it turns any error a handler
// returns into the JSON error body, logs internal errors with the request
// id, and never sends an internal error's text.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	var (
		status int
		body   ErrorDetail
		he     *echo.HTTPError
	)
	switch {
	case errors.As(err, &he) && apperr.KindOf(err) == apperr.Internal:
		status = he.Code
		body.Code = httpCodes[he.Code]
		if body.Code == "" {
			body.Code = "error"
		}
		body.Message = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && status < 500 {
			body.Message = m
		}
		if status >= 500 {
			s.log.Error("request failed", "request_id", rid, "err", he.Internal, "status", status)
		}
	default:
		k := apperr.KindOf(err)
		status = statusOf(k)
		body.Code = k.String()
		if code := apperr.CodeOf(err); code != "" && k != apperr.Internal {
			body.Code = code
		}
		body.Message = apperr.PublicMessage(err)
		body.Fields = apperr.FieldsOf(err)
		if k != apperr.Internal && k != apperr.Unavailable {
			body.Details = apperr.DetailsOf(err)
		}
		if k == apperr.Busy {
			// The store ran the transaction again and again (and logged
			// each time); nothing was stored, and the client may send the
			// same request again, which the header says when.
			c.Response().Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
		}
		if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
			s.log.Info("client went away", "request_id", rid, "path", c.Request().URL.Path)
		} else if k == apperr.Busy {
			s.log.Warn("request failed: the database stayed busy", "request_id", rid, "method", c.Request().Method,
				"path", c.Request().URL.Path, "err", err)
		} else if k == apperr.Internal || k == apperr.Unavailable {
			s.log.Error("request failed", "request_id", rid, "method", c.Request().Method,
				"path", c.Request().URL.Path, "err", err)
		} else {
			s.log.Debug("request rejected", "request_id", rid, "err", err)
		}
	}
	if status >= 500 {
		body.RequestID = rid
	}
	body.localize(s.ui.Lang(c))
	if status == http.StatusUnauthorized && wantsHTML(c) {
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		return
	}
	// A HEAD request gets the same answer; net/http drops the body.
	if wantsHTML(c) {
		werr := s.renderError(c, status, body)
		if werr == nil || c.Response().Committed {
			return
		}
		s.log.Warn("rendering the error page", "request_id", rid, "err", werr)
	}
	if werr := c.JSON(status, ErrorBody{body}); werr != nil {
		s.log.Warn("writing error response", "request_id", rid, "err", werr)
	}
}

// errorHeadlines are the statuses with a headline of their own on the error
// page (web/i18n: error.<status>); others get error.other.
var errorHeadlines = map[int]bool{400: true, 403: true, 404: true, 405: true, 413: true, 422: true, 429: true, 500: true, 503: true}

// renderError writes the friendly error page for a page navigation, in the
// page's language, with the same status and message as the JSON body.
func (s *Server) renderError(c echo.Context, status int, body ErrorDetail) error {
	headline := "error.other"
	if errorHeadlines[status] {
		headline = fmt.Sprintf("error.%d", status)
	}
	var buf bytes.Buffer
	data := map[string]any{"Status": status, "Message": body.Message, "RequestID": body.RequestID, "Headline": headline}
	if err := s.pages.Render(&buf, s.ui.Page(c, "error", "error.title", data)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// wantsHTML reports whether the request is a browser page navigation (not an
// API or fetch call), which gets a redirect to the login page instead of a
// 401 body, and the error page instead of a JSON error.
func wantsHTML(c echo.Context) bool {
	r := c.Request()
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") &&
		strings.HasPrefix(r.Header.Get("Accept"), "text/html")
}

// slogLevel is used by the access log.
func slogLevel(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	default:
		return slog.LevelInfo
	}
}
