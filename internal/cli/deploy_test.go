package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// The deployment files these tests run, from the repository root.
const (
	nginxConf   = "../../deploy/nginx/minyi.conf"
	systemdDir  = "../../deploy/systemd"
	uploadLimit = "../server/body.go" // defaultUploadLimit: client_max_body_size must equal it
)

// needTool returns the path of a program the test needs: without it the
// test skips, saying so, except in CI, where it fails (.ci/run installs it).
func needTool(t *testing.T, name string, also ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range also {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed: in CI this test must run (.ci/run installs it)", name)
	}
	t.Skipf("%s is not installed: skipping (apt-get install %s)", name, name)
	return ""
}

// replace returns s with old replaced by new, failing the test unless old
// occurs exactly n times: when minyi.conf changes so that the test can no
// longer put its ports and files in, the test says what it looked for.
func replace(t *testing.T, s, old, new string, n int) string {
	t.Helper()
	if c := strings.Count(s, old); c != n {
		t.Fatalf("%s: %q occurs %d times, want %d", nginxConf, old, c, n)
	}
	return strings.ReplaceAll(s, old, new)
}

// nginx is Debian's nginx running deploy/nginx/minyi.conf as a child of
// the test.
type nginx struct {
	https, http string // https://127.0.0.1:PORT, http://127.0.0.1:PORT
	dir         string // its prefix: nginx.conf, minyi.conf, access.log
	cmd         *exec.Cmd
	stderr      *lockedBuffer
	done        chan error
}

