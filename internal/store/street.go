package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// NamedID is an object's id and name (a street for a selector).
type NamedID struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// RoundStreets lists the streets that have households in a round.
func (db *DB) RoundStreets(ctx context.Context, roundID int64) ([]NamedID, error) {
	out := []NamedID{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-round-streets"), roundID)
	return out, db.mapErr(err, "round streets")
}

// BoardRow is one household of a street's assignment board.
type BoardRow struct {
	ID            int64         `db:"id"`
	Interviewer   string        `db:"interviewer"`
	CommunityID   int64         `db:"community_id"`
	Community     string        `db:"community"`
	Building      string        `db:"building"`
	Household     string        `db:"household_key"`
	Status        string        `db:"status"`
	Disposition   string        `db:"disposition"`
	Attempts      int           `db:"attempts"`
	LastOutcome   string        `db:"last_outcome"`
	LastVisitAt   sql.NullTime  `db:"last_visit_at"`
	AppointmentAt sql.NullTime  `db:"appointment_at"`
	Replacement   string        `db:"replacement"`
	ReserveRank   sql.NullInt64 `db:"reserve_rank"`
	// Board is the household's state on the board: unassigned, assigned,
	// visited, appointment, completed, refused, final, due or replaced.
	Board string `db:"board"`
	Total int    `db:"total"` // the households the filter matches
}

// BoardStates are the states of BoardRow.Board, in the board's order.
var BoardStates = []string{"unassigned", "assigned", "visited", "appointment", "completed", "refused", "final", "due", "replaced"}

// BoardFilter narrows a board: a community, an interviewer (-1: the
// households given to nobody), a board state; Limit rows from Offset.
type BoardFilter struct {
	CommunityID   int64
	InterviewerID int64
	State         string
	Limit, Offset int
}

// Board returns one page of a street's households in a round (the street
// is the scope: a supervisor's own, or the one an administrator chose) and
// the number of households the filter matches.
func (db *DB) Board(ctx context.Context, roundID, streetID int64, f BoardFilter) ([]BoardRow, int, error) {
	out := []BoardRow{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-board"), roundID, streetID,
		f.CommunityID, f.CommunityID, f.InterviewerID, f.InterviewerID, f.InterviewerID, f.State, f.State, f.Limit, f.Offset)
	if err != nil || len(out) == 0 {
		return out, 0, db.mapErr(err, "board")
	}
	return out, out[0].Total, nil
}

// BoardCommunity is a community of a street's board with its households
// by state.
type BoardCommunity struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Total      int    `db:"total"`
	Unassigned int    `db:"unassigned"`
	Final      int    `db:"final"`
	Completed  int    `db:"completed"`
	Due        int    `db:"due"`
}

