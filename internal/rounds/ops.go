package rounds

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/store"
)

// AssignRequest gives households of a round to an interviewer: every
// household of a community or of a street, or a list of assignments.
type AssignRequest struct {
	Interviewer   string  `json:"interviewer"` // username
	CommunityID   int64   `json:"community_id,omitempty"`
	StreetID      int64   `json:"street_id,omitempty"`
	AssignmentIDs []int64 `json:"assignment_ids,omitempty"`
}

// AssignResult says how many assignments changed hands.
type AssignResult struct {
	Interviewer string `json:"interviewer"`
	Assigned    int64  `json:"assigned"`
}

// maxAssignIDs bounds one request's list of assignments.
const maxAssignIDs = 5000

// Assign gives the selected households to an interviewer of their street,
// within the caller's scope, audited. A supervisor can only assign in
// their own street and to their street's interviewers.
func (s *Service) Assign(ctx context.Context, c Caller, roundID int64, req AssignRequest) (AssignResult, error) {
	fields := map[string]string{}
	req.Interviewer = strings.TrimSpace(req.Interviewer)
	if req.Interviewer == "" {
		fields["interviewer"] = "required: the interviewer's username"
	}
	n := 0
	for _, set := range []bool{req.CommunityID != 0, req.StreetID != 0, len(req.AssignmentIDs) > 0} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		fields["selection"] = "give exactly one of community_id, street_id or assignment_ids"
	case req.CommunityID < 0:
		fields["community_id"] = "a community id"
	case req.StreetID < 0:
		fields["street_id"] = "a street id"
	case len(req.AssignmentIDs) > maxAssignIDs:
		fields["assignment_ids"] = "at most 5000 at a time"
	}
	for _, id := range req.AssignmentIDs {
		if id < 1 {
			fields["assignment_ids"] = "assignment ids"
		}
	}
	if len(fields) > 0 {
		return AssignResult{}, apperr.WithFields("invalid assignment", fields)
	}
	r, err := s.db.RoundInfoByID(ctx, roundID)
	if err != nil {
		return AssignResult{}, err
	}
	if r.Status == store.RoundClosed {
		return AssignResult{}, apperr.New(apperr.Conflict, "the round is closed")
	}
	iv, err := s.db.FieldUserByName(ctx, req.Interviewer)
	sc := c.Scope()
	if apperr.Is(err, apperr.NotFound) || err == nil && (iv.Role != store.RoleInterviewer || sc.StreetID != 0 && iv.StreetID.Int64 != sc.StreetID) {
		return AssignResult{}, apperr.WithFields("invalid assignment", map[string]string{"interviewer": "no interviewer of your street has this username"})
	}
	if err != nil {
		return AssignResult{}, err
	}
	if iv.Disabled {
		return AssignResult{}, apperr.WithFields("invalid assignment", map[string]string{"interviewer": "this account is disabled"})
	}
	if !iv.StreetID.Valid {
		return AssignResult{}, apperr.WithFields("invalid assignment", map[string]string{"interviewer": "this interviewer belongs to no street: set one with minyi user set-role"})
	}
	if sc.StreetID != 0 && req.StreetID != 0 && req.StreetID != sc.StreetID {
		return AssignResult{}, apperr.New(apperr.NotFound, "street %d not found", req.StreetID)
	}
	n64, err := s.db.Assign(ctx, c.Actor, roundID, iv.ID, iv.StreetID.Int64, sc, store.Selection{
		CommunityID: req.CommunityID, StreetID: req.StreetID, AssignmentIDs: req.AssignmentIDs,
	})
	return AssignResult{Interviewer: iv.Username, Assigned: n64}, err
}

// Assignments lists a round's assignments within the caller's scope.
func (s *Service) Assignments(ctx context.Context, c Caller, roundID int64, f store.AssignmentFilter) ([]store.Assignment, error) {
	if _, err := s.Round(ctx, c, roundID); err != nil {
		return nil, err
	}
	switch f.Status {
	case "", "open", "in_progress", "final", "due":
	default:
		return nil, apperr.WithFields("invalid filter", map[string]string{"status": "open, in_progress, final or due"})
	}
	return s.db.Assignments(ctx, roundID, c.Scope(), f)
}

// ReplaceRequest approves (or declines) a replacement.
type ReplaceRequest struct {
	Approve *bool  `json:"approve,omitempty"` // default true
	Reason  string `json:"reason,omitempty"`
}

