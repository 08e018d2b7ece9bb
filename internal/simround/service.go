package simround

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

// Via is the channel the audit log records for simulated fieldwork.
const Via = "simulation"

// ServiceBackend runs the simulation through the rounds service, the
// functions the API's handlers call, as real accounts: each visit and
// response as the assignment's interviewer, each replacement as the
// street's supervisor, all audited with Via "simulation".
type ServiceBackend struct {
	DB      *store.DB
	Service *rounds.Service
	mu      sync.Mutex            // interviewers work side by side
	users   map[string]store.User // interviewers by username
	sups    map[int64]store.User  // supervisor of each street
}

// NewServiceBackend returns a backend on db.
func NewServiceBackend(db *store.DB) *ServiceBackend {
	return &ServiceBackend{DB: db, Service: rounds.New(db), users: map[string]store.User{}, sups: map[int64]store.User{}}
}

func caller(u store.User) rounds.Caller {
	return rounds.Caller{User: u, Actor: store.Actor{UserID: u.ID, Via: Via}}
}

// Round implements Backend.
func (s *ServiceBackend) Round(ctx context.Context, name string) (Round, error) {
	ri, err := s.Service.RoundByRef(ctx, name)
	if err != nil {
		return Round{}, err
	}
	r, err := s.DB.RoundByID(ctx, ri.ID)
	if err != nil {
		return Round{}, err
	}
	def, err := questionnaire.ParseJSON(r.Questionnaire+".json", []byte(r.Definition))
	if err != nil {
		return Round{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %s", r.Name)
	}
	return Round{ID: r.ID, Name: r.Name, Status: r.Status, Version: r.QuestionnaireVersion, Def: def, Simulated: r.Simulated}, nil
}

// MarkSimulated implements Backend.
func (s *ServiceBackend) MarkSimulated(ctx context.Context, roundID int64) error {
	_, err := s.Service.MarkSimulated(ctx, caller(store.User{Role: store.RoleAdmin}), roundID)
	return err
}

// Assignments implements Backend.
func (s *ServiceBackend) Assignments(ctx context.Context, roundID int64) ([]store.Assignment, error) {
	return s.Service.Assignments(ctx, rounds.System, roundID, store.AssignmentFilter{})
}

func (s *ServiceBackend) interviewer(ctx context.Context, name string) (store.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[name]; ok {
		return u, nil
	}
	u, err := s.DB.UserByUsername(ctx, name)
	if err != nil {
		return u, err
	}
	s.users[name] = u
	return u, nil
}

// Visit implements Backend.
func (s *ServiceBackend) Visit(ctx context.Context, a store.Assignment, req rounds.VisitRequest) (store.Assignment, error) {
	u, err := s.interviewer(ctx, a.Interviewer)
	if err != nil {
		return a, err
	}
	res, err := s.Service.RecordVisit(ctx, caller(u), req)
	return res.Assignment, err
}

// Submit implements Backend.
func (s *ServiceBackend) Submit(ctx context.Context, a store.Assignment, req rounds.ResponseRequest) (rounds.SubmitResult, error) {
	u, err := s.interviewer(ctx, a.Interviewer)
	if err != nil {
		return rounds.SubmitResult{}, err
	}
	return s.Service.Submit(ctx, caller(u), req)
}

// Replace implements Backend: the street's supervisor approves.
func (s *ServiceBackend) Replace(ctx context.Context, a store.Assignment) error {
	sup, err := s.supervisor(ctx, a)
	if err != nil {
		return err
	}
	_, err = s.Service.Replace(ctx, caller(sup), a.ID, rounds.ReplaceRequest{Reason: "simulated supervisor: replacement rule met"})
	return err
}

// supervisor returns the supervisor of an assignment's street.
func (s *ServiceBackend) supervisor(ctx context.Context, a store.Assignment) (store.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sup, ok := s.sups[a.StreetID]
	if !ok {
		users, err := s.DB.Users(ctx)
		if err != nil {
			return sup, err
		}
		for _, u := range users {
			if u.Role == store.RoleSupervisor && !u.Disabled && u.StreetID.Valid && u.StreetID.Int64 == a.StreetID {
				sup, ok = u, true
				break
			}
		}
		if !ok {
			return sup, apperr.New(apperr.Invalid, "street %s has no supervisor to approve replacements (minyi user add --role supervisor --street …)", a.Street)
		}
		s.sups[a.StreetID] = sup
	}
	return sup, nil
}

// Staff makes sure every street of the round has a supervisor and n
// interviewers, creating accounts named sim-s<street id>-sup and
// sim-s<street id>-<k> (with passwordHash, which should be the hash of a
// password nobody knows) where the street has too few, and gives every
// unassigned household to an interviewer of its street, community by
// community in turn, through the service as the street's supervisor. It
// returns the number of accounts created.
func (s *ServiceBackend) Staff(ctx context.Context, roundID int64, n int, passwordHash string) (int, error) {
	as, err := s.Assignments(ctx, roundID)
	if err != nil {
		return 0, err
	}
	type street struct {
		name  string
		comms map[int64][]int64 // community → unassigned assignments
	}
	streets := map[int64]*street{}
	for _, a := range as {
		st := streets[a.StreetID]
		if st == nil {
			st = &street{name: a.Street, comms: map[int64][]int64{}}
			streets[a.StreetID] = st
		}
		if a.Interviewer == "" && a.Status != "final" {
			st.comms[a.CommunityID] = append(st.comms[a.CommunityID], a.ID)
		}
	}
	users, err := s.DB.Users(ctx)
	if err != nil {
		return 0, err
	}
	created := 0
	add := func(name, role string, streetID int64) (store.User, error) {
		id := streetID
		if _, err := s.DB.CreateUser(ctx, store.NewUser{Username: name, DisplayName: name, Role: role, StreetID: &id, PasswordHash: passwordHash}, store.Actor{Via: Via}); err != nil {
			return store.User{}, err
		}
		created++
		return s.DB.UserByUsername(ctx, name)
	}
	ids := make([]int64, 0, len(streets))
	for id := range streets {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, sid := range ids {
		st := streets[sid]
		var sup *store.User
		var ivs []store.User
		for _, u := range users {
			if u.Disabled || !u.StreetID.Valid || u.StreetID.Int64 != sid {
				continue
			}
			switch u.Role {
			case store.RoleSupervisor:
				if sup == nil {
					u := u
					sup = &u
				}
			case store.RoleInterviewer:
				ivs = append(ivs, u)
			}
		}
		if sup == nil {
			u, err := add(fmt.Sprintf("sim-s%d-sup", sid), store.RoleSupervisor, sid)
			if err != nil {
				return created, err
			}
			sup = &u
		}
		s.mu.Lock()
		s.sups[sid] = *sup
		s.mu.Unlock()
		slices.SortFunc(ivs, func(a, b store.User) int { return cmpString(a.Username, b.Username) })
		for k := len(ivs) + 1; k <= n; k++ {
			u, err := add(fmt.Sprintf("sim-s%d-%d", sid, k), store.RoleInterviewer, sid)
			if err != nil {
				return created, err
			}
			ivs = append(ivs, u)
		}
		ivs = ivs[:n]
		comms := make([]int64, 0, len(st.comms))
		for c := range st.comms {
			comms = append(comms, c)
		}
		slices.Sort(comms)
		for i, c := range comms {
			iv := ivs[i%len(ivs)]
			if _, err := s.Service.Assign(ctx, caller(*sup), roundID, rounds.AssignRequest{Interviewer: iv.Username, AssignmentIDs: st.comms[c]}); err != nil {
				return created, err
			}
		}
	}
	return created, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// answersJSON encodes a response for the API.
func answersJSON(r questionnaire.Response) (json.RawMessage, error) {
	b, err := json.Marshal(r)
	return b, err
}
