package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// scopeQueries are the query parameters a handler of a scoped route reads
// that could name another street's objects (a street, a community, an
// interviewer, a group). They are sent all at once, naming another
// street by its id, its name or its interviewer, or all broken.
var scopeQueries = []string{"street", "vs_street", "compare", "community", "interviewer", "user",
	"group", "domain", "by", "level", "object_id", "object_type", "with", "indicators", "lonely_psu"}

// TestErrorsStayInScope calls every API route and every page, as a
// supervisor and as an interviewer of street 1, on their own rounds and on
// objects of other streets, with bodies and query parameters naming other
// streets' objects, and with bad ones. No answer that is an error may name
// another street, its communities or its staff: an error must not reveal
// what lies outside the caller's scope (issue 23, item 7: a supervisor's
// summary export answered 422 naming another street's lonely community).
// It sweeps two districts: the dashboard's (fieldwork and a finished
// round) and one where some streets have a single community, so that the
// district's figures fail under lonely_psu=fail.
func TestErrorsStayInScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed := servertest.SeedDashboard(t, db)
		base := servertest.NewDashServer(t, db)
		r := db.Reader()
		sw := scopeSweep{db: db, base: base, rounds: []int64{seed.Round, seed.Other}, mine: seed.Streets[0], other: seed.Streets[1]}
		get := func(dst any, q string, args ...any) {
			t.Helper()
			if err := r.Get(dst, r.Rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		get(&sw.community, `SELECT MIN(id) FROM communities WHERE street_id = ?`, sw.other.ID)
		get(&sw.assignment, `SELECT MIN(a.id) FROM assignments a JOIN sample_units u ON u.id = a.sample_unit_id
			WHERE a.round_id = ? AND u.street_id = ?`, seed.Other, sw.other.ID)
		get(&sw.response, `SELECT MIN(id) FROM responses WHERE round_id = ? AND assignment_id IN
			(SELECT a.id FROM assignments a JOIN sample_units u ON u.id = a.sample_unit_id WHERE u.street_id = ?)`, seed.Other, sw.other.ID)
		var interviewer string
		get(&interviewer, `SELECT MIN(username) FROM users WHERE role = 'interviewer' AND street_id = ?`, sw.mine.ID)
		get(&sw.interviewer, `SELECT MIN(username) FROM users WHERE role = 'interviewer' AND street_id = ?`, sw.other.ID)
		sw.run(t, "sup1", interviewer)
	})
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		round := storetest.SeedRound(t, db, 1000, 4, 5) // 4 streets, 5 communities: some street has one
		streets, err := db.Streets(context.Background())
		if err != nil || len(streets) != 4 {
			t.Fatalf("streets %v, %v", streets, err)
		}
		hash, err := auth.HashPassword(fieldtest.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(context.Background(), store.NewUser{Username: "sup1", DisplayName: "sup1", Role: store.RoleSupervisor,
			StreetID: &streets[0].ID, PasswordHash: hash}, store.System); err != nil {
			t.Fatal(err)
		}
		sw := scopeSweep{db: db, base: servertest.NewDashServer(t, db), rounds: []int64{round}, mine: streets[0], other: streets[1],
			community: 999999, assignment: 999999, response: 999999, interviewer: "nobody"}
		sw.run(t, "sup1")
	})
}

// scopeSweep is one district the sweep runs on: the rounds a caller of
// street mine may open, and objects of the street other.
type scopeSweep struct {
	db                              *store.DB
	base                            string
	rounds                          []int64
	mine, other                     store.Street
	community, assignment, response int64
	interviewer                     string // of the other street
}

