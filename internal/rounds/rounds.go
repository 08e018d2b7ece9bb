// Package rounds runs survey rounds in the field against the store: it
// creates, starts, closes and reopens rounds, gives households to
// interviewers, records visits and responses (idempotently, by the client
// id the tablet made), applies the fieldwork rules (internal/fieldwork:
// dispositions, the replacement rule, quality flags, AAPOR rates) and
// handles review and replacements. The HTTP handlers, the CLI and the
// simulator all call these functions, so every way in goes through the
// same checks. Each change and its audit entry commit in one transaction.
package rounds

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Service runs fieldwork against one database. It caches the parsed
// questionnaire versions of rounds (published versions never change).
type Service struct {
	db   *store.DB
	defs sync.Map // questionnaire_version_id → *questionnaire.Definition
	// Zone is the district's time zone (serve --timezone), an IANA name:
	// a new round whose rule names no time_zone counts its days and
	// evenings in it, and its rule keeps the name. Empty:
	// fieldwork.DefaultTimeZone.
	Zone string
}

// New returns a Service on db.
func New(db *store.DB) *Service { return &Service{db: db} }

// Caller is who calls a fieldwork function: the account (its role and
// street decide its scope) and the actor recorded in the audit log.
type Caller struct {
	User  store.User
	Actor store.Actor
	// Rescue marks a supervisor entering what a tablet recorded (its
	// outbox file): a visit is then the assigned interviewer's, as the
	// response already is, while the audit names the supervisor.
	Rescue bool
}

// System is the caller of the command line: an administrator.
var System = Caller{User: store.User{Role: store.RoleAdmin}, Actor: store.CLI}

// Scope is what the caller may see: a supervisor their street, an
// interviewer their own assignments in their street, admins and analysts
// everything.
func (c Caller) Scope() store.Scope {
	switch c.User.Role {
	case store.RoleSupervisor:
		return store.Scope{StreetID: streetOf(c.User)}
	case store.RoleInterviewer:
		return store.Scope{StreetID: streetOf(c.User), InterviewerID: c.User.ID}
	}
	return store.Scope{}
}

// streetOf returns a street-bound user's street, or -1 (which matches no
// street) when the account has none, so that a misconfigured account sees
// nothing rather than everything.
func streetOf(u store.User) int64 {
	if u.StreetID.Valid {
		return u.StreetID.Int64
	}
	return -1
}

// Kinds of round.
var Kinds = []string{"mock", "satisfaction", "rehearsal", "official"}

// CreateSpec is a round to create, as the API and the CLI take it.
type CreateSpec struct {
	Name string `json:"name"`
	// Questionnaire is SLUG or SLUG@VERSION (default: the newest published
	// version).
	Questionnaire string          `json:"questionnaire"`
	Sample        string          `json:"sample"`
	Kind          string          `json:"kind"`
	StartsOn      string          `json:"starts_on"`
	EndsOn        string          `json:"ends_on"`
	Rule          json.RawMessage `json:"rule"` // the replacement rule and quality checks; omitted: the defaults
	// Simulated marks a round whose data will be simulated (minyi
	// simulate round), so that nobody takes them for fieldwork.
	Simulated bool `json:"simulated"`
}

