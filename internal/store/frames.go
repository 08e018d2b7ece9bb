package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// HouseholdIn is one household of a frame file, as the importer receives it.
type HouseholdIn struct {
	Line      int
	Street    string
	Community string
	Household string
	Building  string
	Size      int    // 0 = unknown
	Attrs     string // JSON object of the extra columns
}

// HouseholdSource streams the households of a frame file. ImportFrame calls
// Next until it returns false, then Err: a non-nil Err aborts the import
// and nothing is written.
type HouseholdSource interface {
	Next() bool
	Household() HouseholdIn
	Err() error
}

// FrameMeta describes the file of an import.
type FrameMeta struct {
	SourceName string
	// Checksum returns the SHA-256 of the file; it is called after the
	// source is exhausted.
	Checksum  func() string
	CreatedBy int64 // 0 = the command line
}

// Frame is one version of the sampling frame.
type Frame struct {
	ID           int64     `db:"id" json:"id"`
	Version      int       `db:"version" json:"version"`
	SourceName   string    `db:"source_name" json:"source_name"`
	SourceSHA256 string    `db:"source_sha256" json:"source_sha256"`
	Households   int       `db:"households" json:"households"`
	Communities  int       `db:"communities" json:"communities"`
	Streets      int       `db:"streets" json:"streets"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	CreatedBy    string    `db:"created_by" json:"created_by"`
}

// sqliteBatch is the number of households per multi-row INSERT on SQLite
// (8 parameters each, well under SQLite's 32766).
const sqliteBatch = 256

// Place is a community of a street, as named in a frame file.
type Place struct {
	Street, Community string
}

// ImportFrame stores the households of src as a new frame version, in one
// transaction: either the whole file is imported or nothing is. places must
// name every (street, community) that src holds (the importer reads the file
// once to validate it and collect them, then again to load it). Streets and
// communities are matched by their code (the name in the file) and created
// when new. PostgreSQL loads with COPY; SQLite with batched prepared
// inserts.
func (db *DB) ImportFrame(ctx context.Context, meta FrameMeta, places []Place, src HouseholdSource) (Frame, error) {
	var f Frame
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		ts := now()
		if err := tx.GetContext(ctx, &f.Version, db.Q("next-frame-version")); err != nil {
			return db.mapErr(err, "frame version")
		}
		var createdBy sql.NullInt64
		if meta.CreatedBy > 0 {
			createdBy = sql.NullInt64{Int64: meta.CreatedBy, Valid: true}
		}
		if err := tx.GetContext(ctx, &f.ID, db.Q("insert-frame"), f.Version, meta.SourceName, createdBy, ts); err != nil {
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "another frame import finished at the same time; try again")
			}
			return db.mapErr(err, "create frame")
		}
		ids, err := db.resolvePlaces(ctx, tx, places, ts)
		if err != nil {
			return err
		}
		load := db.insertHouseholds
		if db.dialect == Postgres {
			load = db.copyHouseholds
		}
		if err := load(ctx, tx, f.ID, ids, src); err != nil {
			return err
		}
		if err := src.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowxContext(ctx, db.Q("frame-counts"), f.ID).Scan(&f.Households, &f.Communities, &f.Streets); err != nil {
			return db.mapErr(err, "count frame")
		}
		if f.Households == 0 {
			return apperr.New(apperr.Invalid, "the frame has no households")
		}
		if meta.Checksum != nil {
			f.SourceSHA256 = meta.Checksum()
		}
		_, err = tx.ExecContext(ctx, db.Q("finish-frame"), f.SourceSHA256, f.Households, f.Communities, f.Streets, f.ID)
		f.SourceName, f.CreatedAt = meta.SourceName, ts
		return db.mapErr(err, "finish frame")
	})
	if err != nil {
		return Frame{}, err
	}
	if db.dialect == Postgres {
		// Fresh statistics after a bulk load let the planner use the
		// covering index for the sampling scan (seconds otherwise).
		if _, err := db.write.ExecContext(ctx, db.Q("analyze-households")); err != nil {
			return f, db.mapErr(err, "analyze households")
		}
	}
	return f, nil
}

// placeIDs maps a place to its street and community ids.
type placeIDs map[Place][2]int64

// resolvePlaces finds or creates every street and community of places.
func (db *DB) resolvePlaces(ctx context.Context, tx *sqlx.Tx, places []Place, ts time.Time) (placeIDs, error) {
	streets := map[string]int64{}
	ids := make(placeIDs, len(places))
	for _, p := range places {
		sid, ok := streets[p.Street]
		if !ok {
			var err error
			if sid, err = getOrInsert(ctx, tx, db.Q("get-street-id"), db.Q("insert-street"), []any{p.Street}, []any{p.Street, p.Street, ts}); err != nil {
				return nil, db.mapErr(err, "street "+p.Street)
			}
			streets[p.Street] = sid
		}
		cid, err := getOrInsert(ctx, tx, db.Q("get-community-id"), db.Q("insert-community"), []any{sid, p.Community}, []any{sid, p.Community, p.Community, ts})
		if err != nil {
			return nil, db.mapErr(err, "community "+p.Community)
		}
		ids[p] = [2]int64{sid, cid}
	}
	return ids, nil
}

// lookup returns the ids of a household's place; a place missing from the
// list given to ImportFrame is a programming error reported as Internal.
func (ids placeIDs) lookup(h HouseholdIn) (int64, int64, error) {
	id, ok := ids[Place{h.Street, h.Community}]
	if !ok {
		return 0, 0, apperr.New(apperr.Internal, "line %d: street %q, community %q was not announced to the import", h.Line, h.Street, h.Community)
	}
	return id[0], id[1], nil
}

// copyHouseholds streams src into households with COPY.
func (db *DB) copyHouseholds(ctx context.Context, tx *sqlx.Tx, frameID int64, ids placeIDs, src HouseholdSource) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("households", "frame_id", "street_id", "community_id", "household_key", "building", "size", "line", "attrs"))
	if err != nil {
		return db.mapErr(err, "copy households")
	}
	defer stmt.Close()
	for src.Next() {
		h := src.Household()
		sid, cid, err := ids.lookup(h)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, frameID, sid, cid, h.Household, h.Building, sizeOrNull(h.Size), h.Line, attrsOrEmpty(h.Attrs)); err != nil {
			return db.mapErr(err, fmt.Sprintf("copy household at line %d", h.Line))
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return db.mapErr(err, "copy households")
	}
	return db.mapErr(stmt.Close(), "copy households")
}

// insertHouseholds writes src with batched multi-row INSERTs.
func (db *DB) insertHouseholds(ctx context.Context, tx *sqlx.Tx, frameID int64, ids placeIDs, src HouseholdSource) error {
	prepare := func(n int) (*sql.Stmt, error) {
		var b strings.Builder
		b.WriteString("INSERT INTO households (frame_id, street_id, community_id, household_key, building, size, line, attrs) VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?)")
		}
		return tx.PrepareContext(ctx, b.String())
	}
	full, err := prepare(sqliteBatch)
	if err != nil {
		return db.mapErr(err, "prepare insert")
	}
	defer full.Close()
	args := make([]any, 0, sqliteBatch*8)
	flush := func() error {
		n := len(args) / 8
		if n == 0 {
			return nil
		}
		stmt := full
		if n < sqliteBatch {
			s, err := prepare(n)
			if err != nil {
				return db.mapErr(err, "prepare insert")
			}
			defer s.Close()
			stmt = s
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return db.mapErr(err, "insert households")
		}
		args = args[:0]
		return nil
	}
	for src.Next() {
		h := src.Household()
		sid, cid, err := ids.lookup(h)
		if err != nil {
			return err
		}
		args = append(args, frameID, sid, cid, h.Household, h.Building, sizeOrNull(h.Size), h.Line, attrsOrEmpty(h.Attrs))
		if len(args) == sqliteBatch*8 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	return flush()
}

// getOrInsert returns the id found by get, or inserts and returns the new id.
func getOrInsert(ctx context.Context, tx *sqlx.Tx, get, insert string, getArgs, insertArgs []any) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, get, getArgs...)
	if err == sql.ErrNoRows {
		err = tx.GetContext(ctx, &id, insert, insertArgs...)
	}
	return id, err
}

func sizeOrNull(n int) any {
	if n > 0 {
		return n
	}
	return nil
}

func attrsOrEmpty(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// Frames lists every frame version, newest first.
func (db *DB) Frames(ctx context.Context) ([]Frame, error) {
	var fs []Frame
	err := db.read.SelectContext(ctx, &fs, db.Q("list-frames"))
	return fs, db.mapErr(err, "list frames")
}

// FrameByVersion returns one frame version, or NotFound; version 0 means
// the newest.
func (db *DB) FrameByVersion(ctx context.Context, version int) (Frame, error) {
	if version == 0 {
		fs, err := db.Frames(ctx)
		if err != nil {
			return Frame{}, err
		}
		if len(fs) == 0 {
			return Frame{}, apperr.New(apperr.NotFound, "no frame has been imported yet")
		}
		return fs[0], nil
	}
	var f Frame
	err := db.read.GetContext(ctx, &f, db.Q("get-frame-by-version"), version)
	if err == sql.ErrNoRows {
		return f, apperr.New(apperr.NotFound, "frame version %d not found", version)
	}
	return f, db.mapErr(err, "frame")
}

// Streets lists every street by code.
func (db *DB) Streets(ctx context.Context) ([]Street, error) {
	var ss []Street
	err := db.read.SelectContext(ctx, &ss, db.Q("list-streets"))
	return ss, db.mapErr(err, "list streets")
}

// StreetCount is a street of a frame with its counts.
type StreetCount struct {
	Street
	Communities int `db:"communities" json:"communities"`
	Households  int `db:"households" json:"households"`
}

// FrameStreets returns the streets of a frame with their community and
// household counts.
func (db *DB) FrameStreets(ctx context.Context, frameID int64) ([]StreetCount, error) {
	var out []StreetCount
	err := db.read.SelectContext(ctx, &out, db.Q("frame-street-summary"), frameID)
	return out, db.mapErr(err, "frame streets")
}
