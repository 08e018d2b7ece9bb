package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// CodeRoundOpenWork is the error code (apperr.Error.Code) of closing a
// round with work still open, without force.
const CodeRoundOpenWork = "round_has_open_work"

// OpenWork is what is still open in a round: what closing it leaves
// undone.
type OpenWork struct {
	UnreviewedFlags     int `db:"unreviewed_flags" json:"unreviewed_flags"`
	PendingReplacements int `db:"pending_replacements" json:"pending_replacements"`
	InProgress          int `db:"in_progress" json:"in_progress"`
}

// Any reports whether anything is open.
func (o OpenWork) Any() bool {
	return o.UnreviewedFlags+o.PendingReplacements+o.InProgress > 0
}

// RoundOpenWork counts what is still open in a round.
func (db *DB) RoundOpenWork(ctx context.Context, roundID int64) (OpenWork, error) {
	var o OpenWork
	err := db.read.GetContext(ctx, &o, db.Q("round-open-work"), roundID, roundID, roundID)
	return o, db.mapErr(err, "round open work")
}

// CloseRound closes a round in fieldwork. With work still open (OpenWork)
// it refuses, a Conflict with the code CodeRoundOpenWork and the counts in
// its details, unless force; the audit entry (round.close, in the same
// transaction) records the counts and whether it was forced.
func (db *DB) CloseRound(ctx context.Context, a Actor, id int64, force bool) (OpenWork, error) {
	var open OpenWork
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &open, db.Q("round-open-work"), id, id, id); err != nil {
			return db.mapErr(err, "round open work")
		}
		if open.Any() && !force {
			return &apperr.Error{Kind: apperr.Conflict, Code: CodeRoundOpenWork, Details: open,
				Message: "the round still has open work (unreviewed quality flags, pending replacements, households in progress): confirm with \"force\": true to close it anyway"}
		}
		res, err := tx.ExecContext(ctx, db.Q("set-round-status"), RoundClosed, id, RoundFieldwork)
		if err != nil {
			return db.mapErr(err, "set round status")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "the round is not %s", RoundFieldwork)
		}
		if _, err := tx.ExecContext(ctx, db.Q("set-round-closed"), now(), id); err != nil {
			return db.mapErr(err, "set round status")
		}
		return db.AuditIn(ctx, tx, a, "round.close", "round", itoa(id), map[string]any{
			"from": RoundFieldwork, "to": RoundClosed, "open": open, "forced": force && open.Any()})
	})
	return open, err
}
