package rounds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// GPS is a position as the tablet reports it.
type GPS struct {
	Lat       float64  `json:"lat"`
	Lon       float64  `json:"lon"`
	AccuracyM *float64 `json:"accuracy_m,omitempty"`
}

// check range-checks a position into fields under the given key.
func (g *GPS) check(fields map[string]string, key string) {
	if g == nil {
		return
	}
	if !(g.Lat >= -90 && g.Lat <= 90) {
		fields[key+".lat"] = "a latitude from -90 to 90"
	}
	if !(g.Lon >= -180 && g.Lon <= 180) {
		fields[key+".lon"] = "a longitude from -180 to 180"
	}
	if g.AccuracyM != nil && !(*g.AccuracyM >= 0 && *g.AccuracyM <= 100000) {
		fields[key+".accuracy_m"] = "metres from 0 to 100000"
	}
}

func (g *GPS) parts() (lat, lon, acc *float64) {
	if g == nil {
		return nil, nil, nil
	}
	return &g.Lat, &g.Lon, g.AccuracyM
}

// VisitRequest is one visit as the tablet sends it (POST /api/v1/visits).
type VisitRequest struct {
	ClientID      string     `json:"client_id"`
	AssignmentID  int64      `json:"assignment_id"`
	AttemptedAt   time.Time  `json:"attempted_at"`
	Outcome       string     `json:"outcome"`
	Note          string     `json:"note,omitempty"`
	GPS           *GPS       `json:"gps,omitempty"`
	AppointmentAt *time.Time `json:"appointment_at,omitempty"`
}