func (sw scopeSweep) run(t *testing.T, callers ...string) {
	t.Helper()
	// What may not appear: every other street's name, its communities'
	// names, and its staff's usernames and display names.
	r := sw.db.Reader()
	var foreign []string
	for _, q := range []string{`SELECT name FROM streets WHERE id <> ?`, `SELECT name FROM communities WHERE street_id <> ?`,
		`SELECT username FROM users WHERE street_id <> ?`, `SELECT display_name FROM users WHERE street_id <> ?`} {
		var names []string
		if err := r.Select(&names, r.Rebind(q), sw.mine.ID); err != nil {
			t.Fatal(err)
		}
		foreign = append(foreign, names...)
	}
	if len(foreign) < 4 {
		t.Fatalf("only %d foreign names: the seed changed", len(foreign))
	}
	fo := fmt.Sprint
	// Path parameters: the caller's rounds, and other streets' objects.
	paths := func(p string) []string {
		var rounds []string
		for _, id := range sw.rounds {
			rounds = append(rounds, fo(id))
		}
		sub := map[string][]string{
			":id": rounds, ":street": {fo(sw.other.ID)}, ":community": {fo(sw.community)}, ":response": {fo(sw.response)},
			":name": {"模拟样本", "演练样本"}, ":slug": {"wenming-household"}, ":version": {"1"},
		}
		switch {
		case strings.HasPrefix(p, "/api/v1/assignments/:id"):
			sub[":id"] = []string{fo(sw.assignment)}
		case strings.HasPrefix(p, "/api/v1/responses/:id"):
			sub[":id"] = []string{fo(sw.response)}
		case strings.HasPrefix(p, "/api/v1/users/:id"), strings.HasPrefix(p, "/api/v1/tokens/:id"):
			sub[":id"] = []string{"1"}
		}
		out := []string{p}
		for param, values := range sub {
			var next []string
			for _, q := range out {
				if !strings.Contains(q, param) {
					next = append(next, q)
					continue
				}
				for _, v := range values {
					next = append(next, strings.Replace(q, param, url.PathEscape(v), 1))
				}
			}
			out = next
		}
		return out
	}
	// Bodies: empty, broken, and naming other streets' objects.
	bodies := []string{"{}", `{"x":`, fmt.Sprintf(
		`{"street_id":%d,"street":%d,"community_id":%d,"assignment_id":%d,"interviewer":%q,"round_id":%d,"client_id":"00000000-0000-4000-8000-00000000abcd","questionnaire_version":1,"answers":{},"attempted_at":"2026-11-21T19:00:00+08:00","outcome":"no_one_home","items":[{"kind":"visit","assignment_id":%d}],"client_ids":["x"],"action":"flag","reason":"x","approve":true}`,
		sw.other.ID, sw.other.ID, sw.community, sw.assignment, sw.interviewer, sw.rounds[0], sw.assignment)}
	// Queries: none; every scope-ish one at once naming another street by
	// its id, its name and its interviewer; all of them broken; and the
	// strict choices that make estimates fail (lonely_psu=fail).
	queries := []string{"", "?lonely_psu=fail", "?lonely_psu=fail&format=xlsx"}
	for _, v := range []string{fo(sw.other.ID), sw.other.Name, sw.interviewer, "-1"} {
		q := url.Values{}
		for _, name := range scopeQueries {
			q.Set(name, v)
		}
		queries = append(queries, "?"+q.Encode())
	}
	var routes []server.RouteEntry
	for _, rt := range append(server.APIRoutes(), server.PageRoutes()...) {
		if strings.HasSuffix(rt.Path, "/login") || strings.HasSuffix(rt.Path, "/logout") || rt.Path == "/api/v1/tokens" && rt.Method == "POST" {
			continue // they answer about the caller alone; logout would end the session
		}
		routes = append(routes, rt)
	}
	errorsSeen := 0
	for _, who := range callers {
		c := servertest.LoginAs(t, sw.base, who)
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		for _, rt := range routes {
			for _, p := range paths(rt.Path) {
				var calls [][2]string // query, body
				if rt.Method == "GET" {
					for _, q := range queries {
						calls = append(calls, [2]string{q, ""})
					}
				} else {
					for _, b := range bodies {
						calls = append(calls, [2]string{"", b})
					}
				}
				for _, call := range calls {
					status, body := servertest.Call(t, c, rt.Method, sw.base+p+call[0], call[1])
					if status >= 500 {
						t.Errorf("%s %s%s as %s = %d %.300s", rt.Method, p, call[0], who, status, body)
					}
					if status < 400 {
						continue
					}
					errorsSeen++
					sent, _ := url.QueryUnescape(p + call[0] + call[1])
					for _, name := range foreign {
						// A name the caller sent is echoed, not revealed.
						if strings.Contains(string(body), name) && !strings.Contains(sent, name) {
							t.Errorf("%s %s%s as %s = %d names %q, outside the caller's street: %.300s", rt.Method, p, call[0], who, status, name, body)
						}
					}
				}
			}
		}
	}
	// The sweep must have provoked errors, or it proved nothing.
	if errorsSeen < 100 {
		t.Errorf("only %d error answers: the sweep no longer reaches the error paths", errorsSeen)
	}
	t.Logf("%d error answers checked", errorsSeen)
}
