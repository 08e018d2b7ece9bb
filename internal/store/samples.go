package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// FrameUnit is one household of a frame as a sampling design needs it.
type FrameUnit struct {
	ID          int64
	StreetID    int64
	CommunityID int64
}

// FrameAddresses calls fn with the address of every household of a frame,
// in frame order, without holding them all in memory.
func (db *DB) FrameAddresses(ctx context.Context, frameID int64, fn func(street, community, building, household string) error) error {
	rows, err := db.read.QueryContext(ctx, db.Q("frame-addresses"), frameID)
	if err != nil {
		return db.mapErr(err, "frame households")
	}
	defer rows.Close()
	var street, community, building, household string
	for rows.Next() {
		if err := rows.Scan(&street, &community, &building, &household); err != nil {
			return db.mapErr(err, "frame households")
		}
		if err := fn(street, community, building, household); err != nil {
			return err
		}
	}
	return db.mapErr(rows.Err(), "frame households")
}

// FrameUnits returns every household of a frame in id order, which is the
// order of the file it came from (a stable order, which reproducible
// sampling needs). It scans without reflection:
// a frame can hold millions of households.
func (db *DB) FrameUnits(ctx context.Context, frameID int64) ([]FrameUnit, error) {
	var n int
	if err := db.read.GetContext(ctx, &n, db.Q("frame-household-count"), frameID); err != nil {
		return nil, db.mapErr(err, "frame")
	}
	rows, err := db.read.QueryContext(ctx, db.Q("frame-units"), frameID)
	if err != nil {
		return nil, db.mapErr(err, "frame households")
	}
	defer rows.Close()
	units := make([]FrameUnit, 0, n)
	for rows.Next() {
		var u FrameUnit
		if err := rows.Scan(&u.ID, &u.StreetID, &u.CommunityID); err != nil {
			return nil, db.mapErr(err, "frame households")
		}
		units = append(units, u)
	}
	return units, db.mapErr(rows.Err(), "frame households")
}

// SampleUnitIn is one drawn household to store.
type SampleUnitIn struct {
	HouseholdID  int64
	StreetID     int64
	CommunityID  int64
	PSU          int64
	Prob1, Prob2 float64
	Prob, Weight float64
	ReserveRank  int // 0 = main sample
}

// NewSample is a sample to store.
type NewSample struct {
	Name    string
	FrameID int64
	Kind    string // stratified-srs or two-stage
	Design  string // JSON: the full specification, allocation and per-street results
	Seed    uint64
	By      Actor // recorded as the creator; the draw is audited (sample.draw) with it
	Units   []SampleUnitIn
}

