// Package servertest is what the web layer's HTTP tests share: a whole
// server over real HTTP on a fieldtest district (or the dashboard's seeded
// rounds), clients logged in as its accounts, requests and pages, and a
// browser at an office PC's size. The server's own tests (access tables,
// crawl) and each face's tests use it, so no helper is copied. It is for
// tests only: importing it lowers the bcrypt cost.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/surveys"
	"golang.org/x/crypto/bcrypt"
)

// Tests hash many passwords: the cheapest bcrypt cost.
func init() { auth.BcryptCost = bcrypt.MinCost }

// Client is a client with a cookie jar that does not follow redirects and,
// as a browser's fetch does, sends its Origin on every request that
// changes something (SameOrigin).
func Client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: SameOrigin(nil), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// SameOrigin wraps a transport (nil: http.DefaultTransport) so that every
// POST, PUT, PATCH or DELETE without an Origin header gets the one a
// browser's same-origin fetch sends: the scheme and host asked; and every
// API request without Accept-Language asks for English. The
// server refuses cookie-authenticated writes that do not say where they
// come from.
func SameOrigin(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return originTransport{base}
}

type originTransport struct{ base http.RoundTripper }

func (o originTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Accept-Language") == "" && strings.HasPrefix(r.URL.Path, "/api/") {
		// The API's messages in English, which the tests were written
		// against; zh-CN, the default, is tested by asking for it.
		r = r.Clone(r.Context())
		r.Header.Set("Accept-Language", "en")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if r.Header.Get("Origin") == "" {
			r = r.Clone(r.Context())
			r.Header.Set("Origin", r.URL.Scheme+"://"+r.URL.Host)
		}
	}
	return o.base.RoundTrip(r)
}

// PostJSON posts a JSON body and returns the response with its error body
// decoded (empty on success).
func PostJSON(t *testing.T, c *http.Client, url, body string) (*http.Response, server.ErrorBody) {
	t.Helper()
	res, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var eb server.ErrorBody
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 400 {
		if err := json.Unmarshal(b, &eb); err != nil {
			t.Fatalf("error body is not JSON: %q", b)
		}
	}
	return res, eb
}

// NewFieldServer serves a fieldtest district in the field over real HTTP.
func NewFieldServer(t *testing.T, db *store.DB, sz fieldtest.Size) (*fieldtest.Field, string) {
	t.Helper()
	return NewFieldServerWith(t, db, sz, nil)
}

// NewFieldServerWith is NewFieldServer with the handler wrapped (nil: as
// it is), e.g. by a network switch.
func NewFieldServerWith(t *testing.T, db *store.DB, sz fieldtest.Size, wrap func(http.Handler) http.Handler) (*fieldtest.Field, string) {
	t.Helper()
	f := fieldtest.New(t, db, sz)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}
	if sz.Zone != "" { // the district's zone, as serve --timezone gives it
		loc, err := config.ParseZone(sz.Zone)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Location = loc
	}
	s, err := server.New(cfg, db, auth.NewService(db, auth.NewSecret(), time.Hour), log)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return f, ts.URL
}

// LoginAs returns a client logged in as a fieldtest account.
func LoginAs(t *testing.T, base, username string) *http.Client {
	t.Helper()
	c := Client(t)
	if res, eb := PostJSON(t, c, base+"/api/v1/login", `{"username":"`+username+`","password":"`+fieldtest.Password+`"}`); res.StatusCode != 200 {
		t.Fatalf("login %s = %d %+v", username, res.StatusCode, eb)
	}
	return c
}

