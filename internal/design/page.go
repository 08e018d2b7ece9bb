// Package design is the design evaluation's face of the web interface
// (analysts): the form of POST /api/v1/simulate/design on a stored frame,
// whose report design.js draws. The server's page table says who may open
// it.
package design

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// Handler serves the design evaluation's page.
type Handler struct {
	db *store.DB
	ui *ui.UI
}

// New returns the design evaluation's page.
func New(db *store.DB, u *ui.UI) *Handler { return &Handler{db: db, ui: u} }

// designPageData is what the design page shows: the frames to evaluate a
// design on (newest first) and the form's defaults.
type designPageData struct {
	Frames    []store.Frame
	TruthSeed int
	MaxReps   int
}

// Page is the form of POST /api/v1/simulate/design and, filled in by
// design.js, its report: per street and indicator the bias, RMSE, interval
// width, coverage and chance of a below-target flag, and the n per street
// the targets need.
func (s *Handler) Page(c echo.Context) error {
	fs, err := s.db.Frames(c.Request().Context())
	if err != nil {
		return err
	}
	return s.ui.Render(c, "design", "design.title", designPageData{Frames: fs, TruthSeed: simround.DemoSeed, MaxReps: simround.MaxDesignReps})
}
