package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// checkText refuses, with a 422 naming the field, a request whose path
// parameters, query values or URL-encoded form values are not acceptable
// text (textcheck.Field): invalid UTF-8 or control characters would give a
// 500 on PostgreSQL and be stored as they are on SQLite. JSON bodies are
// checked by request.BindJSON, multipart fields by request.FormValue, so
// that a large upload is not read before its route's body limit applies.
func (s *Server) checkText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		fields := map[string]string{}
		names, values := c.ParamNames(), c.ParamValues()
		for i, name := range names {
			if i >= len(values) {
				break
			}
			v := values[i]
			if msg := textcheck.Field(v); msg != "" {
				fields[name] = msg
			} else if u, err := url.PathUnescape(v); err == nil {
				if msg := textcheck.Field(u); msg != "" {
					fields[name] = msg
				}
			}
		}
		checkValues(fields, c.QueryParams())
		r := c.Request()
		if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == echo.MIMEApplicationForm && r.Method != http.MethodGet {
			if err := r.ParseForm(); err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "malformed form body")
			}
			checkValues(fields, r.PostForm)
		}
		if len(fields) > 0 {
			return apperr.WithFields("text with invalid characters", fields)
		}
		return next(c)
	}
}

// checkValues adds a problem for every bad key or value of vs.
func checkValues(fields map[string]string, vs url.Values) {
	for k, list := range vs {
		if msg := textcheck.Field(k); msg != "" {
			fields[strings.ToValidUTF8(strings.Map(printable, k), "?")] = "parameter name " + msg
			continue
		}
		for _, v := range list {
			if msg := textcheck.Field(v); msg != "" {
				fields[k] = msg
			}
		}
	}
}

// printable replaces control characters, so a bad parameter name can be
// named in the answer.
func printable(r rune) rune {
	if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
		return '?'
	}
	return r
}
