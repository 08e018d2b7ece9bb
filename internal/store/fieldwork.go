package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Round states.
const (
	RoundPlanned   = "planned"
	RoundFieldwork = "fieldwork"
	RoundClosed    = "closed"
)

// Scope is what a caller may see: one street (a supervisor, an
// interviewer), one interviewer's assignments, or everything (zero). It is
// passed into every query's WHERE, never applied after loading.
type Scope struct {
	StreetID      int64
	InterviewerID int64
}

func (s Scope) street() []any      { return []any{s.StreetID, s.StreetID} }
func (s Scope) interviewer() []any { return []any{s.InterviewerID, s.InterviewerID} }

// RoundInfo is a round with what fieldwork needs of it.
type RoundInfo struct {
	Round
	Sample          string       `db:"sample" json:"sample"`
	StartsOn        string       `db:"starts_on" json:"starts_on,omitempty"`
	EndsOn          string       `db:"ends_on" json:"ends_on,omitempty"`
	ReplacementRule string       `db:"replacement_rule" json:"-"`
	StartedAt       sql.NullTime `db:"started_at" json:"-"`
	ClosedAt        sql.NullTime `db:"closed_at" json:"-"`
}

// NewRound is a round to create.
type NewRound struct {
	Name                   string
	Kind                   string
	QuestionnaireVersionID int64
	SampleID               int64
	StartsOn, EndsOn       string // YYYY-MM-DD or ""
	Rule                   string // JSON: the replacement rule and quality checks
	Simulated              bool   // its data are simulated, not fieldwork
}

// CreateRound stores a planned round and one unassigned assignment per
// household of its sample's main sample, audited, in one transaction. A
// taken name, or a sample already fielded by another round, is a Conflict.
func (db *DB) CreateRound(ctx context.Context, a Actor, nr NewRound) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		t := now()
		var by sql.NullInt64
		if a.UserID > 0 {
			by = sql.NullInt64{Int64: a.UserID, Valid: true}
		}
		err := tx.GetContext(ctx, &id, db.Q("insert-round"), nr.Name, nr.Kind, nr.QuestionnaireVersionID, nr.SampleID,
			nullString(nr.StartsOn), nullString(nr.EndsOn), nr.Rule, by, t, nr.Simulated)
		if err != nil {
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "a round named %q already exists, or its sample is fielded by another round", nr.Name)
			}
			return db.mapErr(err, "create round")
		}
		res, err := tx.ExecContext(ctx, db.Q("insert-round-assignments"), id, t, t, nr.SampleID)
		if err != nil {
			return db.mapErr(err, "create assignments")
		}
		n, _ := res.RowsAffected()
		return db.AuditIn(ctx, tx, a, "round.create", "round", itoa(id), map[string]any{
			"name": nr.Name, "kind": nr.Kind, "sample_id": nr.SampleID, "questionnaire_version_id": nr.QuestionnaireVersionID, "assignments": n,
			"simulated": nr.Simulated,
		})
	})
	return id, err
}

// Rounds lists rounds, newest first. An interviewer scope lists only the
// rounds in which that interviewer holds assignments.
func (db *DB) Rounds(ctx context.Context, sc Scope) ([]RoundInfo, error) {
	var out []RoundInfo
	err := db.read.SelectContext(ctx, &out, db.Q("list-rounds"), sc.interviewer()...)
	return out, db.mapErr(err, "list rounds")
}

// RoundInfoByID returns a round with its definition and rules.
func (db *DB) RoundInfoByID(ctx context.Context, id int64) (RoundInfo, error) {
	var r RoundInfo
	err := db.read.GetContext(ctx, &r, db.Q("get-round-full"), id)
	if err == sql.ErrNoRows {
		return r, apperr.New(apperr.NotFound, "round %d not found", id)
	}
	return r, db.mapErr(err, "round")
}

