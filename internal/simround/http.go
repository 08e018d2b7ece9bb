package simround

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

// HTTPBackend runs the simulation against a running server's API with an
// API token (minyi token create): visits and responses go to POST
// /api/v1/sync as a tablet's outbox would, replacements to POST
// /api/v1/assignments/ID/replace. The token's account must see the round's
// assignments: an administrator's for the whole district, a supervisor's
// for a street. Households nobody is assigned to are left alone.
type HTTPBackend struct {
	Base   string // e.g. http://127.0.0.1:8080
	Token  string
	Client *http.Client
}

// NewHTTPBackend checks the URL and returns a backend.
func NewHTTPBackend(base, token string) (*HTTPBackend, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.WithFields("invalid server", map[string]string{"url": "an http(s) URL such as http://127.0.0.1:8080"})
	}
	if strings.TrimSpace(token) == "" {
		return nil, apperr.WithFields("invalid server", map[string]string{"token": "required: an API token (minyi token create)"})
	}
	return &HTTPBackend{Base: strings.TrimRight(base, "/"), Token: token, Client: &http.Client{Timeout: 60 * time.Second}}, nil
}

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// kinds maps HTTP statuses back to error kinds.
var kinds = map[int]apperr.Kind{
	http.StatusNotFound: apperr.NotFound, http.StatusConflict: apperr.Conflict, http.StatusUnprocessableEntity: apperr.Invalid,
	http.StatusBadRequest: apperr.Invalid, http.StatusForbidden: apperr.Forbidden, http.StatusUnauthorized: apperr.Unauthenticated,
	http.StatusServiceUnavailable: apperr.Busy,
}

// busyResends is how often a request the server answered 503 busy (nothing
// stored) is sent again, after the wait its Retry-After asks for, as a
// tablet's outbox does.
const busyResends = 5

