package rounds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/store"
)

// ResponseRequest is one finished interview as the tablet sends it (POST
// /api/v1/responses).
type ResponseRequest struct {
	ClientID             string          `json:"client_id"`
	AssignmentID         int64           `json:"assignment_id"`
	QuestionnaireVersion int             `json:"questionnaire_version"`
	Answers              json.RawMessage `json:"answers"`
	StartedAt            *time.Time      `json:"started_at,omitempty"`
	CompletedAt          *time.Time      `json:"completed_at,omitempty"`
	DeviceID             string          `json:"device_id,omitempty"`
	AppVersion           string          `json:"app_version,omitempty"`
	GPS                  *GPS            `json:"gps,omitempty"`
	// Supersedes is the id of the accepted response this one corrects.
	Supersedes int64 `json:"supersedes,omitempty"`
}

// SubmitResult is the answer to a submission: 201 when Created, 200 for a
// resend of the same response.
type SubmitResult struct {
	ID       int64            `json:"id"`
	ClientID string           `json:"client_id"`
	Status   string           `json:"status"`
	Flags    []fieldwork.Flag `json:"flags,omitempty"`
	Created  bool             `json:"-"`
}

// parsed is a validated request: its answers and content hash.
type parsed struct {
	answers questionnaire.Response
	canon   []byte // the answers as canonical JSON (keys sorted)
	hash    string
}