// BoardCommunities counts a street's households in a round by community.
func (db *DB) BoardCommunities(ctx context.Context, roundID, streetID int64) ([]BoardCommunity, error) {
	out := []BoardCommunity{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-board-communities"), roundID, streetID)
	return out, db.mapErr(err, "board communities")
}

// StreetInterviewer is an active interviewer of a street and the number of
// households of a round they hold.
type StreetInterviewer struct {
	ID          int64  `db:"id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
	Households  int    `db:"households"`
}

// StreetInterviewers lists a street's active interviewers with their
// households in a round.
func (db *DB) StreetInterviewers(ctx context.Context, roundID, streetID int64) ([]StreetInterviewer, error) {
	out := []StreetInterviewer{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-interviewers"), roundID, streetID)
	return out, db.mapErr(err, "street interviewers")
}

// Appointment is a household with an appointment, not yet final.
type Appointment struct {
	ID            int64     `db:"id"`
	Street        string    `db:"street"`
	Community     string    `db:"community"`
	Building      string    `db:"building"`
	Household     string    `db:"household_key"`
	Interviewer   string    `db:"interviewer"`
	AppointmentAt time.Time `db:"appointment_at"`
	Attempts      int       `db:"attempts"`
}

// Appointments lists a round's households not yet final whose appointment
// falls in [from, to), in a street (0: every street).
func (db *DB) Appointments(ctx context.Context, roundID, streetID int64, from, to time.Time) ([]Appointment, error) {
	out := []Appointment{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-appointments"), roundID, from.UTC(), to.UTC(), streetID, streetID)
	return out, db.mapErr(err, "appointments")
}

// DueVisit is a visit to a household awaiting replacement approval.
type DueVisit struct {
	AssignmentID  int64        `db:"assignment_id"`
	AttemptedAt   time.Time    `db:"attempted_at"`
	Outcome       string       `db:"outcome"`
	Note          string       `db:"note"`
	Interviewer   string       `db:"interviewer"`
	AppointmentAt sql.NullTime `db:"appointment_at"`
}

// DueVisits returns the visits of one page of a round's households
// awaiting a replacement approval (limit households from offset, in the
// order of DueAssignments), by household and time, in a street (0: every
// street).
func (db *DB) DueVisits(ctx context.Context, roundID, streetID int64, limit, offset int) ([]DueVisit, error) {
	out := []DueVisit{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-due-visits"), roundID, streetID, streetID, limit, offset)
	return out, db.mapErr(err, "replacement visits")
}

// ReviewRow is a response of the review queue.
type ReviewRow struct {
	ID           int64        `db:"id"`
	AssignmentID int64        `db:"assignment_id"`
	Interviewer  string       `db:"interviewer"`
	Street       string       `db:"street"`
	Community    string       `db:"community"`
	Building     string       `db:"building"`
	Household    string       `db:"household_key"`
	Status       string       `db:"status"`
	Disposition  string       `db:"disposition"`
	StartedAt    sql.NullTime `db:"started_at"`
	CompletedAt  sql.NullTime `db:"completed_at"`
	ReceivedAt   time.Time    `db:"received_at"`
	Flags        string       `db:"flags"`
	Review       string       `db:"review"`
	ReviewNote   string       `db:"review_note"`
	Total        int          `db:"total"`
}

// ReviewQueue returns one page of a round's responses with quality flags
// (or flagged by a supervisor) in a street (0: every street), filtered by
// review state ("" for all), oldest first, and how many match.
func (db *DB) ReviewQueue(ctx context.Context, roundID, streetID int64, review string, limit, offset int) ([]ReviewRow, int, error) {
	out := []ReviewRow{}
	err := db.read.SelectContext(ctx, &out, db.Q("street-review"), roundID, streetID, streetID, review, review, limit, offset)
	if err != nil || len(out) == 0 {
		return out, 0, db.mapErr(err, "review queue")
	}
	return out, out[0].Total, nil
}

// ResponsePlace is where a response was recorded: its position, if the
// tablet had one, and its household.
type ResponsePlace struct {
	Latitude    sql.NullFloat64 `db:"latitude"`
	Longitude   sql.NullFloat64 `db:"longitude"`
	AccuracyM   sql.NullFloat64 `db:"accuracy_m"`
	Building    string          `db:"building"`
	Household   string          `db:"household_key"`
	CommunityID int64           `db:"community_id"`
}

// ResponsePlaceByID returns where a response was recorded, in a street (0:
// every street); outside it the response does not exist (NotFound).
func (db *DB) ResponsePlaceByID(ctx context.Context, id, streetID int64) (ResponsePlace, error) {
	var p ResponsePlace
	err := db.read.GetContext(ctx, &p, db.Q("street-response-place"), id, streetID, streetID)
	if err == sql.ErrNoRows {
		return p, apperr.New(apperr.NotFound, "response %d not found", id)
	}
	return p, db.mapErr(err, "response")
}

// DueAssignments returns one page of a round's households awaiting a
// supervisor's replacement approval in a street (0: every street), by
// street, community, building and household, and how many there are.
func (db *DB) DueAssignments(ctx context.Context, roundID, streetID int64, limit, offset int) ([]Assignment, int, error) {
	out := []Assignment{}
	var n int
	if err := db.read.GetContext(ctx, &n, db.Q("street-due-count"), roundID, streetID, streetID); err != nil {
		return out, 0, db.mapErr(err, "replacement requests")
	}
	err := db.read.SelectContext(ctx, &out, db.Q("street-due-assignments"), roundID, streetID, streetID, limit, offset)
	return out, n, db.mapErr(err, "replacement requests")
}
