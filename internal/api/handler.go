// Package api is minyi's JSON API (/api/v1): frames, samples, design
// evaluation, questionnaires, population counts, rounds and their
// fieldwork, results, weighting, exports, accounts and tokens. Handlers
// bind and validate input, call one domain function and return JSON or an
// error; the server's access table (internal/server/access.go) says who
// may call each route, its error handler turns errors into responses.
// Login, logout and the session are the server's.
package api

import (
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"time"
)

// Handler serves the JSON API.
type Handler struct {
	db      *store.DB
	rounds  *rounds.Service
	minCell int // estimates on fewer respondents are flagged (config.Config.MinCell)
	// status is the server's mapping of an error kind to its HTTP status,
	// which each item's result of a sync reports.
	status func(apperr.Kind) int
	// Location is the district's time zone: exports write their times in
	// it (ISO 8601 with its offset); nil is UTC.
	Location *time.Location
}

// New returns the API's handlers.
func New(db *store.DB, rs *rounds.Service, minCell int, status func(apperr.Kind) int) *Handler {
	return &Handler{db: db, rounds: rs, minCell: minCell, status: status}
}
