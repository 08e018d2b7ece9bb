package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/glossary"
)

// helpPage is the glossary (GET /help): every term the pages show, in
// plain words with the formula for analysts; the pages link each term to
// its entry here.
func (s *Server) helpPage(c echo.Context) error {
	return s.ui.Render(c, "help", "help.title", map[string]any{"Groups": glossary.Groups})
}