// RoundIDByName returns the id of the round with that name.
func (db *DB) RoundIDByName(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.read.GetContext(ctx, &id, db.Q("get-round-id-by-name"), name)
	if err == sql.ErrNoRows {
		return 0, apperr.New(apperr.NotFound, "round %q not found", name)
	}
	return id, db.mapErr(err, "round")
}

// MarkRoundSimulated marks a round's data as simulated (the simulator
// does before it submits into it), audited in the same transaction; a
// round already marked is left as it is. changed says whether it was not.
func (db *DB) MarkRoundSimulated(ctx context.Context, a Actor, id int64) (changed bool, err error) {
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		changed = false
		res, err := tx.ExecContext(ctx, db.Q("mark-round-simulated"), true, id, true)
		if err != nil {
			return db.mapErr(err, "mark round simulated")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		return db.AuditIn(ctx, tx, a, "round.simulated", "round", itoa(id), nil)
	})
	return changed, err
}

// SetRoundStatus moves a round from one state to another, audited, in one
// transaction. A round not in state from is a Conflict.
func (db *DB) SetRoundStatus(ctx context.Context, a Actor, id int64, from, to, action string) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q("set-round-status"), to, id, from)
		if err != nil {
			return db.mapErr(err, "set round status")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "the round is not %s", from)
		}
		t := now()
		switch to {
		case RoundFieldwork:
			_, err = tx.ExecContext(ctx, db.Q("set-round-started"), t, id)
			if err == nil && from == RoundClosed {
				_, err = tx.ExecContext(ctx, db.Q("set-round-closed"), nil, id)
			}
		case RoundClosed:
			_, err = tx.ExecContext(ctx, db.Q("set-round-closed"), t, id)
		}
		if err != nil {
			return db.mapErr(err, "set round status")
		}
		return db.AuditIn(ctx, tx, a, action, "round", itoa(id), map[string]string{"from": from, "to": to})
	})
}

// Assignment is a sampled household given (or to be given) to an
// interviewer, with its fieldwork state.
type Assignment struct {
	ID            int64           `db:"id" json:"id"`
	RoundID       int64           `db:"round_id" json:"round_id"`
	SampleUnitID  int64           `db:"sample_unit_id" json:"sample_unit_id"`
	InterviewerID sql.NullInt64   `db:"interviewer_id" json:"-"`
	Interviewer   string          `db:"interviewer" json:"interviewer"`
	StreetID      int64           `db:"street_id" json:"street_id"`
	Street        string          `db:"street" json:"street"`
	CommunityID   int64           `db:"community_id" json:"community_id"`
	Community     string          `db:"community" json:"community"`
	Building      string          `db:"building" json:"building"`
	Household     string          `db:"household_key" json:"household"`
	ReserveRank   sql.NullInt64   `db:"reserve_rank" json:"-"`
	Status        string          `db:"status" json:"status"`
	Disposition   string          `db:"disposition" json:"disposition,omitempty"`
	Category      string          `db:"category" json:"aapor,omitempty"`
	Attempts      int             `db:"attempts" json:"attempts"`
	Contacted     bool            `db:"contacted" json:"contacted"`
	LastOutcome   string          `db:"last_outcome" json:"last_outcome,omitempty"`
	LastVisitAt   sql.NullTime    `db:"last_visit_at" json:"-"`
	AppointmentAt sql.NullTime    `db:"appointment_at" json:"-"`
	Replacement   string          `db:"replacement" json:"replacement,omitempty"`
	Reason        string          `db:"reason" json:"reason,omitempty"`
	ReplacesID    sql.NullInt64   `db:"replaces_id" json:"-"`
	BaseWeight    sql.NullFloat64 `db:"base_weight" json:"-"`
	AssignedAt    sql.NullTime    `db:"assigned_at" json:"-"`
	UpdatedAt     time.Time       `db:"updated_at" json:"updated_at"`
}

