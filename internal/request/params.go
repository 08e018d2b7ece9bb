package request

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// IDParam reads a positive id from the path; anything else names nothing
// (404).
func IDParam(c echo.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.NotFound, "%s %q not found", what, c.Param(name))
	}
	return id, nil
}

// QueryID reads an optional positive id from the query.
func QueryID(c echo.Context, name string, fields map[string]string) int64 {
	v := c.QueryParam(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		fields[name] = "a positive id"
		return 0
	}
	return id
}

// NoStore marks an answer that carries households, addresses or answers.
func NoStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}

// NameParam reads a name from the path (escaped or not), as stored: in
// NFC. A name that cannot be one names nothing (404 "what not found").
func NameParam(c echo.Context, param, what string) (string, error) {
	name, err := url.PathUnescape(c.Param(param))
	if err != nil {
		return "", apperr.New(apperr.NotFound, "%s not found", what)
	}
	if name, err = textcheck.Name(name); err != nil { // stored names are NFC
		return "", apperr.New(apperr.NotFound, "%s not found", what)
	}
	return name, nil
}