// Create validates spec and stores a planned round with an unassigned
// assignment for every household of its sample's main sample.
func (s *Service) Create(ctx context.Context, c Caller, spec CreateSpec) (store.RoundInfo, error) {
	fields := map[string]string{}
	if name, err := textcheck.Name(spec.Name); err != nil {
		fields["name"] = err.Error()
	} else if n := len([]rune(name)); n == 0 || n > 100 {
		fields["name"] = "required, at most 100 characters"
	} else {
		spec.Name = name
	}
	if spec.Kind == "" {
		spec.Kind = "mock"
	} else if !slices.Contains(Kinds, spec.Kind) {
		fields["kind"] = "mock, satisfaction, rehearsal or official"
	}
	for f, v := range map[string]string{"starts_on": spec.StartsOn, "ends_on": spec.EndsOn} {
		if v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				fields[f] = "a date as YYYY-MM-DD"
			}
		}
	}
	if spec.StartsOn != "" && spec.EndsOn != "" && spec.EndsOn < spec.StartsOn && fields["ends_on"] == "" {
		fields["ends_on"] = "on or after starts_on"
	}
	rule := fieldwork.DefaultRuleIn(s.Zone)
	if len(spec.Rule) > 0 && string(spec.Rule) != "null" {
		raw := []byte(spec.Rule)
		var text string
		if json.Unmarshal(spec.Rule, &text) == nil {
			raw = []byte(text) // the rule file's YAML (or JSON) as a string, e.g. from a form's text box
		}
		r, err := fieldwork.ParseRuleIn(raw, s.Zone)
		if err != nil {
			addRuleProblems(fields, err)
		}
		rule = r
	}
	if spec.Sample == "" {
		fields["sample"] = "required: the name of a drawn sample"
	}
	slug, ver, _ := strings.Cut(spec.Questionnaire, "@")
	ref, err := survey.ParseRef(ver)
	if slug == "" {
		fields["questionnaire"] = "required: SLUG or SLUG@VERSION"
	} else if err != nil || ref.Draft {
		fields["questionnaire"] = "a published version: SLUG or SLUG@VERSION"
	}
	if len(fields) > 0 {
		return store.RoundInfo{}, apperr.WithFields("invalid round", fields)
	}
	v, err := survey.Lookup(ctx, s.db, slug, ref)
	if err != nil {
		return store.RoundInfo{}, fieldErr(err, "questionnaire", "no such published questionnaire version")
	}
	smp, err := s.db.SampleByName(ctx, spec.Sample)
	if err != nil {
		return store.RoundInfo{}, fieldErr(err, "sample", "no sample has this name")
	}
	ruleJSON, err := json.Marshal(rule)
	if err != nil {
		return store.RoundInfo{}, apperr.Wrap(apperr.Internal, err, "encode rule")
	}
	id, err := s.db.CreateRound(ctx, c.Actor, store.NewRound{
		Name: spec.Name, Kind: spec.Kind, QuestionnaireVersionID: v.ID, SampleID: smp.ID,
		StartsOn: spec.StartsOn, EndsOn: spec.EndsOn, Rule: string(ruleJSON), Simulated: spec.Simulated,
	})
	if err != nil {
		return store.RoundInfo{}, err
	}
	return s.db.RoundInfoByID(ctx, id)
}

// addRuleProblems puts the problems of a rule that does not parse into
// fields: "rule" says that the rule has problems, and each key's problem
// ("line 3: must be between 1 and 20, got 25") is the field "rule.KEY"
// (e.g. "rule.attempts", "rule.quality.gps_max_meters"), so that a form
// shows it beside its input and every message is one of the catalog's.
// A problem of the whole file (YAML syntax, its size) is "rule" itself.
func addRuleProblems(fields map[string]string, err error) {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		fields["rule"] = apperr.PublicMessage(err)
		return
	}
	for k, v := range fs {
		if k == "rule" { // the file is not a mapping
			fields["rule"] = v
			continue
		}
		fields["rule."+k] = v
	}
	if _, ok := fields["rule"]; !ok {
		fields["rule"] = "the rule has problems: see each setting"
	}
}

// fieldErr turns a NotFound lookup of an input into a 422 on that field.
func fieldErr(err error, field, msg string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.WithFields("invalid round", map[string]string{field: msg})
	}
	return err
}

// Transitions of a round's state: the action name, from, to.
var transitions = map[string][2]string{
	"start":  {store.RoundPlanned, store.RoundFieldwork},
	"close":  {store.RoundFieldwork, store.RoundClosed},
	"reopen": {store.RoundClosed, store.RoundFieldwork},
}

// SetState starts, closes or reopens a round (action start, close or
// reopen), audited. A round in the wrong state is a Conflict.
func (s *Service) SetState(ctx context.Context, c Caller, roundID int64, action string) (store.RoundInfo, error) {
	tr, ok := transitions[action]
	if !ok {
		return store.RoundInfo{}, apperr.New(apperr.Invalid, "unknown round action %q: start, close or reopen", action)
	}
	if _, err := s.db.RoundInfoByID(ctx, roundID); err != nil {
		return store.RoundInfo{}, err
	}
	if err := s.db.SetRoundStatus(ctx, c.Actor, roundID, tr[0], tr[1], "round."+action); err != nil {
		return store.RoundInfo{}, err
	}
	return s.db.RoundInfoByID(ctx, roundID)
}

