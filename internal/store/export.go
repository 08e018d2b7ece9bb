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
	BaseWeight          float64
	// Weight is the final weight once the round is weighted, else the base
	// weight; none for a screened-out interview (not eligible).
	Weight sql.NullFloat64
	// The weighting's steps (none before the round is weighted): sample
	// factor, non-response class and factor, within-household factor,
	// weight before calibration, calibration cell and factor, and the
	// calibration answers imputed (JSON, "" for none).
	SampleFactor, NRFactor, HHFactor sql.NullFloat64
	NRClass                          sql.NullString
	InputWeight, CalFactor           sql.NullFloat64
	CalCell                          sql.NullInt64
	Imputed                          string
	Answers                          string // JSON
	// How the household came into the sample: its community's inclusion
	// probability (the household's own in SRS), its conditional
	// probability within the community, and the frame's households in the
	// community and the street (the sizes they were drawn from).
	Prob1, Prob2                          float64
	CommunityHouseholds, StreetHouseholds int64
	Values                                map[string]float64
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
			&r.PSU, &r.BaseWeight, &r.Weight, &r.SampleFactor, &r.NRClass, &r.NRFactor, &r.HHFactor, &r.InputWeight, &r.CalCell, &r.CalFactor,
			&r.Imputed, &r.Answers, &r.Prob1, &r.Prob2, &r.CommunityHouseholds, &r.StreetHouseholds); err != nil {
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

// DispositionRow is one assignment as the dispositions export writes it.
type DispositionRow struct {
	ID           int64   `db:"id"`
	StreetID     int64   `db:"street_id"`
	Street       string  `db:"street"`
	Community    string  `db:"community"`
	PSU          int64   `db:"psu"`
	Building     string  `db:"building"`
	Household    string  `db:"household_key"`
	ReserveRank  int64   `db:"reserve_rank"`   // 0: main sample
	ReplacesID   int64   `db:"replaces_id"`    // the assignment this reserve replaces, 0 if none
	ReplacedByID int64   `db:"replaced_by_id"` // the reserve released for this one, 0 if none
	Interviewer  string  `db:"interviewer"`
	Status       string  `db:"status"`
	Disposition  string  `db:"disposition"`
	Category     string  `db:"category"`
	Replacement  string  `db:"replacement"`
	Attempts     int     `db:"attempts"`
	ResponseID   int64   `db:"response_id"` // the accepted response, 0 if none
	BaseWeight   float64 `db:"base_weight"`
}

// ExportDispositions streams a round's assignments within a street scope,
// in the district's order of streets and communities, then by id, to fn (the row is reused: fn must not keep it).
func (db *DB) ExportDispositions(ctx context.Context, roundID int64, sc Scope, fn func(*DispositionRow) error) error {
	rows, err := db.read.QueryxContext(ctx, db.Q("export-dispositions"), append([]any{roundID}, sc.street()...)...)
	if err != nil {
		return db.mapErr(err, "export")
	}
	defer rows.Close()
	var r DispositionRow
	for rows.Next() {
		if err := rows.StructScan(&r); err != nil {
			return db.mapErr(err, "export")
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return db.mapErr(rows.Err(), "export")
}
