package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
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
	Checksum func() string
	// By imports the frame: its user is recorded as the creator, and the
	// import is audited (frame.import) in the import's transaction.
	By Actor
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

// place is a community of a street, as named in a frame file.
type place struct {
	street, community string
}

// ImportFrame stores the households of src as a new frame version, in one
// transaction and one pass over the file: either the whole file is imported
// or nothing is (a source whose Err is not nil rolls everything back).
// Streets and communities are matched by their code (the name in the file)
// and created when new. PostgreSQL loads with COPY; SQLite with batched
// prepared inserts.
func (db *DB) ImportFrame(ctx context.Context, meta FrameMeta, src HouseholdSource) (Frame, error) {
	var f Frame
	err := db.txOnce(ctx, func(tx *sqlx.Tx) error { // src is read once
		ts := now()
		if err := tx.GetContext(ctx, &f.Version, db.Q("next-frame-version")); err != nil {
			return db.mapErr(err, "frame version")
		}
		if err := tx.GetContext(ctx, &f.ID, db.Q("insert-frame"), f.Version, meta.SourceName, meta.By.userID(), ts); err != nil {
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "another frame import finished at the same time; try again")
			}
			return db.mapErr(err, "create frame")
		}
		places := &places{db: db, tx: tx, ts: ts, ids: map[place][2]int64{}, streets: map[string]int64{}}
		load := db.insertHouseholds
		if db.dialect == Postgres {
			load = db.copyHouseholds
			if err := places.preload(ctx); err != nil {
				return err
			}
		}
		n, err := load(ctx, tx, f.ID, places, src)
		if err != nil {
			return err
		}
		if err := src.Err(); err != nil {
			return err
		}
		if err := places.insertReserved(ctx); err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Invalid, "the frame has no households")
		}
		f.Households, f.Communities, f.Streets = n, len(places.ids), places.streetCount()
		if meta.Checksum != nil {
			f.SourceSHA256 = meta.Checksum()
		}
		_, err = tx.ExecContext(ctx, db.Q("finish-frame"), f.SourceSHA256, f.Households, f.Communities, f.Streets, f.ID)
		if err != nil {
			return db.mapErr(err, "finish frame")
		}
		f.SourceName, f.CreatedAt = meta.SourceName, ts
		return db.AuditIn(ctx, tx, meta.By, "frame.import", "frame", strconv.Itoa(f.Version), map[string]any{
			"file": f.SourceName, "sha256": f.SourceSHA256, "households": f.Households, "communities": f.Communities, "streets": f.Streets,
		})
	})
	if err != nil {
		return Frame{}, err
	}
	if db.dialect == Postgres {
		// Fresh statistics after a bulk load let the planner use the
		// covering index for the sampling scan (seconds otherwise). The
		// frame is committed: if this fails, autovacuum will analyze the
		// table later, and reporting the import as failed would only invite
		// a duplicate import.
		_, _ = db.write.ExecContext(ctx, db.Q("analyze-households"))
	}
	return f, nil
}

// places resolves the street and community ids of the households of one
// import. On SQLite it finds or inserts them as they come, in the import's
// transaction. PostgreSQL cannot run a statement on a connection while a
// COPY is open on it, so there existing ones are loaded before the COPY,
// ids for new ones are reserved from their sequences on another connection
// (sequences are not transactional, so a rolled-back import only leaves a
// gap), and the new rows are inserted with those ids after the COPY, in the
// same transaction: a failed import leaves no street or community behind.
type places struct {
	db       *DB
	tx       *sqlx.Tx
	ts       time.Time
	ids      map[place][2]int64 // communities of this frame → {street id, community id}
	streets  map[string]int64   // street code → id, known or reserved
	existing map[place]int64    // PostgreSQL: communities already stored
	lastSt   int                // PostgreSQL: the greatest street position stored
	lastComm map[int64]int      // PostgreSQL: the greatest community position of each stored street
	newSt    []Street           // PostgreSQL: streets to insert after the COPY
	newComm  []Community        // PostgreSQL: communities to insert after the COPY
}