// AssignmentFilter narrows a listing: a community, a status (open,
// in_progress, final) or "due" for replacements awaiting approval.
type AssignmentFilter struct {
	CommunityID int64
	Status      string
}

// Assignments lists a round's assignments within the caller's scope.
func (db *DB) Assignments(ctx context.Context, roundID int64, sc Scope, f AssignmentFilter) ([]Assignment, error) {
	out := []Assignment{}
	args := append([]any{roundID}, sc.street()...)
	args = append(args, sc.interviewer()...)
	args = append(args, f.CommunityID, f.CommunityID, f.Status, f.Status, f.Status)
	err := db.selectPrepared(ctx, &out, "list-assignments", args...)
	return out, db.mapErr(err, "list assignments")
}

// AssignmentByID returns one assignment within the caller's scope; outside
// it the assignment does not exist for the caller (NotFound).
func (db *DB) AssignmentByID(ctx context.Context, id int64, sc Scope) (Assignment, error) {
	var a Assignment
	args := append([]any{id}, sc.street()...)
	err := db.getPrepared(ctx, &a, "get-assignment", append(args, sc.interviewer()...)...)
	if err == sql.ErrNoRows {
		return a, apperr.New(apperr.NotFound, "assignment %d not found", id)
	}
	return a, db.mapErr(err, "assignment")
}

// AssignmentContext is what a visit or a submission needs to know about
// its assignment and round.
type AssignmentContext struct {
	ID                     int64         `db:"id"`
	RoundID                int64         `db:"round_id"`
	InterviewerID          sql.NullInt64 `db:"interviewer_id"`
	PreviousInterviewerID  sql.NullInt64 `db:"previous_interviewer_id"`
	StreetID               int64         `db:"street_id"`
	CommunityID            int64         `db:"community_id"`
	SampleUnitID           int64         `db:"sample_unit_id"`
	PSU                    int64         `db:"psu"`
	BaseWeight             float64       `db:"base_weight"`
	AssignedAt             sql.NullTime  `db:"assigned_at"`
	Replacement            string        `db:"replacement"`
	RoundStatus            string        `db:"round_status"`
	QuestionnaireVersionID int64         `db:"questionnaire_version_id"`
	QuestionnaireVersion   int           `db:"questionnaire_version"`
	ReplacementRule        string        `db:"replacement_rule"`
	SampleID               int64         `db:"sample_id"`
	SampleKind             string        `db:"sample_kind"`
}

// AssignmentContextByID loads an assignment's context within a street
// scope (0: any street).
func (db *DB) AssignmentContextByID(ctx context.Context, id, streetID int64) (AssignmentContext, error) {
	var a AssignmentContext
	err := db.getPrepared(ctx, &a, "assignment-context", id, streetID, streetID)
	if err == sql.ErrNoRows {
		return a, apperr.New(apperr.NotFound, "assignment %d not found", id)
	}
	return a, db.mapErr(err, "assignment")
}

// Selection picks assignments of a round to give to an interviewer: all of
// a community, all of a street, or a list of assignment ids.
type Selection struct {
	CommunityID   int64
	StreetID      int64
	AssignmentIDs []int64
}