// Call sends a request with an optional JSON body and returns the status
// and body.
func Call(t *testing.T, c *http.Client, method, url, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// The callers of the access test, in the order of the expectation strings.
var AccessCallers = []string{"", "int1a", "int2a", "sup1", "sup2", "analyst", "admin"}

// SeedAccessObjects assigns streets 1 and 2 of f, submits a response of
// int1a (resp, for mine[0]) and records a final refusal on mine[1], so that
// every route and page has an object of each kind to be called on.
func SeedAccessObjects(t *testing.T, f *fieldtest.Field) (mine []store.Assignment, resp rounds.SubmitResult) {
	t.Helper()
	ctx := context.Background()
	f.AssignStreet(t, 1)
	f.AssignStreet(t, 2)
	mine, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	a := mine[0]
	start := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
	end := start.Add(15 * time.Minute)
	resp, err = f.Service.Submit(ctx, f.Caller("int1a"), rounds.ResponseRequest{
		ClientID: "00000000-0000-4000-8000-000000000001", AssignmentID: a.ID, QuestionnaireVersion: 1,
		Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 2, 1})), StartedAt: &start, CompletedAt: &end,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A household of street 1 finally refused, so that replace is possible.
	if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{
		ClientID: "00000000-0000-4000-8000-000000000002", AssignmentID: mine[1].ID, AttemptedAt: start, Outcome: "refused",
	}); err != nil {
		t.Fatal(err)
	}
	return mine, resp
}

// GetPage opens a page as a browser would (Accept: text/html).
func GetPage(t *testing.T, c *http.Client, url string) (status int, location, ctype, body string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), res.Header.Get("Content-Type"), string(b)
}

// NewTestServer returns a server on a fresh database with one user per role
// (password "password-<role>") and its base URL.
func NewTestServer(t *testing.T, db *store.DB) (*server.Server, string, *SyncWriter) {
	t.Helper()
	SeedUsers(t, db)
	return StartServer(t, db, config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30})
}

// SeedUsers adds one user per role (password "password-<role>").
func SeedUsers(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	for _, role := range []string{store.RoleAdmin, store.RoleAnalyst, store.RoleInterviewer} {
		h, err := auth.HashPassword("password-" + role)
		if err != nil {
			t.Fatal(err)
		}
		u := store.NewUser{Username: role, DisplayName: role, Role: role, PasswordHash: h}
		if role == store.RoleInterviewer { // interviewers belong to a street
			st := storetest.Street(t, db, "测试街道")
			u.StreetID = &st
		}
		if _, err := db.CreateUser(ctx, u, store.CLI); err != nil {
			t.Fatal(err)
		}
	}
}

// StartServer starts a server with cfg on db, as one more serve process
// would, and returns it with its base URL and its log.
func StartServer(t *testing.T, db *store.DB, cfg config.Config) (*server.Server, string, *SyncWriter) {
	t.Helper()
	logs := &SyncWriter{w: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := server.New(cfg, db, auth.NewService(db, auth.NewSecret(), time.Hour), log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts.URL, logs
}

// SyncWriter serialises writes from the server's goroutines.
type SyncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// DecodeJSON decodes a response body.
func DecodeJSON(res *http.Response, v any) error {
	return json.NewDecoder(res.Body).Decode(v)
}

// Get makes a GET request and returns the status and body.
func Get(t *testing.T, c *http.Client, u string) (int, []byte) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// Do makes a request without a body, with headers, and returns the
// response with its body read.
func Do(t *testing.T, c *http.Client, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	return Send(t, c, method, url, "", "", hdr)
}

// Send makes a request with an optional body and headers and returns the
// response with its body read.
func Send(t *testing.T, c *http.Client, method, url, ctype, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Accept-Language") == "" && strings.HasPrefix(req.URL.Path, "/api/") {
		req.Header.Set("Accept-Language", "en") // as SameOrigin does
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// ShippedSurvey is the shipped household questionnaire, as YAML and parsed.
func ShippedSurvey(t *testing.T) (string, *questionnaire.Definition) {
	t.Helper()
	b, err := fs.ReadFile(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := questionnaire.Parse("wenming-household.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), d
}

// DecodeError reads an error body and fails unless it has the documented
// shape.
func DecodeError(t *testing.T, res *http.Response) server.ErrorBody {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var eb server.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil {
		t.Fatalf("error body is not JSON: %q", b)
	}
	if strings.Contains(string(b), "pq:") || strings.Contains(strings.ToLower(string(b)), "sql") {
		t.Fatalf("driver text in the answer: %s", b)
	}
	return eb
}

// String is what was written so far.
func (s *SyncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.(*bytes.Buffer).String()
}