// Sample is a stored sample.
type Sample struct {
	ID           int64     `db:"id" json:"id"`
	Name         string    `db:"name" json:"name"`
	FrameVersion int       `db:"frame_version" json:"frame_version"`
	Kind         string    `db:"kind" json:"kind"`
	Design       string    `db:"design" json:"-"`
	Seed         string    `db:"seed" json:"seed"`
	Households   int       `db:"households" json:"households"`
	Reserves     int       `db:"reserves" json:"reserves"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	CreatedBy    string    `db:"created_by" json:"created_by"`
}

// CreateSample stores a sample and its households in one transaction with
// its audit entry. A taken name is a Conflict.
func (db *DB) CreateSample(ctx context.Context, s NewSample) (int64, error) {
	var main, reserves int
	for _, u := range s.Units {
		if u.ReserveRank > 0 {
			reserves++
		} else {
			main++
		}
	}
	var id int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, db.Q("insert-sample"), s.Name, s.FrameID, s.Kind, s.Design,
			formatSeed(s.Seed), main, reserves, s.By.userID(), now())
		if err != nil {
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "a sample named %q already exists", s.Name)
			}
			return db.mapErr(err, "create sample")
		}
		if err := db.insertSampleUnits(ctx, tx, id, s.Units); err != nil {
			return err
		}
		return db.AuditIn(ctx, tx, s.By, "sample.draw", "sample", s.Name, map[string]any{
			"id": id, "kind": s.Kind, "seed": formatSeed(s.Seed), "households": main, "reserves": reserves,
		})
	})
	return id, err
}

// sampleUnitBatch rows per INSERT: 10 parameters each.
const sampleUnitBatch = 200

func (db *DB) insertSampleUnits(ctx context.Context, tx *sqlx.Tx, sampleID int64, units []SampleUnitIn) error {
	for start := 0; start < len(units); start += sampleUnitBatch {
		batch := units[start:min(start+sampleUnitBatch, len(units))]
		var b strings.Builder
		b.WriteString("INSERT INTO sample_units (sample_id, household_id, street_id, community_id, psu, prob1, prob2, prob, base_weight, reserve_rank) VALUES ")
		args := make([]any, 0, len(batch)*10)
		for i, u := range batch {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?)")
			var rank any
			if u.ReserveRank > 0 {
				rank = u.ReserveRank
			}
			args = append(args, sampleID, u.HouseholdID, u.StreetID, u.CommunityID, u.PSU, u.Prob1, u.Prob2, u.Prob, u.Weight, rank)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(b.String()), args...); err != nil {
			return db.mapErr(err, "store sample households")
		}
	}
	return nil
}

// Samples lists every sample, newest first.
func (db *DB) Samples(ctx context.Context) ([]Sample, error) {
	var ss []Sample
	err := db.read.SelectContext(ctx, &ss, db.Q("list-samples"))
	return ss, db.mapErr(err, "list samples")
}

// SampleByName returns one sample, or NotFound.
func (db *DB) SampleByName(ctx context.Context, name string) (Sample, error) {
	var s Sample
	err := db.read.GetContext(ctx, &s, db.Q("get-sample-by-name"), name)
	if err == sql.ErrNoRows {
		return s, apperr.New(apperr.NotFound, "sample %q not found", name)
	}
	return s, db.mapErr(err, "sample")
}

// SampleStreet summarises a sample in one street.
type SampleStreet struct {
	Street
	Communities int     `db:"communities" json:"communities"`
	Households  int     `db:"households" json:"households"`
	Reserves    int     `db:"reserves" json:"reserves"`
	WeightSum   float64 `db:"weight_sum" json:"weight_sum"`
}

// SampleStreets summarises a sample by street; the sum of base weights of
// the main sample estimates the street's households.
func (db *DB) SampleStreets(ctx context.Context, sampleID int64) ([]SampleStreet, error) {
	var out []SampleStreet
	err := db.read.SelectContext(ctx, &out, db.Q("sample-street-summary"), sampleID)
	return out, db.mapErr(err, "sample streets")
}

// SampleListing is one drawn household as the field team sees it.
type SampleListing struct {
	ID          int64         `db:"id" json:"id"`
	StreetID    int64         `db:"street_id" json:"-"`
	Street      string        `db:"street" json:"street"`
	Community   string        `db:"community" json:"community"`
	Building    string        `db:"building" json:"building"`
	Household   string        `db:"household_key" json:"household"`
	Line        int           `db:"line" json:"frame_line"`
	PSU         int64         `db:"psu" json:"psu"`
	Prob1       float64       `db:"prob1" json:"pi1"`
	Prob2       float64       `db:"prob2" json:"pi2"`
	Prob        float64       `db:"prob" json:"pi"`
	Weight      float64       `db:"base_weight" json:"weight"`
	ReserveRank sql.NullInt64 `db:"reserve_rank" json:"-"`
}

// SampleListing lists the households of a sample by street and community,
// main sample first, reserves in release order, within a street scope.
func (db *DB) SampleListing(ctx context.Context, sampleID int64, sc Scope) ([]SampleListing, error) {
	var out []SampleListing
	err := db.read.SelectContext(ctx, &out, db.Q("sample-units-listing"), append([]any{sampleID}, sc.street()...)...)
	return out, db.mapErr(err, "sample households")
}

// formatSeed stores a uint64 seed as decimal text: PostgreSQL has no
// unsigned 64-bit integer.
func formatSeed(seed uint64) string { return strconv.FormatUint(seed, 10) }