// Assign gives the selected assignments of a round to an interviewer of
// streetID (the interviewer's street), within the caller's scope, audited
// in one transaction. It returns how many changed hands. Assignments
// outside the interviewer's street are refused (Invalid), never silently
// skipped; ids outside the caller's scope are NotFound.
func (db *DB) Assign(ctx context.Context, a Actor, roundID, interviewerID, streetID int64, sc Scope, sel Selection) (int64, error) {
	var changed int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		t := now()
		if len(sel.AssignmentIDs) > 0 {
			for _, id := range sel.AssignmentIDs {
				var st int64
				err := tx.GetContext(ctx, &st, db.Q("assignment-street"), id, roundID, sc.StreetID, sc.StreetID)
				if err == sql.ErrNoRows {
					return apperr.New(apperr.NotFound, "assignment %d not found in this round", id)
				}
				if err != nil {
					return db.mapErr(err, "assign")
				}
				if st != streetID {
					return apperr.WithFields("the interviewer works in another street", map[string]string{"assignment_ids": "assignment " + itoa(id) + " is not in the interviewer's street"})
				}
			}
			marks := strings.TrimSuffix(strings.Repeat("?,", len(sel.AssignmentIDs)), ",")
			ids := make([]any, len(sel.AssignmentIDs))
			for i, id := range sel.AssignmentIDs {
				ids[i] = id
			}
			if db.dialect == Postgres { // lockorder.go: all of them, in id order, first
				q := tx.Rebind(strings.Replace(db.rawQueries["lock-assignment-ids"], "{{ids}}", marks, 1))
				if _, err := tx.ExecContext(ctx, q, append([]any{roundID}, ids...)...); err != nil {
					return db.mapErr(err, "assign")
				}
			}
			q := tx.Rebind(strings.Replace(db.rawQueries["assign-ids"], "{{ids}}", marks, 1))
			args := append([]any{interviewerID, t, t, roundID, streetID, sc.StreetID, sc.StreetID}, ids...)
			res, err := tx.ExecContext(ctx, q, append(args, interviewerID)...)
			if err != nil {
				return db.mapErr(err, "assign")
			}
			changed, _ = res.RowsAffected()
		} else {
			var outside int64
			err := tx.GetContext(ctx, &outside, db.Q("count-assignable"), roundID, streetID, sc.StreetID, sc.StreetID,
				sel.CommunityID, sel.CommunityID, sel.StreetID, sel.StreetID)
			if err != nil {
				return db.mapErr(err, "assign")
			}
			if outside > 0 {
				return apperr.WithFields("the interviewer works in another street", map[string]string{"selection": itoa(outside) + " selected households are outside the interviewer's street"})
			}
			args := []any{roundID, streetID, sc.StreetID, sc.StreetID, sel.CommunityID, sel.CommunityID, sel.StreetID, sel.StreetID, interviewerID}
			if db.dialect == Postgres { // lockorder.go: all of them, in id order, first
				if _, err := tx.ExecContext(ctx, db.Q("lock-assignment-selection"), args...); err != nil {
					return db.mapErr(err, "assign")
				}
			}
			res, err := tx.ExecContext(ctx, db.Q("assign-selection"), append([]any{interviewerID, t, t}, args...)...)
			if err != nil {
				return db.mapErr(err, "assign")
			}
			changed, _ = res.RowsAffected()
		}
		return db.AuditIn(ctx, tx, a, "assignment.assign", "round", itoa(roundID), map[string]any{
			"interviewer_id": interviewerID, "community_id": sel.CommunityID, "street_id": sel.StreetID,
			"assignment_ids": sel.AssignmentIDs, "changed": changed,
		})
	})
	return changed, err
}

// FieldUser is the part of an account fieldwork checks.
type FieldUser struct {
	ID       int64         `db:"id"`
	Username string        `db:"username"`
	Role     string        `db:"role"`
	StreetID sql.NullInt64 `db:"street_id"`
	Disabled bool          `db:"disabled"`
}

// FieldUserByName returns an account's role and street.
func (db *DB) FieldUserByName(ctx context.Context, username string) (FieldUser, error) {
	var u FieldUser
	err := db.read.GetContext(ctx, &u, db.Q("user-street"), username)
	if err == sql.ErrNoRows {
		return u, apperr.New(apperr.NotFound, "user %q not found", username)
	}
	return u, db.mapErr(err, "user")
}