// preload reads the stored streets and communities (PostgreSQL).
func (p *places) preload(ctx context.Context) error {
	var ss []Street
	if err := p.tx.SelectContext(ctx, &ss, p.db.Q("list-streets")); err != nil {
		return p.db.mapErr(err, "streets")
	}
	byID := map[int64]string{}
	for _, s := range ss {
		p.streets[s.Code] = s.ID
		byID[s.ID] = s.Code
		p.lastSt = max(p.lastSt, s.Position)
	}
	var cs []Community
	if err := p.tx.SelectContext(ctx, &cs, p.db.Q("list-communities")); err != nil {
		return p.db.mapErr(err, "communities")
	}
	p.existing = make(map[place]int64, len(cs))
	p.lastComm = map[int64]int{}
	for _, c := range cs {
		p.existing[place{byID[c.StreetID], c.Code}] = c.ID
		p.lastComm[c.StreetID] = max(p.lastComm[c.StreetID], c.Position)
	}
	return nil
}

// of returns the street and community ids of a household.
func (p *places) of(ctx context.Context, h HouseholdIn) (int64, int64, error) {
	k := place{h.Street, h.Community}
	if id, ok := p.ids[k]; ok {
		return id[0], id[1], nil
	}
	sid, ok := p.streets[h.Street]
	var err error
	if !ok {
		if sid, err = p.street(ctx, h.Street); err != nil {
			return 0, 0, err
		}
		p.streets[h.Street] = sid
	}
	cid, err := p.community(ctx, sid, k)
	if err != nil {
		return 0, 0, err
	}
	p.ids[k] = [2]int64{sid, cid}
	return sid, cid, nil
}

func (p *places) street(ctx context.Context, code string) (int64, error) {
	if p.existing == nil { // SQLite
		id, err := getOrInsert(ctx, p.tx, p.db.Q("get-street-id"), p.db.Q("insert-street"), []any{code}, []any{code, code, p.ts})
		return id, p.db.mapErr(err, "street "+code)
	}
	id, err := p.reserve(ctx, "reserve-street-id")
	if err == nil { // after every stored street, in the order of the file
		p.lastSt++
		p.newSt = append(p.newSt, Street{ID: id, Code: code, Name: code, Position: p.lastSt})
	}
	return id, err
}

func (p *places) community(ctx context.Context, sid int64, k place) (int64, error) {
	if p.existing == nil { // SQLite
		id, err := getOrInsert(ctx, p.tx, p.db.Q("get-community-id"), p.db.Q("insert-community"), []any{sid, k.community}, []any{sid, k.community, k.community, sid, p.ts})
		return id, p.db.mapErr(err, "community "+k.community)
	}
	if id, ok := p.existing[k]; ok {
		return id, nil
	}
	id, err := p.reserve(ctx, "reserve-community-id")
	if err == nil { // after the street's stored communities, in the order of the file
		p.lastComm[sid]++
		p.newComm = append(p.newComm, Community{ID: id, StreetID: sid, Code: k.community, Name: k.community, Position: p.lastComm[sid]})
	}
	return id, err
}

// reserve takes the next value of a sequence on a connection other than
// the import's, which is busy with the COPY.
func (p *places) reserve(ctx context.Context, query string) (int64, error) {
	var id int64
	err := p.db.write.GetContext(ctx, &id, p.db.Q(query))
	return id, p.db.mapErr(err, "reserve id")
}

