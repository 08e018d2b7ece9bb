// Package office is the district survey office's face of the web
// interface (区调查办公室: administrators and analysts): the home page, the
// rounds with their fieldwork counts, registers (frames and population
// counts), samples, accounts and the audit log, and the questionnaire
// pages every logged-in user reads. The server's page table
// (internal/server/pages.go) says who may open each page.
package office

import (
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/ui"
)

// Handler serves the office's pages.
type Handler struct {
	db     *store.DB
	rounds *rounds.Service
	ui     *ui.UI
	// TLSLocal is serve's --tls-local directory ("" without one): its
	// authority is offered at /ca.crt and on the /tls page.
	TLSLocal string
	// BackupDir and BackupEvery are serve's rotating backups (0: none),
	// whose last one the administrator's home shows.
	BackupDir   string
	BackupEvery time.Duration
	// BaseURL is the public base URL ("" derives it from the request): an
	// account slip's QR code opens it. Now is the clock of login codes'
	// expiry (nil: time.Now).
	BaseURL string
	Now     func() time.Time
}

// New returns the office's pages.
func New(db *store.DB, rs *rounds.Service, u *ui.UI) *Handler {
	return &Handler{db: db, rounds: rs, ui: u}
}
