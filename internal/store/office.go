package store

import (
	"context"
	"database/sql"
	"time"
)

// RoundCount is how far a round's fieldwork has come.
type RoundCount struct {
	Assignments int
	Final       int // households with a final outcome
	Completes   int // completed interviews (AAPOR I)
}

// RoundCounts counts every round's assignments, final ones and completed
// interviews within a street scope, from one index (assignments_progress).
func (db *DB) RoundCounts(ctx context.Context, sc Scope) (map[int64]RoundCount, error) {
	var rows []struct {
		RoundID  int64         `db:"round_id"`
		StreetID sql.NullInt64 `db:"street_id"`
		Status   string        `db:"status"`
		Category string        `db:"category"`
		N        int           `db:"n"`
	}
	if err := db.read.SelectContext(ctx, &rows, db.Q("round-counts"), sc.street()...); err != nil {
		return nil, db.mapErr(err, "round counts")
	}
	out := map[int64]RoundCount{}
	for _, r := range rows {
		c := out[r.RoundID]
		c.Assignments += r.N
		if r.Status == "final" {
			c.Final += r.N
		}
		if r.Category == "I" {
			c.Completes += r.N
		}
		out[r.RoundID] = c
	}
	return out, nil
}

// FrameStreetCounts returns the streets of a frame version with their
// community and household counts, as FrameStreets does, in two steps of
// aggregation, which SQLite runs several times faster than
// COUNT(DISTINCT).
func (db *DB) FrameStreetCounts(ctx context.Context, frameID int64) ([]StreetCount, error) {
	var out []StreetCount
	err := db.read.SelectContext(ctx, &out, db.Q("frame-street-counts"), frameID)
	return out, db.mapErr(err, "frame streets")
}

// StreetWaiting is what waits for a street's supervisor in one round.
type StreetWaiting struct {
	Replacements int // replacements due for approval
	Reviews      int // flagged responses not reviewed yet
}

// StreetWaiting counts, by round, the replacements due and the flagged
// responses not yet reviewed in one street.
func (db *DB) StreetWaiting(ctx context.Context, streetID int64) (map[int64]StreetWaiting, error) {
	type row struct {
		RoundID int64 `db:"round_id"`
		N       int   `db:"n"`
	}
	out := map[int64]StreetWaiting{}
	var rows []row
	if err := db.read.SelectContext(ctx, &rows, db.Q("street-replacements-due"), streetID); err != nil {
		return nil, db.mapErr(err, "replacements due")
	}
	for _, r := range rows {
		w := out[r.RoundID]
		w.Replacements = r.N
		out[r.RoundID] = w
	}
	rows = rows[:0]
	if err := db.read.SelectContext(ctx, &rows, db.Q("street-reviews-waiting"), streetID); err != nil {
		return nil, db.mapErr(err, "reviews waiting")
	}
	for _, r := range rows {
		w := out[r.RoundID]
		w.Reviews = r.N
		out[r.RoundID] = w
	}
	return out, nil
}

// AuditFilter selects entries of the audit log; zero fields select all.
type AuditFilter struct {
	UserID     int64
	ObjectType string
	ObjectID   string
	From, To   time.Time // [From, To)
	Before     int64     // entries with a smaller id (the next page)
	Limit      int
}

// auditEpoch and auditEnd bound an open time range.
var (
	auditEpoch = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	auditEnd   = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
)

// AuditPage returns one page of the audit log, newest first, with the
// filter in the query's WHERE. Keyset pagination: pass the last id of a
// page as Before for the next one.
func (db *DB) AuditPage(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	from, to := f.From, f.To
	if from.IsZero() {
		from = auditEpoch
	}
	if to.IsZero() {
		to = auditEnd
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	var es []AuditEntry
	err := db.read.SelectContext(ctx, &es, db.Q("audit-page"), f.UserID, f.UserID, f.ObjectType, f.ObjectType,
		f.ObjectID, f.ObjectID, from.UTC(), to.UTC(), f.Before, f.Before, f.Limit)
	return es, db.mapErr(err, "audit log")
}

// AuditObjectTypes lists the object types the audit log names.
func (db *DB) AuditObjectTypes(ctx context.Context) ([]string, error) {
	var ts []string
	err := db.read.SelectContext(ctx, &ts, db.Q("audit-object-types"))
	return ts, db.mapErr(err, "audit object types")
}
