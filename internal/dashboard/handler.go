// Package dashboard is the analysts' face of the web interface: a round's
// dashboard (rates, league table, forest plot, items, fieldwork), the
// drill-down to a street and a community, the comparison with another
// round and the printable report, with their view models and charts.
// The server's page table (internal/server/pages.go) says who may open
// each page; within a page, a supervisor sees the district and their own
// street, decided in the queries.
package dashboard

import (
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// Handler serves the dashboard's pages.
type Handler struct {
	db      *store.DB
	rounds  *rounds.Service
	ui      *ui.UI
	minCell int // figures on fewer respondents are suppressed
}

// New returns the dashboard's pages on db; minCell is the smallest
// number of respondents a figure is shown for (config.Config.MinCell).
func New(db *store.DB, rs *rounds.Service, u *ui.UI, minCell int) *Handler {
	return &Handler{db: db, rounds: rs, ui: u, minCell: minCell}
}
