package server_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// accessWant says, for every API route, what each caller gets, one letter
// per caller in the order of servertest.AccessCallers: anonymous, the interviewer of
// the objects, an interviewer of another street, the supervisor of their
// street, a supervisor of another street, an analyst, an admin.
//
//	U 401 (log in first)  F 403 (the role may never)  N 404 (not yours)
//	A allowed (any answer but 401, 403, 404 and 5xx)  P public (called
//	once, anonymously: logins are rate-limited)
//
// It is written out by hand, apart from the route table, so that a change
// of access shows here as a deliberate edit.
var accessWant = map[string]string{
	"POST /api/v1/login":                                  "PPPPPPP",
	"POST /api/v1/logout":                                 "PPPPPPP",
	"POST /api/v1/tokens":                                 "UAAAAAA",
	"GET /api/v1/tokens":                                  "UAAAAAA",
	"DELETE /api/v1/tokens/:id":                           "UANNNNA",
	"GET /api/v1/me":                                      "UAAAAAA",
	"POST /api/v1/me/password":                            "UAAAAAA",
	"GET /api/v1/metrics":                                 "UFFFFFA",
	"GET /api/v1/users":                                   "UFFFFFA",
	"POST /api/v1/users":                                  "UFFFFFA",
	"POST /api/v1/users/import":                           "UFFFFFA",
	"PATCH /api/v1/users/:id":                             "UFFFFFA",
	"POST /api/v1/users/:id/disable":                      "UFFFFFA",
	"POST /api/v1/users/:id/enable":                       "UFFFFFA",
	"POST /api/v1/users/:id/password":                     "UFFFFFA",
	"POST /api/v1/frames":                                 "UFFFFFA",
	"GET /api/v1/frames":                                  "UFFAAAA",
	"GET /api/v1/frames/:version":                         "UFFAAAA",
	"GET /api/v1/streets/order":                           "UFFAAAA",
	"PUT /api/v1/streets/order":                           "UFFFFFA",
	"POST /api/v1/samples":                                "UFFFFFA",
	"GET /api/v1/samples":                                 "UFFAAAA",
	"GET /api/v1/samples/:name":                           "UFFAAAA",
	"GET /api/v1/samples/:name/households":                "UFFAAAA",
	"GET /api/v1/sample-size":                             "UFFAAAA",
	"POST /api/v1/simulate/design":                        "UFFFFAA",
	"POST /api/v1/samples/preview":                        "UFFFFAA",
	"GET /api/v1/surveys":                                 "UAAAAAA",
	"POST /api/v1/surveys":                                "UFFFFFA",
	"POST /api/v1/surveys/validate":                       "UAAAAAA",
	"GET /api/v1/surveys/:slug":                           "UAAAAAA",
	"POST /api/v1/surveys/:slug/publish":                  "UFFFFFA",
	"GET /api/v1/surveys/:slug/versions/:version":         "UAAAAAA",
	"GET /api/v1/rounds":                                  "UAAAAAA",
	"POST /api/v1/rounds":                                 "UFFFFFA",
	"GET /api/v1/rounds/:id":                              "UAAAAAA",
	"POST /api/v1/rounds/:id/start":                       "UFFFFFA",
	"POST /api/v1/rounds/:id/close":                       "UFFFFFA",
	"POST /api/v1/rounds/:id/simulated":                   "UFFFFFA",
	"POST /api/v1/rounds/:id/reopen":                      "UFFFFFA",
	"GET /api/v1/rounds/:id/assignments":                  "UFFAAFA",
	"POST /api/v1/rounds/:id/assignments":                 "UFFAAFA",
	"GET /api/v1/rounds/:id/progress":                     "UFFAAAA",
	"GET /api/v1/rounds/:id/responses":                    "UFFAAFA",
	"GET /api/v1/rounds/:id/estimates":                    "UFFAAAA",
	"GET /api/v1/rounds/:id/data":                         "UFFAAAA",
	"GET /api/v1/rounds/:id/export/responses":             "UFFAAAA",
	"GET /api/v1/rounds/:id/export/dispositions":          "UFFAAAA",
	"GET /api/v1/rounds/:id/export/summary":               "UFFAAAA",
	"GET /api/v1/rounds/:id/export/codebook":              "UFFAAAA",
	"GET /api/v1/rounds/:id/export/r-bundle":              "UFFAAAA",
	"GET /api/v1/rounds/:id/export/communities":           "UFFAAAA",
	"GET /api/v1/rounds/:id/communities":                  "UFFAAAA",
	"POST /api/v1/rounds/:id/weight":                      "UFFFFFA",
	"GET /api/v1/rounds/:id/weighting":                    "UFFAAAA",
	"GET /api/v1/rounds/:id/drivers":                      "UFFAAAA",
	"POST /api/v1/population":                             "UFFFFFA",
	"GET /api/v1/population":                              "UFFAAAA",
	"GET /api/v1/me/assignments":                          "UAAFFFA",
	"GET /api/v1/assignments/:id":                         "UANANFA",
	"POST /api/v1/assignments/:id/replace":                "UFFANFA",
	"POST /api/v1/visits":                                 "UANANFA",
	"POST /api/v1/responses":                              "UANANFA",
	"POST /api/v1/sync":                                   "UAAAAFA",
	"POST /api/v1/sync/status":                            "UAAAAFA",
	"GET /api/v1/responses/:id":                           "UANANFA",
	"POST /api/v1/responses/:id/review":                   "UFFANFA",
	"POST /api/v1/surveys/xlsform":                        "UFFFFFA",
	"GET /api/v1/surveys/:slug/versions/:version/xlsform": "UAAAAAA",
}

