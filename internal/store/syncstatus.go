package store

import (
	"context"
	"encoding/json"
)

// Held is one client id the server holds: a visit or a response, with its
// id and (for a response) its status.
type Held struct {
	Type     string `db:"type" json:"type"` // visit or response
	ClientID string `db:"client_id" json:"client_id"`
	ID       int64  `db:"id" json:"id"`
	Status   string `db:"status" json:"status,omitempty"`
}

// HeldByClientIDs returns which of the given client ids are stored, as
// visits or responses, within the caller's scope (a supervisor's street,
// an interviewer's own): the tablet's reconciliation after a sync.
func (db *DB) HeldByClientIDs(ctx context.Context, clientIDs []string, sc Scope) ([]Held, error) {
	out := []Held{}
	if len(clientIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(clientIDs)
	if err != nil {
		return nil, err
	}
	args := []any{string(ids)}
	args = append(args, sc.street()...)
	args = append(args, sc.interviewer()...)
	args = append(args, sc.InterviewerID)
	args = append(args, args...)
	err = db.read.SelectContext(ctx, &out, db.Q("sync-held"), args...)
	return out, db.mapErr(err, "sync status")
}
