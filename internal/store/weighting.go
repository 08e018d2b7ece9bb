package store

import (
	"context"
	"database/sql"
	"math"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// WeightingUnit is one assignment of a round as the weighting sees it.
type WeightingUnit struct {
	AssignmentID int64   `db:"assignment_id"`
	StreetID     int64   `db:"street_id"`
	CommunityID  int64   `db:"community_id"`
	PSU          int64   `db:"psu"`
	BaseWeight   float64 `db:"base_weight"`
	Category     string  `db:"category"`    // AAPOR I, P, R, NC, O, UH, NE; "" while not final
	Disposition  string  `db:"disposition"` // final disposition; "" while not final
	Status       string  `db:"status"`      // open, in_progress, final
	Replacement  string  `db:"replacement"` // '', due, released, declined
	ReplacesID   int64   `db:"replaces_id"` // the assignment this reserve replaces, 0 for the main sample
	ResponseID   int64   `db:"response_id"` // the accepted response, 0 if none
	Answers      string  `db:"answers"`     // its answers (JSON), "" if none
}

// WeightingUnits returns every assignment of a round, in id order.
func (db *DB) WeightingUnits(ctx context.Context, roundID int64) ([]WeightingUnit, error) {
	var us []WeightingUnit
	err := db.read.SelectContext(ctx, &us, db.Q("weighting-units"), roundID)
	return us, db.mapErr(err, "weighting units")
}

// ResponseWeight is the final weight of one accepted response, the weight
// that entered calibration and its calibration cell (-1: none), with the
// steps from its base weight: the sample factor, the non-response class
// ("" without the adjustment) and factor, the within-household factor, the
// calibration factor (1 without) and the calibration answers imputed for
// it (JSON, "" for none).
type ResponseWeight struct {
	ResponseID   int64
	Weight       float64
	InputWeight  float64
	Cell         int32
	SampleFactor float64
	NRClass      string
	NRFactor     float64
	HHFactor     float64
	CalFactor    float64
	Imputed      string
}

// RoundWeighting is a weighting run of a round.
type RoundWeighting struct {
	ID           int64         `db:"id" json:"id"`
	RoundID      int64         `db:"round_id" json:"round_id"`
	PopulationID sql.NullInt64 `db:"population_id" json:"-"`
	Config       string        `db:"config" json:"-"`
	Report       string        `db:"report" json:"-"`
	Calibration  string        `db:"calibration" json:"-"`
	CreatedBy    string        `db:"created_by" json:"created_by"`
	CreatedAt    time.Time     `db:"created_at" json:"created_at"`
	// ReportFor, when set, writes the report once the run has its id (a
	// report that names its own run): SaveWeights stores what it returns
	// in place of Report.
	ReportFor func(id int64) (string, error) `db:"-" json:"-"`
}

// SaveWeights writes a round's final weights to its accepted responses and
// their response_values, records the run and its audit entry, all in one
// transaction. weights must cover every accepted response of the round: if
// a response was accepted (or replaced) since the weights were computed,
// nothing is written and the error is a Conflict.
func (db *DB) SaveWeights(ctx context.Context, a Actor, w RoundWeighting, weights []ResponseWeight, detail any) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		// Before any row (lockorder.go): the round's fieldwork
		// transactions finish first and new ones wait, so that the count
		// below holds until the commit and no submission adds to the sums
		// while they are rebuilt.
		if err := db.lockRoundExclusive(ctx, tx, w.RoundID); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, db.Q("count-accepted-responses"), w.RoundID); err != nil {
			return db.mapErr(err, "weights")
		}
		if n != len(weights) {
			return apperr.New(apperr.Conflict, "the round has %d accepted responses, %d were weighted: responses changed meanwhile; weigh the round again", n, len(weights))
		}
		if err := tx.GetContext(ctx, &id, db.Q("insert-round-weighting"), w.RoundID, w.PopulationID, w.Config, w.Report,
			w.Calibration, a.userID(), now()); err != nil {
			return db.mapErr(err, "weighting")
		}
		if w.ReportFor != nil {
			rep, err := w.ReportFor(id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.Q("set-round-weighting-report"), rep, id); err != nil {
				return db.mapErr(err, "weighting")
			}
		}
		var err error
		if db.dialect == Postgres {
			err = db.bulkWeights(ctx, tx, w.RoundID, weights)
		} else {
			err = db.rowWeights(ctx, tx, w.RoundID, weights)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q("copy-weights-to-values"), w.RoundID); err != nil {
			return db.mapErr(err, "weights")
		}
		if err := db.rebuildSums(ctx, tx, w.RoundID); err != nil {
			return err
		}
		return db.AuditIn(ctx, tx, a, "round.weight", "round", itoa(w.RoundID), detail)
	})
	return id, err
}

