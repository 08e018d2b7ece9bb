package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// submission is one interview as a tablet holds it in its outbox: fixed
// client id and body, whoever sends it and however often.
type submission struct {
	clientID    string
	interviewer string
	body        []byte
}

// submissions makes one valid response for each assignment of the round,
// with answers that vary by household.
func submissions(t testing.TB, f *fieldtest.Field, as []store.Assignment) []submission {
	t.Helper()
	out := make([]submission, len(as))
	for i, a := range as {
		if !a.InterviewerID.Valid {
			t.Fatalf("assignment %d is not assigned", a.ID)
		}
		answers := fieldtest.Answers(i%2 == 0, i%3 != 0, [4]int{1 + i%5, 1 + (i/5)%5, 1 + (i/25)%5, 1 + (i+2)%5})
		id := fmt.Sprintf("10000000-0000-4000-8000-%012d", i)
		body, err := json.Marshal(map[string]any{
			"client_id": id, "assignment_id": a.ID, "questionnaire_version": f.Round.QuestionnaireVersion,
			"answers": json.RawMessage(answers), "device_id": "load-test",
		})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = submission{clientID: id, interviewer: a.Interviewer, body: body}
	}
	return out
}

// roundAssignments lists every assignment of the fixture's round.
func roundAssignments(t testing.TB, f *fieldtest.Field) []store.Assignment {
	t.Helper()
	as, err := f.Service.Assignments(context.Background(), f.Caller("admin"), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// submitResult is what one POST /api/v1/responses answered.
type submitResult struct {
	status int
	id     int64
	body   string
}

func postSubmission(c *http.Client, baseURL string, s submission) (submitResult, error) {
	res, err := c.Post(baseURL+"/api/v1/responses", "application/json", strings.NewReader(string(s.body)))
	if err != nil {
		return submitResult{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return submitResult{}, err
	}
	out := submitResult{status: res.StatusCode, body: string(b)}
	if res.StatusCode < 300 {
		var v struct {
			ID       int64  `json:"id"`
			ClientID string `json:"client_id"`
			Status   string `json:"status"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.ID < 1 || v.ClientID != s.clientID || v.Status != "accepted" {
			return out, fmt.Errorf("%d answer %s for %s", res.StatusCode, b, s.clientID)
		}
		out.id = v.ID
	}
	return out, nil
}

// countFieldRows counts the round's responses, their distinct client ids,
// accepted responses and value rows of accepted responses.
func countFieldRows(t testing.TB, db *store.DB, roundID int64) (responses, clients, accepted, values int) {
	t.Helper()
	r := db.Reader()
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&responses, `SELECT COUNT(*) FROM responses WHERE round_id = ?`},
		{&clients, `SELECT COUNT(DISTINCT client_id) FROM responses WHERE round_id = ?`},
		{&accepted, `SELECT COUNT(*) FROM responses WHERE round_id = ? AND status = 'accepted'`},
		{&values, `SELECT COUNT(*) FROM response_values v JOIN responses r ON r.id = v.response_id WHERE r.round_id = ? AND r.status = 'accepted'`},
	} {
		if err := r.Get(q.dst, r.Rebind(q.sql), roundID); err != nil {
			t.Fatal(err)
		}
	}
	return
}

// TestConcurrentSubmissions is the concurrency criterion: 50
// goroutines send the same 500 responses, each at least twice and in
// random order, through HTTP; exactly 500 are accepted (500 answers 201,
// every other one 200 or 409), with 500 × Indicators value rows. On
// PostgreSQL it runs again with two servers, each with its own connection
// pool, on one database, requests spread across both — separate
// processes racing in PostgreSQL (on SQLite one writer serialises anyway).
func TestConcurrentSubmissions(t *testing.T) {
	size := fieldtest.Size{Streets: 2, CommunitiesPerStreet: 10, Households: 30, SampleCommunities: 10, PerCommunity: 25}
	run := func(t *testing.T, primary *store.DB, dbs []*store.DB) {
		f := fieldtest.New(t, primary, size)
		f.AssignStreet(t, 1)
		f.AssignStreet(t, 2)
		subs := submissions(t, f, roundAssignments(t, f))
		if len(subs) != 500 {
			t.Fatalf("fixture has %d assignments, want 500", len(subs))
		}
		type server struct {
			url     string
			clients map[string]*http.Client
		}
		var servers []server
		for _, db := range dbs {
			u := servertest.FieldServer(t, db)
			servers = append(servers, server{u, map[string]*http.Client{"int1a": servertest.FieldClient(t, u, "int1a"), "int2a": servertest.FieldClient(t, u, "int2a")}})
		}

		// Every response two or three times, shuffled.
		rng := rand.New(rand.NewPCG(9, uint64(len(dbs))))
		var work []int
		for i := range subs {
			for range 2 + rng.IntN(2) {
				work = append(work, i)
			}
		}
		rng.Shuffle(len(work), func(i, j int) { work[i], work[j] = work[j], work[i] })
		jobs := make(chan int)
		go func() {
			for _, i := range work {
				jobs <- i
			}
			close(jobs)
		}()

		var (
			mu       sync.Mutex
			statuses = map[int]int{}
			ids      = map[string]int64{} // client id → the id every 2xx answered
			problems []string
		)
		var wg sync.WaitGroup
		for g := range 50 {
			wg.Go(func() {
				n := g
				for i := range jobs {
					sv := servers[n%len(servers)]
					n++
					s := subs[i]
					res, err := postSubmission(sv.clients[s.interviewer], sv.url, s)
					mu.Lock()
					statuses[res.status]++
					if err != nil {
						problems = append(problems, err.Error())
					} else if res.id > 0 {
						if prev, ok := ids[s.clientID]; ok && prev != res.id {
							problems = append(problems, fmt.Sprintf("%s answered id %d, earlier %d", s.clientID, res.id, prev))
						}
						ids[s.clientID] = res.id
					} else if res.status != http.StatusConflict {
						problems = append(problems, fmt.Sprintf("%s: %d %s", s.clientID, res.status, res.body))
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		for _, p := range problems[:min(len(problems), 10)] {
			t.Error(p)
		}
		if statuses[http.StatusCreated] != 500 || statuses[http.StatusOK]+statuses[http.StatusConflict]+500 != len(work) {
			t.Errorf("statuses %v for %d requests: want exactly 500 × 201, the rest 200 or 409", statuses, len(work))
		}
		if statuses[http.StatusConflict] > 0 {
			t.Logf("%d resends of the same content answered 409", statuses[http.StatusConflict])
		}
		if len(ids) != 500 {
			t.Errorf("%d client ids acknowledged, want 500", len(ids))
		}
		responses, clients, accepted, values := countFieldRows(t, primary, f.Round.ID)
		if responses != 500 || clients != 500 || accepted != 500 || values != 500*fieldtest.Indicators {
			t.Errorf("stored %d responses (%d client ids, %d accepted) and %d value rows; want 500 and %d",
				responses, clients, accepted, values, 500*fieldtest.Indicators)
		}
		var audits int
		r := primary.Reader()
		if err := r.Get(&audits, `SELECT COUNT(*) FROM audit_log WHERE action = 'response.submit'`); err != nil {
			t.Fatal(err)
		}
		if audits != 500 {
			t.Errorf("%d response.submit audit entries, want 500", audits)
		}
		var completed int
		if err := r.Get(&completed, r.Rebind(`SELECT COUNT(*) FROM assignments WHERE round_id = ? AND disposition = 'complete'`), f.Round.ID); err != nil {
			t.Fatal(err)
		}
		if completed != 500 {
			t.Errorf("%d assignments complete, want 500", completed)
		}
	}

	// The variants run in parallel: SQLite's is bound by the CPU (the
	// race detector slows its Go-compiled engine most), PostgreSQL's
	// largely by the server's processes.
	dialects := storetest.Dialects(t)
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := storetest.Open(t, d)
			run(t, db, []*store.DB{db})
		})
	}
	if dialects[len(dialects)-1] == store.Postgres {
		t.Run("postgres-two-servers", func(t *testing.T) {
			t.Parallel()
			url := storetest.URL(t, store.Postgres)
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			if _, err := dbs[0].Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			run(t, dbs[0], dbs)
		})
	}
}