// Visit is a stored visit (attempt).
type Visit struct {
	ID            int64           `db:"id" json:"id"`
	ClientID      string          `db:"client_id" json:"client_id"`
	AssignmentID  int64           `db:"assignment_id" json:"assignment_id"`
	InterviewerID int64           `db:"interviewer_id" json:"-"`
	AttemptedAt   time.Time       `db:"attempted_at" json:"attempted_at"`
	Outcome       string          `db:"outcome" json:"outcome"`
	Note          string          `db:"note" json:"note,omitempty"`
	Latitude      sql.NullFloat64 `db:"latitude" json:"-"`
	Longitude     sql.NullFloat64 `db:"longitude" json:"-"`
	AccuracyM     sql.NullFloat64 `db:"accuracy_m" json:"-"`
	AppointmentAt sql.NullTime    `db:"appointment_at" json:"-"`
	ReceivedAt    time.Time       `db:"received_at" json:"received_at"`
	ContentHash   string          `db:"content_hash" json:"-"`
	StreetID      int64           `db:"street_id" json:"-"`
}

// VisitByClientID returns the visit stored under a client id.
func (db *DB) VisitByClientID(ctx context.Context, clientID string) (Visit, error) {
	var v Visit
	err := db.getPrepared(ctx, &v, "get-visit-by-client", clientID)
	if err == sql.ErrNoRows {
		return v, apperr.New(apperr.NotFound, "visit %s not found", clientID)
	}
	return v, db.mapErr(err, "visit")
}

// ResponseRef identifies a stored response and what makes a resend
// recognisable.
type ResponseRef struct {
	ID            int64         `db:"id"`
	ClientID      string        `db:"client_id"`
	AssignmentID  int64         `db:"assignment_id"`
	Status        string        `db:"status"`
	ContentHash   string        `db:"content_hash"`
	StreetID      int64         `db:"street_id"`
	InterviewerID sql.NullInt64 `db:"interviewer_id"`
}

// ResponseByClientID returns the response stored under a client id.
func (db *DB) ResponseByClientID(ctx context.Context, clientID string) (ResponseRef, error) {
	var r ResponseRef
	err := db.getPrepared(ctx, &r, "get-response-by-client", clientID)
	if err == sql.ErrNoRows {
		return r, apperr.New(apperr.NotFound, "response %s not found", clientID)
	}
	return r, db.mapErr(err, "response")
}

// Response is a stored response as supervisors list and review it.
type Response struct {
	ID                   int64         `db:"id" json:"id"`
	ClientID             string        `db:"client_id" json:"client_id"`
	AssignmentID         int64         `db:"assignment_id" json:"assignment_id"`
	RoundID              int64         `db:"round_id" json:"round_id"`
	InterviewerID        sql.NullInt64 `db:"interviewer_id" json:"-"`
	Interviewer          string        `db:"interviewer" json:"interviewer"`
	StreetID             int64         `db:"street_id" json:"street_id"`
	Street               string        `db:"street" json:"street"`
	Community            string        `db:"community" json:"community"`
	Status               string        `db:"status" json:"status"`
	Disposition          string        `db:"disposition" json:"disposition"`
	Answers              string        `db:"answers" json:"-"`
	StartedAt            sql.NullTime  `db:"started_at" json:"-"`
	CompletedAt          sql.NullTime  `db:"completed_at" json:"-"`
	ReceivedAt           time.Time     `db:"received_at" json:"received_at"`
	Flags                string        `db:"flags" json:"-"`
	Review               string        `db:"review" json:"review"`
	ReviewNote           string        `db:"review_note" json:"review_note,omitempty"`
	SupersedesID         sql.NullInt64 `db:"supersedes_id" json:"-"`
	DeviceID             string        `db:"device_id" json:"device_id,omitempty"`
	AppVersion           string        `db:"app_version" json:"app_version,omitempty"`
	QuestionnaireVersion int           `db:"questionnaire_version" json:"questionnaire_version"`
}

