package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// FieldTx is one write transaction of the fieldwork path: a visit or a
// response, the assignment's new state, a released reserve and the audit
// entry commit together or not at all. The fieldwork rules run in Go
// between its calls; the SQL stays here.
type FieldTx struct {
	db    *DB
	tx    *sqlx.Tx
	ctx   context.Context
	stmts map[string]*sqlx.Stmt // fieldTxQueries, prepared (stmtcache.go)
	Now   time.Time             // one clock reading for every row the transaction writes
	// Assignment is the transaction's assignment as it found it, locked.
	Assignment LockedAssignment
	sweep      bool // a response was taken out of the sums (sweepSums)
}

// LockedAssignment is an assignment as a fieldwork transaction finds it
// when it begins, under its lock: its replacement state, and the key of
// the fieldwork counts it is in.
type LockedAssignment struct {
	ID          int64
	PSU         int64 // its sample unit's
	Replacement string
	Counts      CountKey
}

// FieldWrite runs fn in a write transaction of the fieldwork path about
// one assignment, which it locks first, before fn runs (on PostgreSQL with
// its round's shared lock: lockorder.go). Every other lock the transaction
// takes comes after, in the global order. Like Tx, fn may run more than
// once.
func (db *DB) FieldWrite(ctx context.Context, assignmentID int64, fn func(t *FieldTx) error) error {
	stmts, err := db.fieldStmts(ctx)
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		t := &FieldTx{db: db, tx: tx, ctx: ctx, stmts: stmts, Now: now()}
		if err := t.lockAssignment(assignmentID); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		return t.sweepSums()
	})
}

// stmt is the named query's prepared statement, in the transaction.
func (t *FieldTx) stmt(name string) *sqlx.Stmt {
	return t.tx.StmtxContext(t.ctx, t.stmts[name])
}

// Audit writes the audit entry of the change.
func (t *FieldTx) Audit(a Actor, action, objectType, objectID string, detail any) error {
	args, err := auditArgs(a, action, objectType, objectID, detail)
	if err != nil {
		return err
	}
	_, err = t.stmt("insert-audit").ExecContext(t.ctx, args...)
	return t.db.mapErr(err, "audit")
}

// NewVisit is a visit to store.
type NewVisit struct {
	AssignmentID  int64
	ClientID      string
	InterviewerID int64
	AttemptedAt   time.Time
	Outcome       string
	Note          string
	Lat, Lon, Acc *float64
	AppointmentAt *time.Time
	ContentHash   string
}

// InsertVisit stores a visit unless its client id is already stored; ok is
// false then (a resend or a conflict: the caller compares content).
func (t *FieldTx) InsertVisit(v NewVisit) (id int64, ok bool, err error) {
	err = t.stmt("insert-visit").GetContext(t.ctx, &id, v.AssignmentID, v.ClientID, v.InterviewerID, v.AttemptedAt.UTC(),
		v.Outcome, v.Lat, v.Lon, v.Acc, v.Note, t.Now, v.ContentHash, utcPtr(v.AppointmentAt))
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, t.db.mapErr(err, "store visit")
	}
	return id, true, nil
}

// lockAssignment locks the assignment (on PostgreSQL with its round's
// shared lock) and reads its state into t.Assignment.
func (t *FieldTx) lockAssignment(id int64) error {
	var roundLocked bool
	a := LockedAssignment{ID: id}
	k := &a.Counts
	err := t.stmt("lock-assignment").QueryRowxContext(t.ctx, id).
		Scan(&roundLocked, &a.Replacement, &k.RoundID, &a.PSU, &k.StreetID, &k.CommunityID, &k.InterviewerID, &k.Category)
	if err == sql.ErrNoRows {
		return apperr.New(apperr.NotFound, "assignment %d not found", id)
	}
	if err != nil {
		return t.db.mapErr(err, "lock assignment")
	}
	t.Assignment = a
	return nil
}

// VisitOutcome is one visit as the disposition rules read it.
type VisitOutcome struct {
	At            time.Time    `db:"attempted_at"`
	Outcome       string       `db:"outcome"`
	AppointmentAt sql.NullTime `db:"appointment_at"`
}

