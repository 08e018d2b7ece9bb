package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/store"
)

// What the server's own tests (package server_test, beside the faces'
// tests, which share internal/servertest) read of its insides.

const DefaultUploadLimit = defaultUploadLimit

var (
	LocalPath = localPath
	ClientIP  = clientIP
	Require   = require
)

// RouteEntry is an entry of the API's access table as the tests see it.
type RouteEntry struct{ Method, Path string }

// APIRoutes are the API's access table's routes.
func APIRoutes() []RouteEntry {
	var out []RouteEntry
	for _, r := range (&Server{}).apiRoutes() {
		out = append(out, RouteEntry{r.method, r.path})
	}
	return out
}

// PageRoutes are the pages' access table's routes.
func PageRoutes() []RouteEntry {
	var out []RouteEntry
	for _, p := range (&Server{}).pageRoutes() {
		out = append(out, RouteEntry{p.method, p.path})
	}
	return out
}

func (s *Server) Echo() *echo.Echo                                     { return s.e }
func (s *Server) DB() *store.DB                                        { return s.db }
func (s *Server) Authenticated(next echo.HandlerFunc) echo.HandlerFunc { return s.authenticated(next) }
func (s *Server) SetUploadLimit(n int64)                               { s.uploadLimit = n }
func (s *Server) SetBodyLimit(n int64)                                 { s.bodyLimit = n }
