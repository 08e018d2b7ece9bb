package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/store"
)

// simulationPages are the design evaluation's pages.
func (s *Server) simulationPages() []page {
	return []page{
		{method: "GET", path: "/samples/design", handler: s.designPage, roles: analysts},
	}
}

// designPageData is what the design page shows: the frames to evaluate a
// design on (newest first) and the form's defaults.
type designPageData struct {
	Frames    []store.Frame
	TruthSeed int
	MaxReps   int
}

// designPage is the form of POST /api/v1/simulate/design and, filled in by
// design.js, its report: per street and indicator the bias, RMSE, interval
// width, coverage and chance of a below-target flag, and the n per street
// the targets need.
func (s *Server) designPage(c echo.Context) error {
	fs, err := s.db.Frames(c.Request().Context())
	if err != nil {
		return err
	}
	return s.ui.Render(c, "design", "design.title", designPageData{Frames: fs, TruthSeed: simround.DemoSeed, MaxReps: simround.MaxDesignReps})
}