// rowWeights updates one response at a time with prepared statements: on
// SQLite, in process, that is as fast as anything.
func (db *DB) rowWeights(ctx context.Context, tx *sqlx.Tx, roundID int64, weights []ResponseWeight) error {
	ur, err := tx.PrepareContext(ctx, db.Q("update-response-weight"))
	if err != nil {
		return db.mapErr(err, "weights")
	}
	defer ur.Close()
	for _, rw := range weights {
		cell := sql.NullInt32{Int32: rw.Cell, Valid: rw.Cell >= 0}
		class := sql.NullString{String: rw.NRClass, Valid: rw.NRClass != ""}
		res, err := ur.ExecContext(ctx, rw.Weight, rw.InputWeight, cell, rw.SampleFactor, class, rw.NRFactor, rw.HHFactor, rw.CalFactor, rw.Imputed,
			rw.ResponseID, roundID)
		if err != nil {
			return db.mapErr(err, "weights")
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return apperr.New(apperr.Conflict, "response %d is no longer an accepted response of the round; weigh the round again", rw.ResponseID)
		}
	}
	return nil
}

// bulkWeights sends the weights as arrays: one statement for a round.
func (db *DB) bulkWeights(ctx context.Context, tx *sqlx.Tx, roundID int64, weights []ResponseWeight) error {
	n := len(weights)
	ids, cells := make([]int64, n), make([]int64, n)
	ws, iws, sfs, nrfs, hhfs, cfs := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	classes, imps := make([]sql.NullString, n), make([]string, n)
	for i, rw := range weights {
		ids[i], ws[i], iws[i], cells[i] = rw.ResponseID, rw.Weight, rw.InputWeight, int64(rw.Cell)
		sfs[i], nrfs[i], hhfs[i], cfs[i], imps[i] = rw.SampleFactor, rw.NRFactor, rw.HHFactor, rw.CalFactor, rw.Imputed
		classes[i] = sql.NullString{String: rw.NRClass, Valid: rw.NRClass != ""}
	}
	res, err := tx.ExecContext(ctx, db.Q("bulk-update-response-weights"), pq.Array(ids), pq.Array(ws), pq.Array(iws), pq.Array(cells),
		pq.Array(sfs), pq.Array(classes), pq.Array(nrfs), pq.Array(hhfs), pq.Array(cfs), pq.Array(imps), roundID)
	if err != nil {
		return db.mapErr(err, "weights")
	}
	if k, _ := res.RowsAffected(); k != int64(len(weights)) {
		return apperr.New(apperr.Conflict, "%d of %d weighted responses are still accepted responses of the round; weigh the round again", k, len(weights))
	}
	return nil
}

// LatestWeighting returns the weighting in force for a round, or NotFound.
func (db *DB) LatestWeighting(ctx context.Context, roundID int64) (RoundWeighting, error) {
	var w RoundWeighting
	err := db.read.GetContext(ctx, &w, db.Q("latest-round-weighting"), roundID)
	if err == sql.ErrNoRows {
		return w, apperr.New(apperr.NotFound, "round %d has not been weighted", roundID)
	}
	return w, db.mapErr(err, "weighting")
}

// Respondent is an accepted response with its design variables.
type Respondent struct {
	ID       int64   `db:"id"`
	StreetID int64   `db:"street_id"`
	PSU      int64   `db:"psu"`
	Weight   float64 `db:"weight"`
	Input    float64 `db:"input_weight"` // the weight before calibration (the final one if none)
	Cell     int32   `db:"cal_cell"`     // -1: not calibrated
	Imputed  string  `db:"imputed"`      // calibration answers imputed (JSON), "" for none
	Answers  string  `db:"answers"`
}

// RoundRespondents returns the accepted responses of a round by id.
func (db *DB) RoundRespondents(ctx context.Context, roundID int64) ([]Respondent, error) {
	var rs []Respondent
	err := db.read.SelectContext(ctx, &rs, db.Q("round-respondents"), roundID)
	return rs, db.mapErr(err, "round respondents")
}

// RoundValues streams every indicator value of a round's accepted
// responses to fn (value NaN when missing), in no particular order.
func (db *DB) RoundValues(ctx context.Context, roundID int64, fn func(responseID int64, indicator string, value float64) error) error {
	rows, err := db.read.QueryContext(ctx, db.Q("round-values"), roundID)
	if err != nil {
		return db.mapErr(err, "round values")
	}
	defer rows.Close()
	var (
		id  int64
		ind string
		v   sql.NullFloat64
	)
	for rows.Next() {
		if err := rows.Scan(&id, &ind, &v); err != nil {
			return db.mapErr(err, "round values")
		}
		x := v.Float64
		if !v.Valid {
			x = math.NaN()
		}
		if err := fn(id, ind, x); err != nil {
			return err
		}
	}
	return db.mapErr(rows.Err(), "round values")
}
