// Package streetoffice is the street office's face of the web interface
// (街道办, a supervisor): a round's assignment board, fieldwork progress,
// replacement requests, the review queue with each response, and the
// rescue of a tablet's outbox, with their view models and localized
// reasons and flags. The server's page table (internal/server/pages.go)
// says who may open each page; a supervisor sees their own street,
// decided in the queries.
package streetoffice

import (
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// Handler serves the street office's pages.
type Handler struct {
	db     *store.DB
	rounds *rounds.Service
	ui     *ui.UI
	// status is the server's mapping of an error kind to its HTTP status,
	// which a rescued item's result reports as the API's sync does.
	status func(apperr.Kind) int
}

// New returns the street office's pages; status maps an error kind to
// its HTTP status (the server's one mapping).
func New(db *store.DB, rs *rounds.Service, u *ui.UI, status func(apperr.Kind) int) *Handler {
	return &Handler{db: db, rounds: rs, ui: u, status: status}
}