// insertReserved stores the streets and communities whose ids were
// reserved during the COPY (PostgreSQL), in the order of their unique
// keys (lockorder.go): two imports that both add the same new streets wait
// for each other rather than deadlock (they queue on the frame version
// first anyway). Their positions were taken in the order of the file.
func (p *places) insertReserved(ctx context.Context) error {
	slices.SortFunc(p.newSt, func(a, b Street) int { return strings.Compare(a.Code, b.Code) })
	slices.SortFunc(p.newComm, func(a, b Community) int {
		return cmp.Or(cmp.Compare(a.StreetID, b.StreetID), strings.Compare(a.Code, b.Code))
	})
	for _, s := range p.newSt {
		if _, err := p.tx.ExecContext(ctx, p.db.Q("insert-street-with-id"), s.ID, s.Code, s.Name, s.Position, p.ts); err != nil {
			if apperr.Is(p.db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "another import created street %q at the same time; try again", s.Code)
			}
			return p.db.mapErr(err, "street "+s.Code)
		}
	}
	for _, c := range p.newComm {
		if _, err := p.tx.ExecContext(ctx, p.db.Q("insert-community-with-id"), c.ID, c.StreetID, c.Code, c.Name, c.Position, p.ts); err != nil {
			if apperr.Is(p.db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "another import created community %q at the same time; try again", c.Code)
			}
			return p.db.mapErr(err, "community "+c.Code)
		}
	}
	return nil
}

func (p *places) streetCount() int {
	seen := map[int64]bool{}
	for _, id := range p.ids {
		seen[id[0]] = true
	}
	return len(seen)
}

// copyHouseholds streams src into households with COPY and returns how
// many it wrote.
func (db *DB) copyHouseholds(ctx context.Context, tx *sqlx.Tx, frameID int64, p *places, src HouseholdSource) (int, error) {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("households", "frame_id", "street_id", "community_id", "household_key", "building", "size", "line", "attrs"))
	if err != nil {
		return 0, db.mapErr(err, "copy households")
	}
	defer stmt.Close()
	n := 0
	for src.Next() {
		h := src.Household()
		sid, cid, err := p.of(ctx, h)
		if err != nil {
			return 0, err
		}
		if _, err := stmt.ExecContext(ctx, frameID, sid, cid, h.Household, h.Building, sizeOrNull(h.Size), h.Line, attrsOrEmpty(h.Attrs)); err != nil {
			return 0, db.mapErr(err, fmt.Sprintf("copy household at line %d", h.Line))
		}
		n++
	}
	if err := src.Err(); err != nil {
		return 0, err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, db.mapErr(err, "copy households")
	}
	return n, db.mapErr(stmt.Close(), "copy households")
}

// insertHouseholds writes src with batched multi-row INSERTs and returns
// how many it wrote.
func (db *DB) insertHouseholds(ctx context.Context, tx *sqlx.Tx, frameID int64, p *places, src HouseholdSource) (int, error) {
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
		return 0, db.mapErr(err, "prepare insert")
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
	n := 0
	for src.Next() {
		h := src.Household()
		sid, cid, err := p.of(ctx, h)
		if err != nil {
			return 0, err
		}
		args = append(args, frameID, sid, cid, h.Household, h.Building, sizeOrNull(h.Size), h.Line, attrsOrEmpty(h.Attrs))
		n++
		if len(args) == sqliteBatch*8 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := src.Err(); err != nil {
		return 0, err
	}
	return n, flush()
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

// Streets lists every street in the district's order (by position).
func (db *DB) Streets(ctx context.Context) ([]Street, error) {
	var ss []Street
	err := db.read.SelectContext(ctx, &ss, db.Q("list-streets"))
	return ss, db.mapErr(err, "list streets")
}

// StreetRank returns each street's place in the district's order, by
// name, for sorting what names its streets (a drawn sample's results, a
// design report); a name no longer stored ranks after every street.
func (db *DB) StreetRank(ctx context.Context) (func(name string) int, error) {
	all, err := db.Streets(ctx)
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(all))
	for i, st := range all {
		at[st.Name] = i
	}
	return func(name string) int {
		if i, ok := at[name]; ok {
			return i
		}
		return len(all)
	}, nil
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