// ResponseByID returns one response within the caller's scope.
func (db *DB) ResponseByID(ctx context.Context, id int64, sc Scope) (Response, error) {
	var r Response
	args := append([]any{1, id}, sc.street()...)
	err := db.read.GetContext(ctx, &r, db.Q("get-response"), append(args, sc.interviewer()...)...)
	if err == sql.ErrNoRows {
		return r, apperr.New(apperr.NotFound, "response %d not found", id)
	}
	return r, db.mapErr(err, "response")
}

// ResponseFilter narrows a response listing.
type ResponseFilter struct {
	Status  string // accepted, superseded, rejected
	Review  string // pending, accepted, flagged, returned
	Flagged bool   // only responses with quality flags
}

// Responses lists a round's responses within the caller's scope.
func (db *DB) Responses(ctx context.Context, roundID int64, sc Scope, f ResponseFilter) ([]Response, error) {
	out := []Response{}
	flagged := 0
	if f.Flagged {
		flagged = 1
	}
	args := append([]any{0, roundID}, sc.street()...)
	args = append(args, sc.interviewer()...)
	args = append(args, f.Status, f.Status, f.Review, f.Review, flagged)
	err := db.read.SelectContext(ctx, &out, db.Q("list-responses"), args...)
	return out, db.mapErr(err, "list responses")
}

// Peer is another accepted response of the same interviewer.
type Peer struct {
	ID          int64        `db:"id"`
	StartedAt   sql.NullTime `db:"started_at"`
	CompletedAt sql.NullTime `db:"completed_at"`
	Pattern     string       `db:"pattern"`
}

// InterviewerPeers returns those of an interviewer's accepted responses
// in a round that the quality checks of a new one can flag: the same
// answer pattern, or an interview overlapping started–completed (nil: no
// times, so none overlaps).
func (db *DB) InterviewerPeers(ctx context.Context, roundID, interviewerID int64, pattern string, started, completed *time.Time) ([]Peer, error) {
	var out []Peer
	err := db.selectPrepared(ctx, &out, "interviewer-peers", roundID, interviewerID, pattern, utcPtr(completed), utcPtr(started))
	return out, db.mapErr(err, "interviewer responses")
}

// CommunityPoints returns the GPS positions of the newest accepted
// interviews of a community in a round (at most 200).
func (db *DB) CommunityPoints(ctx context.Context, roundID, communityID int64) ([][2]float64, error) {
	st, err := db.readStmt(ctx, "community-points")
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, roundID, communityID)
	if err != nil {
		return nil, db.mapErr(err, "community positions")
	}
	defer rows.Close()
	var out [][2]float64
	for rows.Next() {
		var p [2]float64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, db.mapErr(err, "community positions")
		}
		out = append(out, p)
	}
	return out, db.mapErr(rows.Err(), "community positions")
}

// ProgressRow counts a group's assignments of one AAPOR category ("" for
// those not final yet) and the visits made to them.
type ProgressRow struct {
	GroupID   int64  `db:"group_id"`
	GroupName string `db:"group_name"`
	Category  string `db:"category"`
	N         int    `db:"n"`
	Visits    int    `db:"visits"`
}