func (r *ResponseRequest) validate(now time.Time) (parsed, error) {
	fields := map[string]string{}
	if !uuidRE.MatchString(r.ClientID) {
		fields["client_id"] = "a UUID made by the tablet"
	}
	if r.AssignmentID < 1 {
		fields["assignment_id"] = "required"
	}
	if r.QuestionnaireVersion < 1 {
		fields["questionnaire_version"] = "required: the version number the interview used"
	}
	var p parsed
	if len(r.Answers) == 0 {
		fields["answers"] = "required: an object of answers keyed by question code"
	} else if ans, err := questionnaire.ParseResponse(r.Answers); err != nil {
		fields["answers"] = "an object of answers keyed by question code"
	} else {
		p.answers = ans
		p.canon, _ = json.Marshal(ans)
	}
	if r.StartedAt != nil {
		checkTime(fields, "started_at", *r.StartedAt, now)
	}
	if r.CompletedAt != nil {
		checkTime(fields, "completed_at", *r.CompletedAt, now)
	}
	if utf8.RuneCountInString(r.DeviceID) > maxDeviceLen {
		fields["device_id"] = fmt.Sprintf("at most %d characters", maxDeviceLen)
	}
	if utf8.RuneCountInString(r.AppVersion) > maxDeviceLen {
		fields["app_version"] = fmt.Sprintf("at most %d characters", maxDeviceLen)
	}
	if r.Supersedes < 0 {
		fields["supersedes"] = "the id of the accepted response this one corrects"
	}
	r.GPS.check(fields, "gps")
	if len(fields) > 0 {
		return p, apperr.WithFields("invalid response", fields)
	}
	c := *r
	c.Answers = p.canon
	c.StartedAt, c.CompletedAt = utc(r.StartedAt), utc(r.CompletedAt)
	p.hash = contentHash(c)
	return p, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Submit validates a response against its questionnaire version and stores
// it with one value row per indicator, the assignment's new state, its
// quality flags and the audit entry, in one transaction. It is idempotent
// by client id: the same content again answers the stored response
// (Created false), other content is a Conflict, and a second response for
// an assignment that has one is a Conflict unless it supersedes it.
func (s *Service) Submit(ctx context.Context, c Caller, req ResponseRequest) (SubmitResult, error) {
	p, err := req.validate(time.Now())
	if err != nil {
		return SubmitResult{}, err
	}
	if res, err := s.storedResponse(ctx, c, req.ClientID, p.hash); !apperr.Is(err, apperr.NotFound) {
		return res, err
	}
	ac, err := s.fieldAssignment(ctx, c, req.AssignmentID)
	if err != nil {
		return SubmitResult{}, err
	}
	var flags []fieldwork.Flag
	if c.User.Role == store.RoleInterviewer && (!ac.InterviewerID.Valid || ac.InterviewerID.Int64 != c.User.ID) {
		// Accepted only when the household was this interviewer's until it
		// was reassigned, and the interview was recorded before that.
		if !(ac.PreviousInterviewerID.Valid && ac.PreviousInterviewerID.Int64 == c.User.ID &&
			ac.AssignedAt.Valid && req.StartedAt != nil && req.StartedAt.Before(ac.AssignedAt.Time)) {
			return SubmitResult{}, apperr.New(apperr.NotFound, "assignment %d not found", req.AssignmentID)
		}
		flags = append(flags, fieldwork.Flag{Code: "reassigned", Detail: "recorded before the household was reassigned to another interviewer"})
	}
	if err := roundOpen(ac.RoundStatus); err != nil {
		return SubmitResult{}, err
	}
	if req.QuestionnaireVersion != ac.QuestionnaireVersion {
		return SubmitResult{}, apperr.WithFields("wrong questionnaire version", map[string]string{
			"questionnaire_version": fmt.Sprintf("this round uses version %d", ac.QuestionnaireVersion),
		})
	}
	def, err := s.definition(ctx, ac.QuestionnaireVersionID)
	if err != nil {
		return SubmitResult{}, err
	}
	state, err := def.ValidateResponse(p.answers)
	if err != nil {
		var re questionnaire.ResponseErrors
		if errors.As(err, &re) {
			e := apperr.WithFields("the answers do not fit the questionnaire", re.Fields())
			e.Details = re
			return SubmitResult{}, e
		}
		return SubmitResult{}, err
	}
	rl, err := rule(ac.ReplacementRule)
	if err != nil {
		return SubmitResult{}, err
	}
	interviewer := c.User.ID
	if c.User.Role != store.RoleInterviewer && ac.InterviewerID.Valid {
		interviewer = ac.InterviewerID.Int64 // a supervisor enters a paper interview for the assignee
	}
	more, pattern, err := s.quality(ctx, rl, def, ac, interviewer, req, p.answers)
	if err != nil {
		return SubmitResult{}, err
	}
	flags = append(flags, more...)
	flagJSON, _ := json.Marshal(nonNil(flags))
	disposition := string(state.Disposition)
	if disposition == "" {
		disposition = string(questionnaire.DispositionComplete)
	}
	values := def.Score(p.answers)
	vals := make([]store.ResponseValue, len(values))
	for i, v := range values {
		vals[i] = store.ResponseValue{Indicator: v.Indicator}
		if !v.Missing {
			x := v.Value
			vals[i].Value = &x
		}
	}
	groups := results.GroupCodes(def, p.answers)
	lat, lon, acc := req.GPS.parts()
	weight := ac.BaseWeight
	if disposition == string(questionnaire.DispositionNotEligible) {
		weight = 0 // screened out: no respondent, no weight
	}
	var id int64
	err = s.db.FieldWrite(ctx, ac.ID, func(t *store.FieldTx) error {
		action := "response.submit"
		if req.Supersedes > 0 {
			if err := s.mayCorrect(ctx, c, req.Supersedes, ac.ID); err != nil {
				return err
			}
			if err := t.Supersede(req.Supersedes, ac.ID, store.NextSums{Assignment: ac, Values: vals, Groups: groups}); err != nil {
				return err
			}
			action = "response.correct"
		}
		var ok bool
		id, ok, err = t.InsertResponse(store.NewResponse{
			AssignmentID: ac.ID, RoundID: ac.RoundID, QuestionnaireVersionID: ac.QuestionnaireVersionID,
			ClientID: req.ClientID, InterviewerID: interviewer, Answers: string(p.canon),
			StartedAt: req.StartedAt, CompletedAt: req.CompletedAt, Weight: weight, ContentHash: p.hash,
			DeviceID: req.DeviceID, AppVersion: req.AppVersion, Lat: lat, Lon: lon, Acc: acc,
			SupersedesID: req.Supersedes, Disposition: disposition, Pattern: pattern, Flags: string(flagJSON),
		})
		if err != nil {
			return err
		}
		if !ok {
			return errDuplicate
		}
		// An interview that ended at a screening question found the
		// household not eligible: it is no respondent, so it has no values
		// and takes no part in estimates or weights.
		respondent := disposition != string(questionnaire.DispositionNotEligible)
		if respondent {
			if err := t.InsertValues(id, ac, ac.BaseWeight, vals); err != nil {
				return err
			}
		}
		detail := map[string]any{"response_id": id, "client_id": req.ClientID, "disposition": disposition}
		if req.Supersedes > 0 {
			detail["supersedes"] = req.Supersedes
		}
		if len(flags) > 0 {
			detail["flags"] = flags
		}
		if err := t.Audit(c.Actor, action, "assignment", itoa(ac.ID), detail); err != nil {
			return err
		}
		// Last, in the global lock order (store/lockorder.go): the rows
		// that every submission of the PSU, and of the street and hour,
		// shares.
		if respondent {
			if err := t.AddSums(id, ac.RoundID, groups); err != nil {
				return err
			}
		}
		// The response just stored is the assignment's accepted one.
		return s.settleKnown(t, c, ac, rl, &fieldwork.Interview{Ended: questionnaire.Disposition(disposition)})
	})
	if errors.Is(err, errDuplicate) {
		return s.storedResponse(ctx, c, req.ClientID, p.hash)
	}
	if err != nil {
		// A copy of this very submission sent at the same time may have
		// committed first. On PostgreSQL this transaction then fails on
		// what the copy changed — the household's one accepted response,
		// or the response a correction supersedes — rather than on the
		// client id, so look the client id up before answering an error.
		if res, serr := s.storedResponse(ctx, c, req.ClientID, p.hash); serr == nil {
			return res, nil
		}
		return SubmitResult{}, err
	}
	return SubmitResult{ID: id, ClientID: req.ClientID, Status: "accepted", Flags: flags, Created: true}, nil
}

// storedResponse answers a response already stored under clientID.
func (s *Service) storedResponse(ctx context.Context, c Caller, clientID, hash string) (SubmitResult, error) {
	r, err := s.db.ResponseByClientID(ctx, clientID)
	if err != nil {
		return SubmitResult{}, err
	}
	sc := c.Scope()
	if r.ContentHash != hash || sc.StreetID != 0 && r.StreetID != sc.StreetID {
		return SubmitResult{}, apperr.New(apperr.Conflict, "another response was already submitted under client id %s", clientID)
	}
	return SubmitResult{ID: r.ID, ClientID: r.ClientID, Status: r.Status}, nil
}

// mayCorrect allows a correction by a supervisor of the street or an
// admin, or by the interviewer who submitted the response while it awaits
// review.
func (s *Service) mayCorrect(ctx context.Context, c Caller, responseID, assignmentID int64) error {
	old, err := s.db.ResponseByID(ctx, responseID, store.Scope{StreetID: c.Scope().StreetID})
	if apperr.Is(err, apperr.NotFound) || err == nil && old.AssignmentID != assignmentID {
		return apperr.WithFields("nothing to correct", map[string]string{"supersedes": "not a response of this household"})
	}
	if err != nil {
		return err
	}
	if c.User.Role == store.RoleInterviewer {
		if !old.InterviewerID.Valid || old.InterviewerID.Int64 != c.User.ID {
			return apperr.New(apperr.Forbidden, "only the interviewer who recorded it, or a supervisor, may correct a response")
		}
		if old.Review != "pending" {
			return apperr.New(apperr.Conflict, "the response has been reviewed: ask your supervisor to correct it")
		}
	}
	return nil
}

// quality computes a submission's quality flags and answer pattern.
func (s *Service) quality(ctx context.Context, rl fieldwork.Rule, def *questionnaire.Definition, ac store.AssignmentContext, interviewer int64, req ResponseRequest, ans questionnaire.Response) ([]fieldwork.Flag, string, error) {
	sub := fieldwork.Submission{Answers: ans, Pattern: fieldwork.PatternHash(def, ans)}
	if req.StartedAt != nil {
		sub.Started = *req.StartedAt
	}
	if req.CompletedAt != nil {
		sub.Completed = *req.CompletedAt
	}
	var qc fieldwork.Context
	if req.GPS != nil {
		sub.GPS = &fieldwork.Point{Lat: req.GPS.Lat, Lon: req.GPS.Lon}
		pts, err := s.db.CommunityPoints(ctx, ac.RoundID, ac.CommunityID)
		if err != nil {
			return nil, "", err
		}
		for _, p := range pts {
			qc.CommunityPoints = append(qc.CommunityPoints, fieldwork.Point{Lat: p[0], Lon: p[1]})
		}
	}
	var from, to *time.Time // only a complete interval can overlap another
	if req.StartedAt != nil && req.CompletedAt != nil {
		from, to = req.StartedAt, req.CompletedAt
	}
	peers, err := s.db.InterviewerPeers(ctx, ac.RoundID, interviewer, sub.Pattern, from, to)
	if err != nil {
		return nil, "", err
	}
	for _, p := range peers {
		qc.Peers = append(qc.Peers, fieldwork.Peer{ResponseID: p.ID, Started: p.StartedAt.Time, Completed: p.CompletedAt.Time, Pattern: p.Pattern})
	}
	return fieldwork.Check(rl.Quality, def, sub, qc), sub.Pattern, nil
}

func nonNil(f []fieldwork.Flag) []fieldwork.Flag {
	if f == nil {
		return []fieldwork.Flag{}
	}
	return f
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