// TestAccessTable calls every route of the API as every kind of caller, on
// objects of street 1 that belong to the interviewer int1a, and checks the
// answer against accessWant, once with session cookies and once with API
// tokens (Authorization: Bearer). A route without an expectation fails.
func TestAccessTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		mine, resp := servertest.SeedAccessObjects(t, f)
		a := mine[0]
		params := map[string]string{
			":id": fmt.Sprint(f.Round.ID), ":version": "1", ":name": "fieldtest", ":slug": "field",
		}
		clients := map[string]*http.Client{"": servertest.Client(t)}
		for _, who := range servertest.AccessCallers[1:] {
			clients[who] = servertest.LoginAs(t, base, who)
		}
		var token struct{ ID int64 }
		if status, b := servertest.Call(t, clients["int1a"], "POST", base+"/api/v1/tokens", `{"name":"tablet"}`); status != http.StatusCreated || json.Unmarshal(b, &token) != nil {
			t.Fatalf("int1a's token = %d %s", status, b)
		}
		objectID := map[string]string{"assignments": fmt.Sprint(mine[1].ID), "responses": fmt.Sprint(resp.ID), "tokens": fmt.Sprint(token.ID),
			"users": fmt.Sprint(f.Users["int2b"].ID)} // an account none of the callers uses
		visit := fmt.Sprintf(`{"client_id":"%%s","assignment_id":%d,"attempted_at":"2026-11-21T19:00:00+08:00","outcome":"no_one_home"}`, a.ID)
		bodies := map[string]string{
			"POST /api/v1/login":                   `{"username":"nobody","password":"wrong-password"}`,
			"POST /api/v1/samples":                 `{"name":"x","n":0}`,
			"POST /api/v1/simulate/design":         `{"reps":0}`,
			"POST /api/v1/samples/preview":         `{"n":20,"per_community":3}`,
			"POST /api/v1/surveys":                 `{}`,
			"POST /api/v1/surveys/validate":        `{}`,
			"POST /api/v1/rounds":                  `{"name":""}`,
			"POST /api/v1/rounds/:id/close":        `{"force":true}`,
			"POST /api/v1/rounds/:id/assignments":  `{"interviewer":"int1a","street_id":` + fmt.Sprint(f.Streets[0].ID) + `}`,
			"POST /api/v1/assignments/:id/replace": `{"approve":false,"reason":"test"}`,
			"POST /api/v1/responses":               fmt.Sprintf(`{"client_id":"00000000-0000-4000-8000-000000000099","assignment_id":%d,"questionnaire_version":1,"answers":{}}`, a.ID),
			"POST /api/v1/sync":                    `{"items":[]}`,
			"POST /api/v1/sync/status":             `{"client_ids":["00000000-0000-4000-8000-000000000001"]}`,
			"POST /api/v1/responses/:id/review":    `{"action":"flag","reason":"test"}`,
		}
		// Every caller also gets an API token, for a second pass with
		// "Authorization: Bearer" instead of the session cookie.
		bearers := map[string]*http.Client{"": servertest.Client(t)}
		for _, who := range servertest.AccessCallers[1:] {
			var tok struct{ Token string }
			if status, b := servertest.Call(t, clients[who], "POST", base+"/api/v1/tokens", `{"name":"access test"}`); status != http.StatusCreated || json.Unmarshal(b, &tok) != nil {
				t.Fatalf("%s's token = %d %s", who, status, b)
			}
			bearers[who] = &http.Client{Transport: bearerTransport(tok.Token)}
		}
		// With a token, only an admin may make more tokens (a stolen token
		// cannot mint a longer-lived one).
		bearerWant := map[string]string{"POST /api/v1/tokens": "UFFFFFA"}
		seen := map[string]bool{}
		n := 0
		routes := server.APIRoutes()
		slices.SortStableFunc(routes, func(a, b server.RouteEntry) int { // log out last
			last := func(r server.RouteEntry) int {
				if strings.HasSuffix(r.Path, "/logout") {
					return 1
				}
				return 0
			}
			return cmp.Compare(last(a), last(b))
		})
		for _, mode := range []string{"cookie", "bearer"} {
			for _, r := range routes {
				key := r.Method + " " + r.Path
				seen[key] = true
				want, ok := accessWant[key]
				if w, over := bearerWant[key]; over && mode == "bearer" {
					want = w
				}
				callers := clients
				if mode == "bearer" {
					callers = bearers
				}
				if !ok {
					t.Errorf("%s: no access expectation: add it to accessWant", key)
					continue
				}
				for i, who := range servertest.AccessCallers {
					path := r.Path
					for p, v := range params {
						path = strings.ReplaceAll(path, p, v)
					}
					for prefix, id := range objectID {
						if strings.HasPrefix(r.Path, "/api/v1/"+prefix+"/:id") {
							path = strings.Replace(r.Path, ":id", id, 1)
						}
					}
					if key == "GET /api/v1/me/assignments" {
						path += "?round=" + fmt.Sprint(f.Round.ID)
					}
					body := bodies[key]
					if key == "POST /api/v1/visits" {
						n++
						body = fmt.Sprintf(visit, fmt.Sprintf("00000000-0000-4000-8000-%012d", 1000+n))
					}
					if r.Method == "POST" && body == "" {
						body = "{}"
					}
					if want[i] == 'P' && who != "" {
						continue // public: the caller does not matter, and logins are rate-limited
					}
					status, resBody := servertest.Call(t, callers[who], r.Method, base+path, body)
					name := who
					if name == "" {
						name = "anonymous"
					}
					check := func(ok bool) {
						if !ok {
							t.Errorf("%s as %s (%s) = %d (want %c) %s", key, name, mode, status, want[i], resBody)
						}
					}
					switch want[i] {
					case 'U':
						check(status == http.StatusUnauthorized)
					case 'F':
						check(status == http.StatusForbidden)
					case 'N':
						check(status == http.StatusNotFound)
					case 'A':
						check(status != 401 && status != 403 && status != 404 && status < 500)
					case 'P':
						check(status != 403 && status < 500)
					}
				}
			}
		}
		for key := range accessWant {
			if !seen[key] {
				t.Errorf("accessWant names %s, which is not a route", key)
			}
		}
		// Only the admin's close and reopen happened (and were audited), once
		// in each pass.
		for _, action := range []string{"round.close", "round.reopen"} {
			var n int
			if err := db.Reader().Get(&n, db.Reader().Rebind("SELECT COUNT(*) FROM audit_log WHERE action = ?"), action); err != nil || n != 2 {
				t.Errorf("%s audited %d times (%v), want twice", action, n, err)
			}
		}
	})
}

// bearerTransport sends every request with an API token.
type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}