// Progress counts a round's assignments by group (street, community or
// interviewer) and AAPOR category, within a street scope.
func (db *DB) Progress(ctx context.Context, roundID int64, by string, sc Scope) ([]ProgressRow, error) {
	if by != "street" && by != "community" && by != "interviewer" {
		return nil, apperr.WithFields("invalid progress grouping", map[string]string{"by": "street, community or interviewer"})
	}
	var out []ProgressRow
	var err error
	if sc.StreetID != 0 {
		err = db.read.SelectContext(ctx, &out, db.Q("street-progress-by-"+by), roundID, sc.StreetID)
	} else {
		err = db.read.SelectContext(ctx, &out, db.Q("round-progress-by-"+by), roundID)
	}
	return out, db.mapErr(err, "progress")
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// QuestionnaireVersionByID returns a stored questionnaire version with its
// canonical definition.
func (db *DB) QuestionnaireVersionByID(ctx context.Context, id int64) (QuestionnaireVersion, error) {
	var v QuestionnaireVersion
	err := db.read.GetContext(ctx, &v, db.Q("get-questionnaire-version-by-id"), id)
	return v, db.mapErr(err, "questionnaire version")
}

// DataValue is one indicator value of an accepted response with the
// design variables.
type DataValue struct {
	ResponseID int64
	Street     string
	Community  string
	PSU        int64
	Weight     float64
	Indicator  string
	Value      sql.NullFloat64
}

// RoundData streams the values of a round's accepted responses within a
// street scope, ordered by response, to fn.
func (db *DB) RoundData(ctx context.Context, roundID int64, sc Scope, fn func(DataValue) error) error {
	rows, err := db.read.QueryContext(ctx, db.Q("round-data"), append([]any{roundID}, sc.street()...)...)
	if err != nil {
		return db.mapErr(err, "round data")
	}
	defer rows.Close()
	for rows.Next() {
		var v DataValue
		if err := rows.Scan(&v.ResponseID, &v.Street, &v.Community, &v.PSU, &v.Weight, &v.Indicator, &v.Value); err != nil {
			return db.mapErr(err, "round data")
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return db.mapErr(rows.Err(), "round data")
}

// nullTime, nullInt and nullFloat turn SQL nulls into JSON nulls.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func nullFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

// MarshalJSON writes an assignment with its nullable fields as JSON nulls.
func (a Assignment) MarshalJSON() ([]byte, error) {
	type plain Assignment
	return json.Marshal(struct {
		plain
		ReserveRank   *int64     `json:"reserve_rank"`
		LastVisitAt   *time.Time `json:"last_visit_at"`
		AppointmentAt *time.Time `json:"appointment_at"`
		ReplacesID    *int64     `json:"replaces_id"`
		BaseWeight    *float64   `json:"base_weight"`
		AssignedAt    *time.Time `json:"assigned_at"`
	}{plain(a), nullInt(a.ReserveRank), nullTime(a.LastVisitAt), nullTime(a.AppointmentAt), nullInt(a.ReplacesID),
		nullFloat(a.BaseWeight), nullTime(a.AssignedAt)})
}

// MarshalJSON writes a response with its times and the response it
// corrects as JSON nulls when unknown.
func (r Response) MarshalJSON() ([]byte, error) {
	type plain Response
	return json.Marshal(struct {
		plain
		StartedAt    *time.Time `json:"started_at"`
		CompletedAt  *time.Time `json:"completed_at"`
		SupersedesID *int64     `json:"supersedes"`
	}{plain(r), nullTime(r.StartedAt), nullTime(r.CompletedAt), nullInt(r.SupersedesID)})
}

// MarshalJSON writes a visit with its position and appointment.
func (v Visit) MarshalJSON() ([]byte, error) {
	type plain Visit
	return json.Marshal(struct {
		plain
		Latitude      *float64   `json:"lat"`
		Longitude     *float64   `json:"lon"`
		AccuracyM     *float64   `json:"accuracy_m"`
		AppointmentAt *time.Time `json:"appointment_at"`
	}{plain(v), nullFloat(v.Latitude), nullFloat(v.Longitude), nullFloat(v.AccuracyM), nullTime(v.AppointmentAt)})
}

// MarshalJSON writes a round with when it went into the field and closed.
func (r RoundInfo) MarshalJSON() ([]byte, error) {
	type plain RoundInfo
	var rule json.RawMessage
	if r.ReplacementRule != "" {
		rule = json.RawMessage(r.ReplacementRule)
	}
	return json.Marshal(struct {
		plain
		StartedAt *time.Time      `json:"started_at"`
		ClosedAt  *time.Time      `json:"closed_at"`
		Rule      json.RawMessage `json:"rule,omitempty"`
	}{plain(r), nullTime(r.StartedAt), nullTime(r.ClosedAt), rule})
}