// AssignmentVisits returns an assignment's visits in time order.
func (t *FieldTx) AssignmentVisits(assignmentID int64) ([]VisitOutcome, error) {
	var out []VisitOutcome
	err := t.stmt("assignment-visits").SelectContext(t.ctx, &out, assignmentID)
	return out, t.db.mapErr(err, "visits")
}

// AcceptedResponse returns the id and end disposition of an assignment's
// accepted response; ok is false when it has none.
func (t *FieldTx) AcceptedResponse(assignmentID int64) (id int64, disposition string, ok bool, err error) {
	row := struct {
		ID          int64  `db:"id"`
		Disposition string `db:"disposition"`
	}{}
	err = t.stmt("assignment-accepted").GetContext(t.ctx, &row, assignmentID)
	if err == sql.ErrNoRows {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, t.db.mapErr(err, "accepted response")
	}
	return row.ID, row.Disposition, true, nil
}

// AssignmentState is what the disposition rules derive for an assignment.
type AssignmentState struct {
	Status, Disposition, Category string
	Attempts                      int
	Contacted                     bool
	LastOutcome                   string
	LastVisitAt, AppointmentAt    *time.Time
	Reason                        string
	Replacement                   string
}

// SetAssignmentState writes an assignment's derived state.
func (t *FieldTx) SetAssignmentState(id int64, s AssignmentState) error {
	_, err := t.stmt("update-assignment-state").ExecContext(t.ctx, s.Status, nullString(s.Disposition), nullString(s.Category),
		s.Attempts, s.Contacted, nullString(s.LastOutcome), utcPtr(s.LastVisitAt), utcPtr(s.AppointmentAt), s.Reason, s.Replacement, t.Now, id)
	return t.db.mapErr(err, "update assignment")
}

// SetReplacement records a replacement decision on an assignment.
func (t *FieldTx) SetReplacement(id int64, state, reason string) error {
	_, err := t.stmt("set-assignment-replacement").ExecContext(t.ctx, state, reason, t.Now, id)
	return t.db.mapErr(err, "update assignment")
}

// ReleaseReserve releases the next reserve of the replaced assignment's
// community (street for a stratified SRS) and gives it an assignment that
// inherits the replaced one's interviewer and base weight and points back
// to it. ok is false when no reserve is left. also are the fieldwork
// counts the transaction changes after the release (the replaced
// assignment's, when its state changes too): they are locked with the new
// assignment's, in key order, before it is inserted, so that the two
// statements that change counts do not lock them out of order.
func (t *FieldTx) ReleaseReserve(replaced AssignmentContext, also ...CountKey) (newID int64, ok bool, err error) {
	for range 5 { // another transaction may take the same reserve first (PostgreSQL)
		var unit struct {
			ID          int64 `db:"id"`
			CommunityID int64 `db:"community_id"`
		}
		err = t.stmt("next-reserve").GetContext(t.ctx, &unit, replaced.SampleID, replaced.StreetID, replaced.SampleKind, replaced.CommunityID)
		if err == sql.ErrNoRows {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, t.db.mapErr(err, "next reserve")
		}
		res, err := t.stmt("release-reserve").ExecContext(t.ctx, t.Now, replaced.SampleUnitID, unit.ID)
		if err != nil {
			return 0, false, t.db.mapErr(err, "release reserve")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		own := t.Assignment.Counts // the same round, street and interviewer
		own.CommunityID, own.Category = unit.CommunityID, ""
		if err := t.lockCounts(append(also, own)); err != nil {
			return 0, false, err
		}
		err = t.stmt("insert-replacement-assignment").GetContext(t.ctx, &newID, t.Now, t.Now, t.Now, unit.ID, replaced.ID)
		if err != nil {
			return 0, false, t.db.mapErr(err, "replacement assignment")
		}
		return newID, true, nil
	}
	return 0, false, apperr.New(apperr.Conflict, "could not release a reserve: try again")
}

// NewResponse is an accepted response to store.
type NewResponse struct {
	AssignmentID           int64
	RoundID                int64
	QuestionnaireVersionID int64
	ClientID               string
	InterviewerID          int64
	Answers                string // JSON
	StartedAt, CompletedAt *time.Time
	// Weight is the base weight; 0 stores none (an interview screened out
	// as not eligible takes no weight).
	Weight               float64
	ContentHash          string
	DeviceID, AppVersion string
	Lat, Lon, Acc        *float64
	SupersedesID         int64
	Disposition          string
	Pattern              string
	Flags                string // JSON array
}

// InsertResponse stores an accepted response unless its client id is
// already stored (ok false: a resend or a conflict). A second accepted
// response for the assignment is a Conflict.
func (t *FieldTx) InsertResponse(r NewResponse) (id int64, ok bool, err error) {
	var sup sql.NullInt64
	if r.SupersedesID > 0 {
		sup = sql.NullInt64{Int64: r.SupersedesID, Valid: true}
	}
	w := sql.NullFloat64{Float64: r.Weight, Valid: r.Weight > 0}
	err = t.stmt("insert-response").GetContext(t.ctx, &id, r.AssignmentID, r.RoundID, r.QuestionnaireVersionID, r.ClientID,
		r.InterviewerID, r.Answers, utcPtr(r.StartedAt), utcPtr(r.CompletedAt), t.Now, w, r.ContentHash, r.DeviceID,
		r.AppVersion, r.Lat, r.Lon, r.Acc, sup, r.Disposition, r.Pattern, r.Flags)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		if apperr.Is(t.db.mapErr(err, ""), apperr.Conflict) {
			return 0, false, apperr.Wrap(apperr.Conflict, err, "this household already has an accepted response; send a correction with \"supersedes\"")
		}
		return 0, false, t.db.mapErr(err, "store response")
	}
	return id, true, nil
}

