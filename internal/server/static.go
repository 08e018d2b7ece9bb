package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/ui"
)

// serveStatic serves an embedded file (ui.Serve: ETag, no-cache, gzip'd
// when accepted). A directory or unknown name is a 404 like any other.
func (s *Server) serveStatic(c echo.Context) error {
	files, err := ui.StaticFiles()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "static files")
	}
	f, ok := files[c.Param("*")]
	if !ok {
		return apperr.New(apperr.NotFound, "no such file: %s", c.Request().URL.Path)
	}
	ui.Serve(c, f, "")
	return nil
}

// noStoreAPI marks every API response (households, addresses, answers,
// errors) Cache-Control: no-store before the handler runs; a handler with
// its own caching (a questionnaire version's ETag) sets its own header.
func noStoreAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}
