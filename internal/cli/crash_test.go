package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// buildMinyi compiles the minyi command into a temporary directory, with
// the race detector when the test has it (so the build reuses the test's
// compiled packages and the server is checked for races too).
func buildMinyi(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "minyi")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "github.com/minyi-survey/minyi/cmd/minyi")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// minyiProcess is a `minyi serve` running as a separate process.
type minyiProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan error
	once   sync.Once
}

var servingRE = regexp.MustCompile(`minyi is serving (https?://\S+) on `)

// startServe starts `minyi serve` on a free loopback port over dbURL and
// waits until it prints its URL (with --base-url among flags, that URL).
// Flags come after the defaults, so a later --addr wins.
func startServe(t *testing.T, bin, dbURL string, flags ...string) *minyiProcess {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dbURL, "--log-level", "warn"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"MINYI_COOKIE_SECRET=crash-test-cookie-secret-0123456789abcdef", // sessions survive a restart
		"DATABASE_URL=", "MINYI_ADDR=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &minyiProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.kill() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
		p.done <- cmd.Wait()
	}()
	select {
	case p.url = <-urls:
		return p
	case err := <-p.done:
		t.Fatalf("minyi serve exited at start: %v\n%s", err, p.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("minyi serve printed no URL within 2 minutes\n%s", p.stderr.String())
	}
	return nil
}

// kill sends SIGKILL and waits for the process to go.
func (p *minyiProcess) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	})
}

// ack is what the client learned of one submission.
type ack struct {
	status int
	id     int64
}