// Replace releases the next reserve for a final, unsuccessful assignment
// (a supervisor's approval of a replacement that is due, or their own
// decision), or declines it; audited with the release in one transaction.
func (s *Service) Replace(ctx context.Context, c Caller, assignmentID int64, req ReplaceRequest) (store.Assignment, error) {
	approve := req.Approve == nil || *req.Approve
	if len([]rune(req.Reason)) > maxNote {
		return store.Assignment{}, apperr.WithFields("invalid replacement", map[string]string{"reason": "at most 1000 characters"})
	}
	a, err := s.db.AssignmentByID(ctx, assignmentID, store.Scope{StreetID: c.Scope().StreetID})
	if err != nil {
		return a, err
	}
	ac, err := s.fieldAssignment(ctx, c, assignmentID)
	if err != nil {
		return a, err
	}
	if err := roundOpen(ac.RoundStatus); err != nil {
		return a, err
	}
	switch {
	case a.Status != string(fieldwork.StatusFinal) || a.Disposition == string(fieldwork.Complete) || a.Disposition == string(fieldwork.Partial):
		return a, apperr.New(apperr.Conflict, "only a household that is finally without an interview can be replaced")
	case a.Replacement == "released":
		return a, apperr.New(apperr.Conflict, "a reserve has already been released for this household")
	}
	err = s.db.FieldWrite(ctx, a.ID, func(t *store.FieldTx) error {
		// Checked again under the lock: a concurrent approval may have
		// released a reserve since a was read.
		if t.Assignment.Replacement == "released" {
			return apperr.New(apperr.Conflict, "a reserve has already been released for this household")
		}
		if !approve {
			if err := t.SetReplacement(a.ID, "declined", req.Reason); err != nil {
				return err
			}
			return t.Audit(c.Actor, "assignment.replace.decline", "assignment", itoa(a.ID), map[string]string{"reason": req.Reason})
		}
		newID, ok, err := t.ReleaseReserve(ac)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "no reserve is left in this community")
		}
		if err := t.SetReplacement(a.ID, "released", a.Reason); err != nil {
			return err
		}
		return t.Audit(c.Actor, "assignment.replace", "assignment", itoa(a.ID), map[string]any{"replacement_id": newID, "reason": req.Reason})
	})
	if err != nil {
		return a, err
	}
	return s.db.AssignmentByID(ctx, assignmentID, c.Scope())
}

// ReviewRequest is a supervisor's decision on a response.
type ReviewRequest struct {
	Action string `json:"action"` // accept, flag or return
	Reason string `json:"reason,omitempty"`
}

var reviews = map[string]string{"accept": "accepted", "flag": "flagged", "return": "returned"}

// Review records a supervisor's review of an accepted response: accept,
// flag, or send back with a reason (which takes it out of the estimates
// and reopens the household for a new interview); audited.
func (s *Service) Review(ctx context.Context, c Caller, responseID int64, req ReviewRequest) (store.Response, error) {
	review, ok := reviews[req.Action]
	fields := map[string]string{}
	if !ok {
		fields["action"] = "accept, flag or return"
	}
	if req.Action == "return" && strings.TrimSpace(req.Reason) == "" {
		fields["reason"] = "say why the response is sent back"
	}
	if len([]rune(req.Reason)) > maxNote {
		fields["reason"] = "at most 1000 characters"
	}
	if len(fields) > 0 {
		return store.Response{}, apperr.WithFields("invalid review", fields)
	}
	r, err := s.db.ResponseByID(ctx, responseID, store.Scope{StreetID: c.Scope().StreetID})
	if err != nil {
		return r, err
	}
	ac, err := s.fieldAssignment(ctx, c, r.AssignmentID)
	if err != nil {
		return r, err
	}
	rl, err := rule(ac.ReplacementRule)
	if err != nil {
		return r, err
	}
	err = s.db.FieldWrite(ctx, ac.ID, func(t *store.FieldTx) error {
		if err := t.Audit(c.Actor, "response.review", "response", itoa(responseID), map[string]string{"review": review, "reason": req.Reason}); err != nil {
			return err
		}
		if err := t.Review(responseID, c.User.ID, review, req.Reason); err != nil {
			return err
		}
		if review == "returned" {
			return s.settle(t, c, ac, rl)
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	return s.db.ResponseByID(ctx, responseID, store.Scope{StreetID: c.Scope().StreetID})
}

// ResponseDetail is a response with its answers and flags decoded.
type ResponseDetail struct {
	store.Response
	Answers json.RawMessage  `json:"answers,omitempty"`
	Flags   []fieldwork.Flag `json:"flags"`
}

// MarshalJSON writes the response's fields with its answers and flags
// beside them (store.Response has a MarshalJSON of its own, which
// embedding would otherwise promote).
func (d ResponseDetail) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(d.Response)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(base, &m); err != nil {
		return nil, err
	}
	if len(d.Answers) > 0 {
		m["answers"] = d.Answers
	}
	if m["flags"], err = json.Marshal(d.Flags); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Detail decodes a stored response's answers and flags.
func Detail(r store.Response) ResponseDetail {
	d := ResponseDetail{Response: r, Flags: []fieldwork.Flag{}}
	if r.Answers != "" {
		d.Answers = json.RawMessage(r.Answers)
	}
	_ = json.Unmarshal([]byte(r.Flags), &d.Flags) // written by Submit; an empty list otherwise
	return d
}

// Responses lists a round's responses within the caller's scope.
func (s *Service) Responses(ctx context.Context, c Caller, roundID int64, f store.ResponseFilter) ([]ResponseDetail, error) {
	if _, err := s.db.RoundInfoByID(ctx, roundID); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	if f.Status != "" && !slices.Contains([]string{"accepted", "superseded", "rejected"}, f.Status) {
		fields["status"] = "accepted, superseded or rejected"
	}
	if f.Review != "" && !slices.Contains([]string{"pending", "accepted", "flagged", "returned"}, f.Review) {
		fields["review"] = "pending, accepted, flagged or returned"
	}
	if len(fields) > 0 {
		return nil, apperr.WithFields("invalid filter", fields)
	}
	rs, err := s.db.Responses(ctx, roundID, c.Scope(), f)
	if err != nil {
		return nil, err
	}
	out := make([]ResponseDetail, len(rs))
	for i, r := range rs {
		out[i] = Detail(r)
	}
	return out, nil
}

// Response returns one response with its answers, within the caller's
// scope.
func (s *Service) Response(ctx context.Context, c Caller, id int64) (ResponseDetail, error) {
	r, err := s.db.ResponseByID(ctx, id, c.Scope())
	return Detail(r), err
}
