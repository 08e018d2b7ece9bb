package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// TestNginxReplicas is the deployment test: Debian's nginx runs
// deploy/nginx/minyi.conf in front of two `minyi serve` replicas on one
// PostgreSQL database; 16 tablets sync visits and interviews through it
// over HTTPS while one replica is SIGKILLed a third of the way through
// (and, at two thirds, the other, with the first restarted). Every
// acknowledged item is stored exactly once, under the id it was
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
		s := slices.IndexFunc(f.Streets, func(st store.Street) bool { return st.ID == as[0].StreetID }) + 1
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
	if failedAtSecond != 0 {
		// With one replica left, nginx must hide the kill: what was in
		// flight to replica 0 goes on to replica 1 (non_idempotent).
		t.Errorf("%d sync requests failed at a tablet while replica 1 was up: nginx did not pass them on", failedAtSecond)
	}
	st.seen.Range(func(k, v any) bool {
		t.Logf("  tablets saw %q %d times", k, v.(*atomic.Int64).Load())
		return true
	})

	checkReceipts(t, ngx.https, tablets)
	replicas[0].kill()
	checkStoredOnce(t, dbURL, tablets, n)
}

// checkReceipts asks, as each tablet does after a sync, which of its items
// the server holds (POST /api/v1/sync/status): all of them, each under the
// id it was acknowledged with.
func checkReceipts(t *testing.T, base string, tablets []*tablet) {
	for _, tb := range tablets {
		ids := make([]string, len(tb.items))
		for i, it := range tb.items {
			ids[i] = it.clientID
		}
		b, _ := json.Marshal(map[string]any{"client_ids": ids})
		res, err := tb.client.Post(base+"/api/v1/sync/status", "application/json", bytes.NewReader(b))
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
}

// checkStoredOnce checks the database: each item stored once, under its
// acknowledged id, with its value rows and one audit entry from the
// tablet's address (127.0.0.2: nginx forwarded it in X-Forwarded-For and
// minyi believed it from its trusted proxy); n households in all.
func checkStoredOnce(t *testing.T, dbURL string, tablets []*tablet, n int) {
	db, err := store.Open(context.Background(), dbURL)
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
			var audits []string // the address of each audit entry
			if err := r.Select(&audits, r.Rebind(`SELECT ip FROM audit_log WHERE action = ? AND detail LIKE ?`), action, `%"client_id":"`+it.clientID+`"%`); err != nil {
				t.Fatal(err)
			}
			if it.kind == "response" {
				if c := count(`SELECT COUNT(*) FROM responses WHERE id = ? AND status = 'accepted'`, it.id); c != 1 {
					t.Errorf("response %d is not accepted", it.id)
				}
				if c := count(`SELECT COUNT(*) FROM response_values WHERE response_id = ?`, it.id); c != values {
					t.Errorf("response %d has %d value rows, want %d", it.id, c, values)
				}
			}
			if len(audits) != 1 || audits[0] != "127.0.0.2" {
				t.Errorf("%s %s (id %d) has audit entries from %q, want one from 127.0.0.2", it.kind, it.clientID, it.id, audits)
			}
		}
	}
	if v, rs := count(`SELECT COUNT(*) FROM visits`), count(`SELECT COUNT(*) FROM responses`); v != 2*n || rs != n {
		t.Errorf("%d visits and %d responses stored, want %d and %d", v, rs, 2*n, n)
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