// TestCrashLosesNothing is the crash criterion: a client submits
// responses to a `minyi serve` process, which is killed with SIGKILL
// mid-stream, twice, and restarted on the same database; the client then
// resends everything it has no answer for, and some acknowledged ones.
// Every acknowledged response is stored exactly once, under the id it was
// acknowledged with, with its value rows and its audit entry.
func TestCrashLosesNothing(t *testing.T) {
	bin := buildMinyi(t)
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dbURL := storetest.URL(t, d)
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const n = 120
			f := fieldtest.New(t, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 4, Households: 40, SampleCommunities: 4, PerCommunity: n / 4})
			f.AssignStreet(t, 1)
			as, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
			if err != nil || len(as) != n {
				t.Fatalf("int1a has %d assignments (%v), want %d", len(as), err, n)
			}
			bodies := make([][]byte, n)
			clientIDs := make([]string, n)
			for i, a := range as {
				clientIDs[i] = fmt.Sprintf("20000000-0000-4000-8000-%012d", i)
				bodies[i], _ = json.Marshal(map[string]any{
					"client_id": clientIDs[i], "assignment_id": a.ID, "questionnaire_version": f.Round.QuestionnaireVersion,
					"answers": json.RawMessage(fieldtest.Answers(i%2 == 0, i%3 == 0, [4]int{1 + i%5, 1 + i%4, 2, 1 + i%3})),
				})
			}
			db.Close()

			jar, _ := cookiejar.New(nil) // cookies are per host, not port: the session follows the restarts
			c := &http.Client{Jar: jar, Timeout: time.Minute, Transport: servertest.SameOrigin(nil)}
			acks := make([]ack, n)
			var mu sync.Mutex
			submit := func(p *minyiProcess, i int) (ack, error) {
				res, err := c.Post(p.url+"/api/v1/responses", "application/json", bytes.NewReader(bodies[i]))
				if err != nil {
					return ack{}, err
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if err != nil {
					return ack{}, err
				}
				if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
					return ack{}, fmt.Errorf("response %d answered %d %s", i, res.StatusCode, b)
				}
				var v struct {
					ID       int64  `json:"id"`
					ClientID string `json:"client_id"`
				}
				if err := json.Unmarshal(b, &v); err != nil || v.ID < 1 || v.ClientID != clientIDs[i] {
					return ack{}, fmt.Errorf("response %d answered %d %s", i, res.StatusCode, b)
				}
				return ack{res.StatusCode, v.ID}, nil
			}

			// Two rounds of: start, submit from four goroutines, SIGKILL
			// once a third more of the responses are acknowledged.
			next := 0
			for cycle := 1; cycle <= 2; cycle++ {
				p := startServe(t, bin, dbURL)
				if cycle == 1 {
					body := fmt.Sprintf(`{"username":"int1a","password":%q}`, fieldtest.Password)
					res, err := c.Post(p.url+"/api/v1/login", "application/json", strings.NewReader(body))
					if err != nil || res.StatusCode != http.StatusOK {
						t.Fatalf("login: %v %v", res, err)
					}
					res.Body.Close()
				}
				target, acked := cycle*n/3, 0
				for _, a := range acks {
					if a.id > 0 {
						acked++
					}
				}
				killed := make(chan struct{})
				var wg sync.WaitGroup
				for range 4 {
					wg.Go(func() {
						for {
							mu.Lock()
							i := next
							next++
							mu.Unlock()
							if i >= n {
								return
							}
							a, err := submit(p, i)
							select {
							case <-killed:
								return // the answer to a request in flight at the kill counts as lost
							default:
							}
							if err != nil {
								t.Errorf("before the kill: %v", err)
								return
							}
							mu.Lock()
							acks[i] = a
							acked++
							if acked == target {
								close(killed) // first: what fails from now on failed because of the kill
								p.kill()
							}
							mu.Unlock()
						}
					})
				}
				wg.Wait()
				select {
				case <-killed:
				default:
					t.Fatalf("cycle %d: the stream ended before the kill (%d acknowledged)", cycle, acked)
				}
				if t.Failed() {
					t.Fatalf("server log:\n%s", p.stderr.String())
				}
			}

			// Restart; resend everything unanswered and every third answered.
			p := startServe(t, bin, dbURL)
			resent, recovered := 0, 0
			for i := range n {
				if acks[i].id > 0 && i%3 != 0 {
					continue
				}
				resent++
				a, err := submit(p, i)
				if err != nil {
					t.Fatalf("after the restart: %v\n%s", err, p.stderr.String())
				}
				switch {
				case acks[i].id > 0 && (a.status != http.StatusOK || a.id != acks[i].id):
					t.Errorf("resend of acknowledged response %d (id %d) answered %d id %d", i, acks[i].id, a.status, a.id)
				case acks[i].id == 0 && a.status == http.StatusOK:
					recovered++ // stored before the kill, its answer lost
				}
				if acks[i].id == 0 {
					acks[i] = a
				}
			}
			t.Logf("%d resent after the kills, of which %d had been stored without an answer reaching the client", resent, recovered)
			p.kill()

			db, err = store.Open(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			r := db.Reader()
			for i, a := range acks {
				var rows []struct {
					ID     int64  `db:"id"`
					Status string `db:"status"`
				}
				if err := r.Select(&rows, r.Rebind(`SELECT id, status FROM responses WHERE client_id = ?`), clientIDs[i]); err != nil {
					t.Fatal(err)
				}
				if len(rows) != 1 || rows[0].ID != a.id || rows[0].Status != "accepted" {
					t.Errorf("response %d acknowledged as id %d is stored as %+v", i, a.id, rows)
					continue
				}
				var values, audits int
				if err := r.Get(&values, r.Rebind(`SELECT COUNT(*) FROM response_values WHERE response_id = ?`), a.id); err != nil {
					t.Fatal(err)
				}
				if err := r.Get(&audits, r.Rebind(`SELECT COUNT(*) FROM audit_log WHERE action = 'response.submit' AND detail LIKE ?`), `%"client_id":"`+clientIDs[i]+`"%`); err != nil {
					t.Fatal(err)
				}
				if values != fieldtest.Indicators || audits != 1 {
					t.Errorf("response %d (id %d) has %d value rows and %d audit entries, want %d and 1", i, a.id, values, audits, fieldtest.Indicators)
				}
			}
			var total, accepted int
			if err := r.Get(&total, `SELECT COUNT(*) FROM responses`); err != nil {
				t.Fatal(err)
			}
			if err := r.Get(&accepted, `SELECT COUNT(DISTINCT assignment_id) FROM responses WHERE status = 'accepted'`); err != nil {
				t.Fatal(err)
			}
			if total != n || accepted != n {
				t.Errorf("%d responses stored for %d assignments, want %d each", total, accepted, n)
			}
		})
	}
}