// startNginx runs the repository's minyi.conf with only what a test must
// change: the listen ports (free loopback ports instead of 80 and 443), the
// upstream servers (the replicas' addresses instead of 8081 and 8082) and
// the certificate (tlsDir's, made by 'minyi tls local'). A wrapping
// nginx.conf gives what a system nginx's main config gives: no daemon, pid,
// logs and temporary files in the test's directory, mime.types.
func startNginx(t *testing.T, bin string, replicas []string, tlsDir string) *nginx {
	t.Helper()
	b, err := os.ReadFile(nginxConf)
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	httpsAddr, httpAddr := freePort(t), freePort(t)
	conf = replace(t, conf, "listen [::]:80;\n", "", 1)
	conf = replace(t, conf, "listen [::]:443 ssl http2;\n", "", 1)
	conf = replace(t, conf, "listen 80;", "listen "+httpAddr+";", 1)
	conf = replace(t, conf, "listen 443 ssl http2;", "listen "+httpsAddr+" ssl http2;", 1)
	conf = replace(t, conf, "server 127.0.0.1:8081 ", "server "+replicas[0]+" ", 1)
	conf = replace(t, conf, "server 127.0.0.1:8082 ", "server "+replicas[1]+" ", 1)
	conf = replace(t, conf, "/etc/minyi/tls/cert.pem", filepath.Join(tlsDir, "cert.pem"), 1)
	conf = replace(t, conf, "/etc/minyi/tls/key.pem", filepath.Join(tlsDir, "key.pem"), 1)

	n := &nginx{https: "https://" + httpsAddr, http: "http://" + httpAddr, dir: t.TempDir(), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	user := ""
	if os.Geteuid() == 0 {
		// As root (CI), nginx would run its workers as nobody, who cannot
		// enter the test's 0700 temporary directories.
		user = "user root;"
	}
	main := fmt.Sprintf(`%s
daemon off;
master_process on;
worker_processes 2;
pid %[2]s/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path %[2]s/client_body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    log_format upstreams '$status $request_method $uri upstream=$upstream_addr upstream_status=$upstream_status';
    access_log %[2]s/access.log upstreams;
    include minyi.conf;
}
`, user, n.dir)
	for name, body := range map[string]string{"nginx.conf": main, "minyi.conf": conf} {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n.cmd = exec.Command(bin, "-p", n.dir, "-c", "nginx.conf", "-e", "stderr")
	n.cmd.Stdout, n.cmd.Stderr = n.stderr, n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.done <- n.cmd.Wait() }()
	t.Cleanup(func() {
		_ = n.cmd.Process.Signal(syscall.SIGQUIT) // graceful: workers finish and go
		select {
		case <-n.done:
		case <-time.After(10 * time.Second):
			_ = n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			t.Logf("nginx's log:\n%s", n.stderr.String())
		}
	})
	for range 200 {
		select {
		case err := <-n.done:
			t.Fatalf("nginx exited at start: %v\n%s", err, n.stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", httpsAddr); err == nil {
			c.Close()
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nginx does not listen on %s:\n%s", httpsAddr, n.stderr.String())
	return nil
}

// tablet is a tablet-like client: its own TLS connections (from 127.0.0.2,
// so that the audit log can show the address nginx forwarded) and cookie
// jar, one interviewer's outbox.
type tablet struct {
	user   string
	client *http.Client
	items  []*outboxItem
}

// outboxItem is a visit or an interview waiting in a tablet's outbox.
type outboxItem struct {
	kind, clientID string
	body           json.RawMessage
	attempts       int       // sends so far
	nextAt         time.Time // not before: the backoff
	id             int64     // the id the server acknowledged, 0 until then
	first          int       // the status of the first acknowledgement (201 stored, 200 already held)
}

func newTablet(t *testing.T, tlsDir, user string) *tablet {
	t.Helper()
	base := trusting(t, tlsDir).Transport.(*http.Transport)
	tr := &http.Transport{
		TLSClientConfig:   base.TLSClientConfig,
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}).DialContext,
		ForceAttemptHTTP2: true,
	}
	jar, _ := cookiejar.New(nil)
	return &tablet{user: user, client: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}}
}

// The tablet's backoff (web/static/tablet/outbox.js: 2 s doubling to 5
// min, equal jitter), scaled down so that the test runs in seconds.
const (
	tabletBaseDelay = 100 * time.Millisecond
	tabletMaxDelay  = 2 * time.Second
	tabletBatch     = 4                // items per sync: small, so that many requests are in flight at the kill
	tabletDeadline  = 90 * time.Second // a tablet gives up only after this
)

func tabletBackoff(attempt int) time.Duration {
	ceiling := min(tabletMaxDelay, tabletBaseDelay<<min(attempt-1, 10))
	return ceiling/2 + rand.N(ceiling/2+1)
}

// syncStats counts what the tablets saw.
type syncStats struct {
	requests, failed atomic.Int64 // sync requests; of them failed whole (no answer, or not 200)
	itemRetries      atomic.Int64 // items answered with a retryable status inside a 200
	resentItems      atomic.Int64 // items the tablet sent more than once
	alreadyHeld      atomic.Int64 // items whose first acknowledgement was 200: stored by an earlier send whose answer was lost
	acked            atomic.Int64
	statusesBefore   sync.Map // status or error text → count, for the log
}

func (s *syncStats) saw(what string) {
	v, _ := s.statusesBefore.LoadOrStore(what, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// finalStatus: statuses that sending the same item again will not change
// (outbox.js FINAL): the test's items are all valid, so each is a failure.
var finalStatus = map[int]bool{400: true, 403: true, 404: true, 409: true, 413: true, 422: true}

// run sends the tablet's outbox through POST /api/v1/sync until every item
// is acknowledged, as the tablet's outbox does: due items oldest first, a
// request that fails whole (no answer, a 5xx from nginx) retries all its
// items, an item answered with a retryable status retries alone, each with
// backoff, always with the same client id.
func (tb *tablet) run(t *testing.T, base string, st *syncStats, onAck func()) {
	deadline := time.Now().Add(tabletDeadline)
	for {
		now := time.Now()
		var due []*outboxItem
		var wake time.Time
		pending := 0
		for _, it := range tb.items {
			if it.id != 0 {
				continue
			}
			pending++
			if !it.nextAt.After(now) && len(due) < tabletBatch {
				due = append(due, it)
			} else if wake.IsZero() || it.nextAt.Before(wake) {
				wake = it.nextAt
			}
		}
		if pending == 0 {
			return
		}
		if now.After(deadline) {
			t.Errorf("%s gave up after %v with %d items unacknowledged", tb.user, tabletDeadline, pending)
			return
		}
		if len(due) == 0 {
			time.Sleep(time.Until(wake))
			continue
		}
		var body bytes.Buffer
		body.WriteString(`{"items":[`)
		for i, it := range due {
			if i > 0 {
				body.WriteByte(',')
			}
			fmt.Fprintf(&body, `{"type":%q,%q:%s}`, it.kind, it.kind, it.body)
			if it.attempts++; it.attempts == 2 {
				st.resentItems.Add(1)
			}
		}
		body.WriteString(`]}`)
		st.requests.Add(1)
		results, err := tb.sync(base, body.Bytes())
		if err != nil {
			st.failed.Add(1)
			st.saw(err.Error())
			for _, it := range due {
				it.nextAt = time.Now().Add(tabletBackoff(it.attempts))
			}
			continue
		}
		for i, it := range due {
			r := results[i]
			switch {
			case r.ClientID != it.clientID:
				t.Errorf("%s: result %d is for %q, sent %q", tb.user, i, r.ClientID, it.clientID)
				return
			case (r.Status == 200 || r.Status == 201) && r.ID > 0:
				it.id, it.first = r.ID, r.Status
				if r.Status == 200 {
					st.alreadyHeld.Add(1)
				}
				st.acked.Add(1)
				onAck()
			case finalStatus[r.Status]:
				t.Errorf("%s: %s %s refused: %d %+v", tb.user, it.kind, it.clientID, r.Status, r.Error)
				return
			default: // 503 busy and the like: the same item again later
				st.itemRetries.Add(1)
				st.saw(fmt.Sprintf("item %d", r.Status))
				it.nextAt = time.Now().Add(tabletBackoff(it.attempts))
			}
		}
	}
}

// sync posts one batch and returns its per-item results, or why the
// request as a whole has no usable answer.
func (tb *tablet) sync(base string, body []byte) ([]rounds.SyncResult, error) {
	res, err := tb.client.Post(base+"/api/v1/sync", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("no answer")
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("answer cut")
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	var v struct {
		Results []rounds.SyncResult `json:"results"`
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Results) != bytes.Count(body, []byte(`"client_id"`)) {
		return nil, fmt.Errorf("odd answer: %.200s", b)
	}
	return v.Results, nil
}

// TestNginxReplicas is the deployment test: Debian's nginx runs
// deploy/nginx/minyi.conf in front of two `minyi serve` replicas on one
// PostgreSQL database; 16 tablets sync visits and interviews through it
// over HTTPS while one replica is SIGKILLed a third of the way through.
// Every acknowledged item is stored exactly once, under the id it was
// acknowledged with, with its value rows and one audit entry, and every
// item is eventually stored. The tablet's first load through nginx is
// gzip'd.
func TestNginxReplicas(t *testing.T) {
	ngxBin := needTool(t, "nginx", "/usr/sbin/nginx")
	if os.Getenv(storetest.EnvPostgres) == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: in CI the replicas' test must run on PostgreSQL", storetest.EnvPostgres)
		}
		t.Skipf("%s is not set: replicas share one PostgreSQL database; skipping", storetest.EnvPostgres)
	}
	bin := buildMinyi(t)
	ctx := context.Background()
	dbURL := storetest.URL(t, store.Postgres)
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	// 8 streets of 2 sampled communities of 8 households: each of the 16
	// interviewers (int<s>a, int<s>b) gets one community.
	const streets, perCommunity = 8, 8
	f := fieldtest.New(t, db, fieldtest.Size{Streets: streets, CommunitiesPerStreet: 2, Households: 12, SampleCommunities: 2, PerCommunity: perCommunity})
	all, err := f.Service.Assignments(ctx, f.Caller("admin"), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byCommunity := map[int64][]store.Assignment{}
	var communities []int64 // in the order met, per street
	for _, a := range all {
		if byCommunity[a.CommunityID] == nil {
			communities = append(communities, a.CommunityID)
		}
		byCommunity[a.CommunityID] = append(byCommunity[a.CommunityID], a)
	}
	if len(communities) != 2*streets {
		t.Fatalf("%d sampled communities, want %d", len(communities), 2*streets)
	}
	tlsDir := localTLSDir(t, "127.0.0.1,localhost")
	var tablets []*tablet
	seen := map[int64]int{} // street → interviewers given a community
	yesterday := time.Now().Add(-26 * time.Hour).UTC().Truncate(time.Second)
	today := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	n := 0
	for _, c := range communities {
		as := byCommunity[c]
		s := slicesIndex(f.Streets, as[0].StreetID) + 1
		user := fmt.Sprintf("int%d%c", s, 'a'+seen[as[0].StreetID])
		seen[as[0].StreetID]++
		ids := make([]int64, len(as))
		for i, a := range as {
			ids[i] = a.ID
		}
		if _, err := f.Service.Assign(ctx, f.Caller(fmt.Sprintf("sup%d", s)), f.Round.ID, rounds.AssignRequest{Interviewer: user, AssignmentIDs: ids}); err != nil {
			t.Fatalf("assign community %d to %s: %v", c, user, err)
		}
		tb := newTablet(t, tlsDir, user)
		for _, a := range as {
			n++
			item := func(kind string, k int, v map[string]any) {
				id := fmt.Sprintf("50000000-0000-4000-8%03d-%012d", k, n)
				v["client_id"], v["assignment_id"] = id, a.ID
				b, _ := json.Marshal(v)
				tb.items = append(tb.items, &outboxItem{kind: kind, clientID: id, body: b})
			}
			// A household as the tablet records it: nobody home yesterday,
			// the interview today, its answers.
			item("visit", 1, map[string]any{"attempted_at": yesterday, "outcome": "no_one_home"})
			item("visit", 2, map[string]any{"attempted_at": today, "outcome": "interview"})
			item("response", 3, map[string]any{"questionnaire_version": f.Round.QuestionnaireVersion,
				"answers": json.RawMessage(fieldtest.Answers(n%2 == 0, n%3 == 0, [4]int{1 + n%5, 1 + n%4, 2, 1 + n%3}))})
		}
		tablets = append(tablets, tb)
	}
	db.Close()
	total := 3 * n

	// Two replicas on one database, as deploy/systemd/minyi@.service
	// starts them, and nginx in front.
	replicas := make([]*minyiProcess, 2)
	addrs := make([]string, 2)
	for i := range replicas {
		addrs[i] = freePort(t)
		replicas[i] = startServe(t, bin, dbURL, "--addr", addrs[i], "--trusted-proxies", "127.0.0.1",
			"--base-url", "https://minyi.example.gov.cn", "--no-demo")
	}
	ngx := startNginx(t, ngxBin, addrs, tlsDir)

	t.Run("config", func(t *testing.T) { checkNginxConfig(t, ngx, tlsDir) })
	t.Run("first load gzip", func(t *testing.T) { checkFirstLoad(t, ngx, tlsDir) })

	// Every tablet logs in through nginx, as a browser would (its Origin
	// names the host and port it typed, which minyi checks).
	for _, tb := range tablets {
		req, _ := http.NewRequest("POST", ngx.https+"/api/v1/login", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, tb.user, fieldtest.Password)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", ngx.https)
		res, err := tb.client.Do(req)
		if err != nil {
			t.Fatalf("login %s: %v", tb.user, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login %s: %d %s", tb.user, res.StatusCode, b)
		}
	}

	// The API's JSON is gzip'd too, and keeps minyi's no-store.
	res, err := tablets[0].client.Get(fmt.Sprintf("%s/api/v1/me/assignments?round=%d", ngx.https, f.Round.ID))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !res.Uncompressed || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /api/v1/me/assignments through nginx = %d, gzip'd on the wire %v, Cache-Control %q (%d bytes): want 200, gzip'd, no-store",
			res.StatusCode, res.Uncompressed, res.Header.Get("Cache-Control"), len(b))
	}

	// Sync. Once a third of the items are acknowledged, SIGKILL replica 0:
	// nginx sends what it had in flight, and everything after, to replica
	// 1, so the tablets need not notice. At two thirds, SIGKILL replica 1
	// too, and restart replica 0 a second later (as systemd's
	// Restart=on-failure would): meanwhile nginx has nowhere to send and
	// answers 502, and the tablets resend with backoff, the same items
	// under the same client ids, some of them already stored by replica 1.
	var st syncStats
	first, second := make(chan struct{}), make(chan struct{})
	var firstOnce, secondOnce sync.Once
	var ackedAtFirst, ackedAtSecond, heldAtSecond, failedAtSecond int64
	var resentAtSecond int
	onAck := func() {
		acked := st.acked.Load()
		if acked >= int64(total/3) {
			firstOnce.Do(func() {
				ackedAtFirst = acked
				replicas[0].kill()
				close(first)
			})
		}
		if acked >= int64(2*total/3) {
			<-first
			secondOnce.Do(func() {
				ackedAtSecond, heldAtSecond, failedAtSecond = acked, st.alreadyHeld.Load(), st.failed.Load()
				resentAtSecond, _ = nginxRetries(ngx)
				replicas[1].kill()
				close(second)
			})
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, tb := range tablets {
		wg.Go(func() { tb.run(t, ngx.https, &st, onAck) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-second:
		time.Sleep(time.Second)
		replicas[0] = startServe(t, bin, dbURL, "--addr", addrs[0], "--trusted-proxies", "127.0.0.1",
			"--base-url", "https://minyi.example.gov.cn", "--no-demo")
		<-done
	case <-done:
		t.Fatalf("the sync ended before both kills (%d of %d acknowledged)", st.acked.Load(), total)
	}
	took := time.Since(start)
	if t.Failed() {
		t.Fatalf("restarted replica 0's log:\n%s", replicas[0].stderr.String())
	}
	t.Logf("%d items (%d households: 2 visits and an interview each) from %d tablets through nginx in %v, %d sync requests of up to %d items",
		total, n, len(tablets), took.Round(time.Millisecond), st.requests.Load(), tabletBatch)
	resent, unanswered := nginxRetries(ngx)
	t.Logf("replica 0 SIGKILLed after %d acknowledged: nginx passed %d sync requests on to replica 1, which answered; %d items were first acknowledged 200 (stored by replica 0, its answer lost); %d sync requests failed at a tablet",
		ackedAtFirst, resentAtSecond, heldAtSecond, failedAtSecond)
	t.Logf("replica 1 SIGKILLed after %d acknowledged, replica 0 restarted a second later: nginx answered %d sync requests 502 and passed %d on to another replica; tablets resent %d items (%d item-level retries), %d more items first acknowledged 200 (stored before the kill, the answer lost)",
		ackedAtSecond, unanswered, resent-resentAtSecond, st.resentItems.Load(), st.itemRetries.Load(), st.alreadyHeld.Load()-heldAtSecond)
	st.statusesBefore.Range(func(k, v any) bool {
		t.Logf("  tablets saw %q %d times", k, v.(*atomic.Int64).Load())
		return true
	})

	// The tablets' receipts: /api/v1/sync/status holds every item under its
	// acknowledged id.
	for _, tb := range tablets {
		ids := make([]string, len(tb.items))
		for i, it := range tb.items {
			ids[i] = it.clientID
		}
		b, _ := json.Marshal(map[string]any{"client_ids": ids})
		res, err := tb.client.Post(ngx.https+"/api/v1/sync/status", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var v rounds.StatusResult
		err = json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		if err != nil || len(v.Missing) != 0 || len(v.Held) != len(ids) {
			t.Errorf("%s: sync/status = %+v, %v; want all %d held", tb.user, v, err, len(ids))
			continue
		}
		held := map[string]int64{}
		for _, h := range v.Held {
			held[h.Type+" "+h.ClientID] = h.ID
		}
		for _, it := range tb.items {
			if id := held[it.kind+" "+it.clientID]; id != it.id {
				t.Errorf("%s: %s %s held as id %d, acknowledged as id %d", tb.user, it.kind, it.clientID, id, it.id)
			}
		}
	}
	replicas[0].kill()

	// The database: each item once, under its acknowledged id, with its
	// value rows and one audit entry (from the tablet's address, which
	// nginx forwarded and minyi believed).
	db, err = store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := db.Reader()
	count := func(q string, args ...any) int {
		t.Helper()
		var c int
		if err := r.Get(&c, r.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tb := range tablets {
		for _, it := range tb.items {
			table, action, values := "visits", "visit.record", 0
			if it.kind == "response" {
				table, action, values = "responses", "response.submit", fieldtest.Indicators
			}
			var ids []int64
			if err := r.Select(&ids, r.Rebind(`SELECT id FROM `+table+` WHERE client_id = ?`), it.clientID); err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 || ids[0] != it.id {
				t.Errorf("%s %s acknowledged as id %d is stored as %v", it.kind, it.clientID, it.id, ids)
				continue
			}
			audits := count(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE ? AND ip = '127.0.0.2'`, action, `%"client_id":"`+it.clientID+`"%`)
			if it.kind == "response" {
				if c := count(`SELECT COUNT(*) FROM responses WHERE id = ? AND status = 'accepted'`, it.id); c != 1 {
					t.Errorf("response %d is not accepted", it.id)
				}
				if c := count(`SELECT COUNT(*) FROM response_values WHERE response_id = ?`, it.id); c != values {
					t.Errorf("response %d has %d value rows, want %d", it.id, c, values)
				}
			}
			if audits != 1 {
				t.Errorf("%s %s (id %d) has %d audit entries from 127.0.0.2, want 1", it.kind, it.clientID, it.id, audits)
			}
		}
	}
	if v, rs := count(`SELECT COUNT(*) FROM visits`), count(`SELECT COUNT(*) FROM responses`); v != 2*n || rs != n {
		t.Errorf("%d visits and %d responses stored, want %d and %d", v, rs, 2*n, n)
	}
}

func slicesIndex(streets []store.Street, id int64) int {
	for i, s := range streets {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// nginxRetries reads nginx's access log (it lists each attempt's replica,
// comma-separated): how many sync requests nginx passed to a second
// replica after the first failed and got answered there, and how many it
// answered 502 itself, no replica being up.
func nginxRetries(ngx *nginx) (resent, unanswered int) {
	b, _ := os.ReadFile(filepath.Join(ngx.dir, "access.log"))
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, " POST /api/v1/sync ") {
			continue
		}
		switch {
		case strings.HasPrefix(l, "200 ") && strings.Contains(l, ", "):
			resent++
		case strings.HasPrefix(l, "502 "):
			unanswered++
		}
	}
	return resent, unanswered
}

// checkNginxConfig checks what the running config promises besides
// proxying: plain HTTP redirects to HTTPS, HSTS, a body over minyi's upload
// limit refused by nginx, and that limit equal to minyi's.
func checkNginxConfig(t *testing.T, ngx *nginx, tlsDir string) {
	conf, err := os.ReadFile(nginxConf)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(uploadLimit)
	if err != nil {
		t.Fatal(err)
	}
	mine := regexp.MustCompile(`defaultUploadLimit\s*=\s*(\d+)\s*<<\s*20\b`).FindSubmatch(src)
	theirs := regexp.MustCompile(`(?m)^\s*client_max_body_size\s+(\d+)m;`).FindSubmatch(conf)
	if mine == nil || theirs == nil || string(mine[1]) != string(theirs[1]) {
		t.Errorf("client_max_body_size %q MB in %s, minyi's upload limit %q MB in %s: keep them equal", theirs, nginxConf, mine, uploadLimit)
	}

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	res, err := c.Get(ngx.http + "/t/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://127.0.0.1") || !strings.HasSuffix(loc, "/t/") {
		t.Errorf("plain HTTP /t/ = %d Location %q, want 301 to https://…/t/", res.StatusCode, loc)
	}

	// A register over the limit: nginx refuses it from its Content-Length
	// alone, before any of the body is sent.
	conn, err := tls.Dial("tcp", strings.TrimPrefix(ngx.https, "https://"), trusting(t, tlsDir).Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/frames HTTP/1.1\r\nHost: %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n",
		strings.TrimPrefix(ngx.https, "https://"), 256<<20+1)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.HasPrefix(res.Header.Get("Server"), "nginx") {
		t.Errorf("a register of 256 MB + 1 byte = %d from %q, want 413 from nginx", res.StatusCode, res.Header.Get("Server"))
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("HTTPS answers without Strict-Transport-Security (%q)", hsts)
	}
}

// checkFirstLoad fetches the tablet's page and the modules and styles it
// links through nginx, as raw bytes on the wire, without and with
// Accept-Encoding: gzip.
func checkFirstLoad(t *testing.T, ngx *nginx, tlsDir string) {
	base := trusting(t, tlsDir).Transport.(*http.Transport)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: base.TLSClientConfig, DisableCompression: true}, Timeout: 10 * time.Second}
	get := func(path string, gz bool, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", ngx.https+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	_, page := get("/t/", false)
	paths := []string{"/t/"}
	for _, m := range regexp.MustCompile(`(?:href|src)="(/t/[^"]+\.(?:js|css))"`).FindAllSubmatch(page, -1) {
		paths = append(paths, string(m[1]))
	}
	if len(paths) < 4 {
		t.Fatalf("/t/ links %v: want its modules and styles", paths)
	}
	var plain, zipped int
	for _, p := range paths {
		res, raw := get(p, false)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("GET %s without gzip = %d, Content-Encoding %q", p, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		resz, z := get(p, true)
		if resz.StatusCode != http.StatusOK || resz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip = %d, Content-Encoding %q (%s)", p, resz.StatusCode, resz.Header.Get("Content-Encoding"), resz.Header.Get("Content-Type"))
			continue
		}
		if !strings.Contains(resz.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s gzip'd without Vary: Accept-Encoding", p)
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		unz, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(unz, raw) {
			t.Errorf("GET %s: gzip'd body does not inflate to the plain one (%v)", p, err)
		}
		// minyi's caching passes through: no-cache with its ETag (weak
		// once gzip'd), and revalidation answers 304 through nginx.
		if cc := resz.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q through nginx, want minyi's no-cache", p, cc)
		}
		if etag := resz.Header.Get("ETag"); etag == "" {
			t.Errorf("GET %s: no ETag through nginx", p)
		} else if res304, _ := get(p, true, "If-None-Match", etag); res304.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s If-None-Match %s = %d, want 304", p, etag, res304.StatusCode)
		}
		plain += len(raw)
		zipped += len(z)
	}
	t.Logf("the tablet's first load through nginx (%d files: %s): %d bytes plain, %d bytes gzip'd (%.0f%%)",
		len(paths), strings.Join(paths, " "), plain, zipped, 100*float64(zipped)/float64(plain))
	if zipped*5 > plain*2 {
		t.Errorf("gzip'd first load is %d bytes of %d: want under 40%%", zipped, plain)
	}
}

// TestNginxSystemdUnits checks deploy/systemd's units (named with the
// nginx test so that one -run TestNginx runs the deployment's tests): the
// hardening and restart settings the README promises, flags that minyi
// serve knows, and `systemd-analyze verify` where it is installed (systemd
// cannot run here, but its parser can read the units).
func TestNginxSystemdUnits(t *testing.T) {
	known := map[string]bool{}
	for _, s := range config.Settings {
		known[s.Flag] = true
	}
	units := map[string][]string{
		"minyi.service":  nil,
		"minyi@.service": {"--addr 127.0.0.1:%i", "--trusted-proxies 127.0.0.1"},
	}
	must := []string{
		"StateDirectory=minyi", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
		"Restart=on-failure", "DynamicUser=yes", "EnvironmentFile=-/etc/minyi/minyi.env", "ExecStart=/usr/local/bin/minyi serve ",
		"WantedBy=multi-user.target",
	}
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for name, flags := range units {
		b, err := os.ReadFile(filepath.Join(systemdDir, name))
		if err != nil {
			t.Fatal(err)
		}
		unit := string(b)
		for _, m := range append(must, flags...) {
			if !strings.Contains(unit, m) {
				t.Errorf("%s lacks %q", name, m)
			}
		}
		start := regexp.MustCompile(`(?m)^ExecStart=\S+ serve (.*)$`).FindStringSubmatch(unit)
		if start == nil {
			t.Fatalf("%s: no ExecStart=… serve", name)
		}
		for _, f := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(start[1], -1) {
			if !known[f[1]] {
				t.Errorf("%s: ExecStart gives --%s, which minyi serve does not know", name, f[1])
			}
		}
		// verify wants the program to exist: any executable will do.
		file := filepath.Join(dir, strings.Replace(name, "@.", "@8081.", 1))
		if err := os.WriteFile(file, []byte(strings.ReplaceAll(unit, "/usr/local/bin/minyi", self)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze is not installed: the units' syntax is not verified (apt-get install systemd)")
		return
	}
	var stderr bytes.Buffer
	cmd := exec.Command(analyze, append([]string{"verify", "--man=no"}, files...)...)
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	err = cmd.Run()
	var warnings []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "minyi") { // not the host's own units
			warnings = append(warnings, l)
		}
	}
	if err != nil || len(warnings) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, strings.Join(warnings, "\n"))
		return
	}
	t.Logf("systemd-analyze verify: %d units, no warnings", len(files))
}