// busyWait is the wait before sending again what was answered 503, from
// its Retry-After (seconds; 1 when absent or odd, at most 10).
func busyWait(retryAfter string) time.Duration {
	n, err := strconv.Atoi(retryAfter)
	if err != nil || n < 1 {
		n = 1
	}
	return time.Duration(min(n, 10)) * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (h *HTTPBackend) do(ctx context.Context, method, path string, in, out any) error {
	var b []byte
	if in != nil {
		var err error
		if b, err = json.Marshal(in); err != nil {
			return err
		}
	}
	var (
		resp *http.Response
		data []byte
	)
	for attempt := 0; ; attempt++ {
		var body io.Reader
		if in != nil {
			body = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, h.Base+path, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+h.Token)
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err = h.Client.Do(req)
		if err != nil {
			return apperr.New(apperr.Unavailable, "cannot reach %s: %v", h.Base, err)
		}
		data, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return apperr.New(apperr.Unavailable, "reading the answer of %s %s: %v", method, path, err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || attempt == busyResends {
			break
		}
		if err := sleep(ctx, busyWait(resp.Header.Get("Retry-After"))); err != nil {
			return err
		}
	}
	if resp.StatusCode >= 300 {
		var e apiError
		_ = json.Unmarshal(data, &e)
		kind, ok := kinds[resp.StatusCode]
		if !ok {
			kind = apperr.Internal
		}
		msg := e.Error.Message
		if msg == "" {
			msg = resp.Status
		}
		err := apperr.New(kind, "%s %s: %s", method, path, msg)
		if len(e.Error.Fields) > 0 {
			err = apperr.WithFields(fmt.Sprintf("%s %s: %s", method, path, msg), e.Error.Fields)
		}
		return err
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return apperr.New(apperr.Internal, "%s %s: unexpected answer: %v", method, path, err)
		}
	}
	return nil
}

// Round implements Backend.
func (h *HTTPBackend) Round(ctx context.Context, name string) (Round, error) {
	var list struct {
		Rounds []store.RoundInfo `json:"rounds"`
	}
	if err := h.do(ctx, "GET", "/api/v1/rounds", nil, &list); err != nil {
		return Round{}, err
	}
	for _, r := range list.Rounds {
		if r.Name != name {
			continue
		}
		var v json.RawMessage // the canonical definition, as the tablet gets it
		path := fmt.Sprintf("/api/v1/surveys/%s/versions/%d", url.PathEscape(r.Questionnaire), r.QuestionnaireVersion)
		if err := h.do(ctx, "GET", path, nil, &v); err != nil {
			return Round{}, err
		}
		def, err := questionnaire.ParseJSON(r.Questionnaire+".json", v)
		if err != nil {
			return Round{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %s", name)
		}
		return Round{ID: r.ID, Name: r.Name, Status: r.Status, Version: r.QuestionnaireVersion, Def: def, Simulated: r.Simulated}, nil
	}
	return Round{}, apperr.New(apperr.NotFound, "no round named %q on %s", name, h.Base)
}

// Assignments implements Backend.
func (h *HTTPBackend) Assignments(ctx context.Context, roundID int64) ([]store.Assignment, error) {
	var out struct {
		Assignments []wireAssignment `json:"assignments"`
	}
	if err := h.do(ctx, "GET", fmt.Sprintf("/api/v1/rounds/%d/assignments", roundID), nil, &out); err != nil {
		return nil, err
	}
	as := make([]store.Assignment, len(out.Assignments))
	for i, a := range out.Assignments {
		as[i] = a.assignment()
	}
	return as, nil
}

// wireAssignment is an assignment as the API writes it.
type wireAssignment struct {
	ID          int64  `json:"id"`
	Interviewer string `json:"interviewer"`
	StreetID    int64  `json:"street_id"`
	Street      string `json:"street"`
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Building    string `json:"building"`
	Household   string `json:"household"`
	Status      string `json:"status"`
	Disposition string `json:"disposition"`
	LastOutcome string `json:"last_outcome"`
	Replacement string `json:"replacement"`
}

func (a wireAssignment) assignment() store.Assignment {
	return store.Assignment{ID: a.ID, Interviewer: a.Interviewer, StreetID: a.StreetID, Street: a.Street, CommunityID: a.CommunityID,
		Community: a.Community, Building: a.Building, Household: a.Household, Status: a.Status, Disposition: a.Disposition,
		LastOutcome: a.LastOutcome, Replacement: a.Replacement}
}

// sync sends one item as a tablet's outbox does and returns its result.
// An item answered 503 (the database was busy: nothing stored) is sent
// again, as the outbox does.
func (h *HTTPBackend) sync(ctx context.Context, item rounds.SyncItem) (rounds.SyncResult, error) {
	var res rounds.SyncResult
	for attempt := 0; ; attempt++ {
		var out struct {
			Results []rounds.SyncResult `json:"results"`
		}
		if err := h.do(ctx, "POST", "/api/v1/sync", rounds.SyncRequest{Items: []rounds.SyncItem{item}}, &out); err != nil {
			return rounds.SyncResult{}, err
		}
		if len(out.Results) != 1 {
			return rounds.SyncResult{}, apperr.New(apperr.Internal, "POST /api/v1/sync: %d results for 1 item", len(out.Results))
		}
		res = out.Results[0]
		if res.Status != http.StatusServiceUnavailable || attempt == busyResends {
			break
		}
		if err := sleep(ctx, busyWait("")); err != nil {
			return res, err
		}
	}
	if res.Error != nil {
		kind, ok := kinds[res.Status]
		if !ok {
			kind = apperr.Internal
		}
		return res, apperr.New(kind, "%s", res.Error.Message)
	}
	return res, nil
}

// Visit implements Backend.
func (h *HTTPBackend) Visit(ctx context.Context, a store.Assignment, req rounds.VisitRequest) (store.Assignment, error) {
	if _, err := h.sync(ctx, rounds.SyncItem{Type: "visit", Visit: &req}); err != nil {
		return a, err
	}
	var out wireAssignment
	if err := h.do(ctx, "GET", fmt.Sprintf("/api/v1/assignments/%d", a.ID), nil, &out); err != nil {
		return a, err
	}
	return out.assignment(), nil
}

// Submit implements Backend.
func (h *HTTPBackend) Submit(ctx context.Context, a store.Assignment, req rounds.ResponseRequest) (rounds.SubmitResult, error) {
	res, err := h.sync(ctx, rounds.SyncItem{Type: "response", Response: &req})
	if err != nil {
		return rounds.SubmitResult{}, err
	}
	// The outbox's answer has no flags; the stored response has.
	var stored struct {
		Status string           `json:"status"`
		Flags  []fieldwork.Flag `json:"flags"`
	}
	if err := h.do(ctx, "GET", fmt.Sprintf("/api/v1/responses/%d", res.ID), nil, &stored); err != nil {
		return rounds.SubmitResult{}, err
	}
	return rounds.SubmitResult{ID: res.ID, ClientID: res.ClientID, Status: stored.Status, Flags: stored.Flags, Created: res.Status == http.StatusCreated}, nil
}

// MarkSimulated implements Backend: POST /api/v1/rounds/ID/simulated,
// which only an administrator may call (a supervisor's token can run a
// round an administrator created or marked simulated).
func (h *HTTPBackend) MarkSimulated(ctx context.Context, roundID int64) error {
	err := h.do(ctx, "POST", fmt.Sprintf("/api/v1/rounds/%d/simulated", roundID), struct{}{}, nil)
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.New(apperr.Forbidden, "the round is not marked simulated, and only an administrator's token may mark it (simulated answers never go into a round that looks like fieldwork)")
	}
	return err
}

// Replace implements Backend.
func (h *HTTPBackend) Replace(ctx context.Context, a store.Assignment) error {
	return h.do(ctx, "POST", fmt.Sprintf("/api/v1/assignments/%d/replace", a.ID), rounds.ReplaceRequest{Reason: "simulated supervisor: replacement rule met"}, nil)
}
