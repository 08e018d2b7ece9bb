package store

import (
	"context"
	"database/sql"
	"time"
)

// ExportRow is one accepted response as an export writes it.
type ExportRow struct {
	ID, AssignmentID    int64
	ClientID            string
	StreetID            int64
	Street, Community   string
	Building, Household string
	Interviewer         string
	StartedAt           sql.NullTime
	CompletedAt         sql.NullTime
	ReceivedAt          time.Time
	Disposition         string // the response's (complete, partial, …)
	FinalDisposition    string // the household's, as fieldwork settled it
	Review              string
	PSU                 int64
	BaseWeight, Weight  float64 // Weight: the final weight once the round is weighted, else the base weight
	Answers             string  // JSON
	Values              map[string]float64
}

// ExportResponses streams a round's accepted responses within a street
// scope, in id order, each with its indicator values (missing ones absent
// from Values), to fn. The row, and its Values map, are reused for the
// next response: fn must not keep them. Memory stays flat however many
// responses there are.
func (db *DB) ExportResponses(ctx context.Context, roundID int64, sc Scope, fn func(*ExportRow) error) error {
	vals, err := db.read.QueryContext(ctx, db.Q("export-values"), append([]any{roundID}, sc.street()...)...)
	if err != nil {
		return db.mapErr(err, "export")
	}
	defer vals.Close()
	rows, err := db.read.QueryContext(ctx, db.Q("export-responses"), append([]any{roundID}, sc.street()...)...)
	if err != nil {
		return db.mapErr(err, "export")
	}
	defer rows.Close()
	var (
		r       = ExportRow{Values: map[string]float64{}}
		vid     int64
		vind    string
		vv      sql.NullFloat64
		pending bool // vid/vind/vv hold a value not yet given to its response
	)
	next := func() (bool, error) {
		if !vals.Next() {
			return false, vals.Err()
		}
		return true, vals.Scan(&vid, &vind, &vv)
	}
	if pending, err = next(); err != nil {
		return db.mapErr(err, "export")
	}
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.AssignmentID, &r.ClientID, &r.StreetID, &r.Street, &r.Community, &r.Building, &r.Household,
			&r.Interviewer, &r.StartedAt, &r.CompletedAt, &r.ReceivedAt, &r.Disposition, &r.FinalDisposition, &r.Review,
			&r.PSU, &r.BaseWeight, &r.Weight, &r.Answers); err != nil {
			return db.mapErr(err, "export")
		}
		clear(r.Values)
		for pending && vid <= r.ID {
			if vid == r.ID && vv.Valid {
				r.Values[vind] = vv.Float64
			}
			if pending, err = next(); err != nil {
				return db.mapErr(err, "export")
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return db.mapErr(rows.Err(), "export")
}