// ResponseValue is one indicator value of a response (nil: missing).
type ResponseValue struct {
	Indicator string
	Value     *float64
}

// InsertValues writes one response_values row per indicator, with the
// design variables and the weight copied in, in one statement: each
// statement inside the transaction is a round trip to PostgreSQL while the
// transaction holds its locks.
func (t *FieldTx) InsertValues(responseID int64, a AssignmentContext, weight float64, vals []ResponseValue) error {
	if len(vals) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(vals))
	for _, v := range vals {
		args = append(args, responseID, v.Indicator, v.Value, a.RoundID, a.StreetID, a.PSU, a.CommunityID, weight)
	}
	var err error
	if st := t.db.valuesStmt(len(vals)); st != nil {
		_, err = t.tx.StmtxContext(t.ctx, st).ExecContext(t.ctx, args...)
	} else {
		_, err = t.tx.ExecContext(t.ctx, t.db.valuesQuery(len(vals)), args...)
	}
	if err != nil {
		return t.db.mapErr(err, "store response values")
	}
	return nil
}

// Supersede marks an assignment's accepted response as superseded (its
// values leave the estimates), before the correction next is stored. It
// is NotFound unless that response is the assignment's accepted one.
func (t *FieldTx) Supersede(responseID, assignmentID int64, next NextSums) error {
	if err := t.lockResponse(responseID); err != nil {
		return err
	}
	if err := t.lockSums(responseID, next); err != nil {
		return err
	}
	if err := t.takeSums(responseID); err != nil {
		return err
	}
	res, err := t.stmt("supersede-response").ExecContext(t.ctx, responseID, assignmentID)
	if err != nil {
		return t.db.mapErr(err, "supersede response")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.WithFields("nothing to correct", map[string]string{"supersedes": "not the accepted response of this household"})
	}
	return nil
}

// Review records a supervisor's review of an accepted response; "returned"
// also rejects it, so its values leave the estimates.
func (t *FieldTx) Review(responseID, reviewerID int64, review, note string) error {
	var by sql.NullInt64
	if reviewerID > 0 {
		by = sql.NullInt64{Int64: reviewerID, Valid: true}
	}
	if review == "returned" {
		if err := t.lockResponse(responseID); err != nil {
			return err
		}
		if err := t.takeSums(responseID); err != nil {
			return err
		}
	}
	res, err := t.stmt("review-response").ExecContext(t.ctx, review, note, by, t.Now, review, responseID)
	if err != nil {
		return t.db.mapErr(err, "review response")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "only an accepted response can be reviewed")
	}
	return nil
}

// lockResponse locks a response the transaction changes (PostgreSQL),
// after its assignment and before the sums it takes away; a response that
// does not exist is left to the change to report.
func (t *FieldTx) lockResponse(id int64) error {
	var status string
	err := t.stmt("lock-response").GetContext(t.ctx, &status, id)
	if err == sql.ErrNoRows {
		return nil
	}
	return t.db.mapErr(err, "lock response")
}

func utcPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