// Close closes a round in fieldwork, audited. With work still open
// (unreviewed quality flags, pending replacements, households in
// progress) it is a Conflict carrying the counts (store.CodeRoundOpenWork)
// unless force.
func (s *Service) Close(ctx context.Context, c Caller, roundID int64, force bool) (store.RoundInfo, error) {
	r, err := s.db.RoundInfoByID(ctx, roundID)
	if err != nil {
		return r, err
	}
	if r.Status != store.RoundFieldwork {
		return store.RoundInfo{}, apperr.New(apperr.Conflict, "the round is not %s", store.RoundFieldwork)
	}
	if _, err := s.db.CloseRound(ctx, c.Actor, roundID, force); err != nil {
		return store.RoundInfo{}, err
	}
	return s.db.RoundInfoByID(ctx, roundID)
}

// MarkSimulated marks a round's data as simulated, audited; the simulator
// calls it before it submits anything into the round. A round stays
// simulated once marked.
func (s *Service) MarkSimulated(ctx context.Context, c Caller, roundID int64) (store.RoundInfo, error) {
	if _, err := s.db.RoundInfoByID(ctx, roundID); err != nil {
		return store.RoundInfo{}, err
	}
	if _, err := s.db.MarkRoundSimulated(ctx, c.Actor, roundID); err != nil {
		return store.RoundInfo{}, err
	}
	return s.db.RoundInfoByID(ctx, roundID)
}

// Round returns a round the caller may see: interviewers only rounds in
// which they hold assignments.
func (s *Service) Round(ctx context.Context, c Caller, id int64) (store.RoundInfo, error) {
	r, err := s.db.RoundInfoByID(ctx, id)
	if err != nil {
		return r, err
	}
	if c.User.Role == store.RoleInterviewer {
		rs, err := s.db.Rounds(ctx, c.Scope())
		if err != nil {
			return r, err
		}
		for _, x := range rs {
			if x.ID == id {
				return r, nil
			}
		}
		return store.RoundInfo{}, apperr.New(apperr.NotFound, "round %d not found", id)
	}
	return r, nil
}

// Rounds lists the rounds the caller may see.
func (s *Service) Rounds(ctx context.Context, c Caller) ([]store.RoundInfo, error) {
	return s.db.Rounds(ctx, c.Scope())
}

// RoundByRef finds a round by id or name (the CLI names rounds).
func (s *Service) RoundByRef(ctx context.Context, ref string) (store.RoundInfo, error) {
	name, err := textcheck.Name(ref)
	if err != nil {
		return store.RoundInfo{}, apperr.WithFields("invalid round name", map[string]string{"round": err.Error()})
	}
	id, err := s.db.RoundIDByName(ctx, name)
	if err != nil {
		return store.RoundInfo{}, err
	}
	return s.db.RoundInfoByID(ctx, id)
}

// rule reads a round's stored field rules.
func rule(raw string) (fieldwork.Rule, error) {
	r := fieldwork.DefaultRule()
	if raw != "" && raw != "{}" {
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return r, apperr.Wrap(apperr.Internal, err, "stored round rule does not parse")
		}
	}
	return r, nil
}

// definition returns the parsed questionnaire version, cached.
func (s *Service) definition(ctx context.Context, versionID int64) (*questionnaire.Definition, error) {
	if d, ok := s.defs.Load(versionID); ok {
		return d.(*questionnaire.Definition), nil
	}
	v, err := s.db.QuestionnaireVersionByID(ctx, versionID)
	if err != nil {
		return nil, err
	}
	d, err := questionnaire.ParseJSON(v.Slug+".json", []byte(v.Definition))
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored definition of %s version %d does not parse", v.Slug, v.Version)
	}
	if v.Status == store.VersionPublished {
		s.defs.Store(versionID, d)
	}
	return d, nil
}