// VisitResult is a stored visit and whether this call stored it (false: a
// resend of the same visit).
type VisitResult struct {
	Visit      store.Visit      `json:"visit"`
	Created    bool             `json:"-"`
	Assignment store.Assignment `json:"assignment"`
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Bounds on what a tablet may send.
const (
	maxNote      = 1000 // characters
	maxDeviceLen = 100
	clockSkew    = 10 * time.Minute // how far in the future a tablet's clock may run
)

// earliest is the earliest time any fieldwork can have happened.
var earliest = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func checkTime(fields map[string]string, key string, t time.Time, now time.Time) {
	if t.Before(earliest) || t.After(now.Add(clockSkew)) {
		fields[key] = "a time between 2020 and now (RFC 3339, e.g. 2026-11-27T19:30:00+08:00)"
	}
}

func (r *VisitRequest) validate(now time.Time) error {
	fields := map[string]string{}
	if !uuidRE.MatchString(r.ClientID) {
		fields["client_id"] = "a UUID made by the tablet"
	}
	if r.AssignmentID < 1 {
		fields["assignment_id"] = "required"
	}
	if _, err := fieldwork.ParseOutcome(r.Outcome); err != nil {
		fields["outcome"] = apperr.PublicMessage(err)
	}
	checkTime(fields, "attempted_at", r.AttemptedAt, now)
	if utf8.RuneCountInString(r.Note) > maxNote {
		fields["note"] = fmt.Sprintf("at most %d characters", maxNote)
	}
	r.GPS.check(fields, "gps")
	if r.AppointmentAt != nil {
		if r.Outcome != string(fieldwork.OutcomeAppointment) {
			fields["appointment_at"] = "only with the outcome appointment"
		} else if r.AppointmentAt.Before(earliest) || r.AppointmentAt.After(now.AddDate(1, 0, 0)) {
			fields["appointment_at"] = "a time within the next year"
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid visit", fields)
	}
	return nil
}

// hash is the visit's content identity: a resend must match it exactly.
func (r VisitRequest) hash() string {
	c := r
	c.AttemptedAt = c.AttemptedAt.UTC()
	if c.AppointmentAt != nil {
		t := c.AppointmentAt.UTC()
		c.AppointmentAt = &t
	}
	return contentHash(c)
}

func contentHash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// errDuplicate marks a client id that was already stored when a
// transaction tried to insert it; the caller then compares content.
var errDuplicate = errors.New("client id already stored")

// RecordVisit stores one visit, idempotently: the same client id with the
// same content returns the stored visit (Created false); with other
// content it is a Conflict. The assignment's state, a released reserve and
// the audit entry are written in the same transaction.
func (s *Service) RecordVisit(ctx context.Context, c Caller, req VisitRequest) (VisitResult, error) {
	if err := req.validate(time.Now()); err != nil {
		return VisitResult{}, err
	}
	h := req.hash()
	if res, err := s.storedVisit(ctx, c, req.ClientID, h); !apperr.Is(err, apperr.NotFound) {
		return res, err
	}
	ac, err := s.fieldAssignment(ctx, c, req.AssignmentID)
	if err != nil {
		return VisitResult{}, err
	}
	if ac.InterviewerID.Valid && c.User.Role == store.RoleInterviewer && ac.InterviewerID.Int64 != c.User.ID {
		return VisitResult{}, apperr.New(apperr.NotFound, "assignment %d not found", req.AssignmentID)
	}
	if err := roundOpen(ac.RoundStatus); err != nil {
		return VisitResult{}, err
	}
	rl, err := rule(ac.ReplacementRule)
	if err != nil {
		return VisitResult{}, err
	}
	lat, lon, acc := req.GPS.parts()
	interviewer := c.User.ID
	if c.Rescue && ac.InterviewerID.Valid {
		interviewer = ac.InterviewerID.Int64
	}
	err = s.db.FieldWrite(ctx, ac.ID, func(t *store.FieldTx) error {
		id, ok, err := t.InsertVisit(store.NewVisit{
			AssignmentID: ac.ID, ClientID: req.ClientID, InterviewerID: interviewer, AttemptedAt: req.AttemptedAt,
			Outcome: req.Outcome, Note: req.Note, Lat: lat, Lon: lon, Acc: acc, AppointmentAt: req.AppointmentAt, ContentHash: h,
		})
		if err != nil {
			return err
		}
		if !ok {
			return errDuplicate
		}
		if err := t.Audit(c.Actor, "visit.record", "assignment", itoa(ac.ID), map[string]any{"visit_id": id, "client_id": req.ClientID, "outcome": req.Outcome}); err != nil {
			return err
		}
		return s.settle(t, c, ac, rl) // last: it changes the counts every visit of the street shares
	})
	if errors.Is(err, errDuplicate) {
		return s.storedVisit(ctx, c, req.ClientID, h)
	}
	if err != nil {
		return VisitResult{}, err
	}
	res, err := s.storedVisit(ctx, c, req.ClientID, h)
	res.Created = true
	return res, err
}

// storedVisit answers a visit already stored under clientID: the same
// content is the stored visit, other content (or another street's visit)
// a Conflict.
func (s *Service) storedVisit(ctx context.Context, c Caller, clientID, hash string) (VisitResult, error) {
	v, err := s.db.VisitByClientID(ctx, clientID)
	if err != nil {
		return VisitResult{}, err
	}
	if v.ContentHash != hash {
		return VisitResult{}, apperr.New(apperr.Conflict, "another visit was already recorded under client id %s", clientID)
	}
	a, err := s.db.AssignmentByID(ctx, v.AssignmentID, c.Scope())
	if apperr.Is(err, apperr.NotFound) {
		return VisitResult{}, apperr.New(apperr.Conflict, "another visit was already recorded under client id %s", clientID)
	}
	return VisitResult{Visit: v, Assignment: a}, err
}

// fieldAssignment loads the assignment a visit or response is for, within
// the caller's street; another street's assignment does not exist for the
// caller.
func (s *Service) fieldAssignment(ctx context.Context, c Caller, id int64) (store.AssignmentContext, error) {
	return s.db.AssignmentContextByID(ctx, id, c.Scope().StreetID)
}

// roundOpen refuses fieldwork on a round that is not in the field.
func roundOpen(status string) error {
	switch status {
	case store.RoundFieldwork:
		return nil
	case store.RoundClosed:
		return apperr.New(apperr.Conflict, "the round is closed: nothing more can be recorded")
	default:
		return apperr.New(apperr.Conflict, "the round has not started")
	}
}

// settle recomputes an assignment's state from its visits and accepted
// response under the round's rule, writes it, and releases a reserve when
// the rule says so without approval.
//
// It runs in a FieldWrite of the assignment, which locked it: ac was read
// before the transaction, and on PostgreSQL another transaction may have
// settled the assignment since (a concurrent visit), so its replacement
// state is taken from the lock (t.Assignment) and the visits read here
// include the other's. A transaction calls it last: it changes the
// fieldwork counts, which the assignment shares with every other of its
// community and interviewer, and holds them until it ends.
func (s *Service) settle(t *store.FieldTx, c Caller, ac store.AssignmentContext, rl fieldwork.Rule) error {
	return s.settleKnown(t, c, ac, rl, nil)
}

// settleKnown is settle in a transaction that has just stored the
// assignment's accepted response, which ended as accepted says (nil: read
// the accepted response, if any, from the database).
func (s *Service) settleKnown(t *store.FieldTx, c Caller, ac store.AssignmentContext, rl fieldwork.Rule, accepted *fieldwork.Interview) error {
	ac.Replacement = t.Assignment.Replacement
	vs, err := t.AssignmentVisits(ac.ID)
	if err != nil {
		return err
	}
	visits := make([]fieldwork.Visit, len(vs))
	var last store.VisitOutcome
	for i, v := range vs {
		visits[i] = fieldwork.Visit{At: v.At, Outcome: fieldwork.Outcome(v.Outcome)}
		if i == 0 || !v.At.Before(last.At) {
			last = v
		}
	}
	iv := accepted
	if iv == nil {
		if _, disp, ok, err := t.AcceptedResponse(ac.ID); err != nil {
			return err
		} else if ok {
			iv = &fieldwork.Interview{Ended: questionnaire.Disposition(disp)}
		}
	}
	st := fieldwork.Assess(rl, visits, iv)
	out := store.AssignmentState{
		Status: string(st.Status), Disposition: string(st.Disposition), Category: string(st.Category),
		Attempts: st.Attempts, Contacted: st.Contacted, LastOutcome: string(st.LastOutcome), Reason: st.Reason,
		Replacement: ac.Replacement,
	}
	if len(vs) > 0 {
		at := last.At
		out.LastVisitAt = &at
		if last.Outcome == string(fieldwork.OutcomeAppointment) && last.AppointmentAt.Valid {
			ap := last.AppointmentAt.Time
			out.AppointmentAt = &ap
		}
	}
	if ac.Replacement == "" || ac.Replacement == "due" {
		switch st.Replacement {
		case fieldwork.ReplaceDue:
			out.Replacement = "due"
		case fieldwork.ReplaceRelease:
			out.Replacement = "due"
			// The assignment's counts change with the release: from its
			// key as locked to its key with the new category.
			was := t.Assignment.Counts
			will := was
			will.Category = out.Category
			if _, ok, err := t.ReleaseReserve(ac, was, will); err != nil {
				return err
			} else if ok {
				out.Replacement = "released"
				if err := t.Audit(c.Actor, "assignment.replace", "assignment", itoa(ac.ID), map[string]any{"automatic": true, "reason": st.Reason}); err != nil {
					return err
				}
			} else {
				out.Reason += "; no reserve left in this community"
			}
		default:
			out.Replacement = ""
		}
	}
	return t.SetAssignmentState(ac.ID, out)
}
