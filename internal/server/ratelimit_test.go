package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestClientIP(t *testing.T) {
	proxies, err := config.ParseProxies("10.0.0.1, 192.168.10.0/24")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		trusted     []*net.IPNet
		remote, xff string
		realIP      string
		want        string
	}{
		{"no proxies: the header is ignored", nil, "203.0.113.1:5000", "198.51.100.9", "198.51.100.8", "203.0.113.1"},
		{"no proxies, loopback peer: still ignored", nil, "127.0.0.1:5000", "198.51.100.9", "", "127.0.0.1"},
		{"trusted proxy: its header counts", proxies, "10.0.0.1:5000", "198.51.100.9", "", "198.51.100.9"},
		{"trusted proxy: rightmost untrusted hop", proxies, "10.0.0.1:5000", "6.6.6.6, 198.51.100.9, 192.168.10.5", "", "198.51.100.9"},
		{"untrusted peer claiming a header", proxies, "203.0.113.1:5000", "198.51.100.9", "", "203.0.113.1"},
		{"private peer not configured", proxies, "172.16.0.1:5000", "198.51.100.9", "", "172.16.0.1"},
		{"loopback peer not configured", proxies, "127.0.0.1:5000", "198.51.100.9", "", "127.0.0.1"},
		{"X-Real-IP is never believed", proxies, "10.0.0.1:5000", "", "198.51.100.8", "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set(echo.HeaderXForwardedFor, tt.xff)
			}
			if tt.realIP != "" {
				r.Header.Set(echo.HeaderXRealIP, tt.realIP)
			}
			if got := server.ClientIP(tt.trusted)(r); got != tt.want {
				t.Fatalf("client = %q, want %q", got, tt.want)
			}
		})
	}
}

// tryLogin posts a login with extra headers and returns the status, the
// Retry-After header and the error message.
func tryLogin(t *testing.T, url, user, pw string, hdr map[string]string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/login", strings.NewReader(`{"username":"`+user+`","password":"`+pw+`"}`))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var eb server.ErrorBody
	if res.StatusCode >= 400 {
		if err := servertest.DecodeJSON(res, &eb); err != nil {
			t.Fatalf("login error body: %v", err)
		}
	}
	return res.StatusCode, res.Header.Get("Retry-After"), eb.Error.Message
}

// TestLoginLimitsAcrossServers: two serve processes on one database share
// both limits, answer 429 with Retry-After and say when to retry.
func TestLoginLimitsAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		servertest.SeedUsers(t, db)
		cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}
		_, a, _ := servertest.StartServer(t, db, cfg)
		_, b, _ := servertest.StartServer(t, db, cfg)
		servers := []string{a, b}

		// Per account: the free failures alternate between the servers, the
		// next attempt on either must wait, even with the right password.
		for i := range auth.DefaultLimits.PairFree {
			if st, _, _ := tryLogin(t, servers[i%2], "analyst", "wrong-guess", nil); st != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d", i+1, st)
			}
		}
		for _, url := range servers {
			st, ra, msg := tryLogin(t, url, "analyst", "password-analyst", nil)
			if st != http.StatusTooManyRequests || ra == "" || !strings.Contains(msg, "try again in") {
				t.Fatalf("after %d failures: %d Retry-After %q %q", auth.DefaultLimits.PairFree, st, ra, msg)
			}
			if n, err := strconv.Atoi(ra); err != nil || n < 1 || n > 2 {
				t.Fatalf("Retry-After = %q, want 1–2 s", ra)
			}
		}
		time.Sleep(2100 * time.Millisecond)
		if st, _, _ := tryLogin(t, b, "analyst", "password-analyst", nil); st != http.StatusOK {
			t.Fatalf("owner's login after the wait = %d", st)
		}

		// Per address: failures with ever new names, spread over both servers.
		for i := range auth.DefaultLimits.AddrFailures - auth.DefaultLimits.PairFree {
			if st, _, _ := tryLogin(t, servers[i%2], fmt.Sprintf("guess%d", i), "wrong-guess", nil); st != http.StatusUnauthorized {
				t.Fatalf("address failure %d = %d", i+1, st)
			}
		}
		st, ra, msg := tryLogin(t, a, "admin", "password-admin", nil)
		if st != http.StatusTooManyRequests || ra == "" || !strings.Contains(msg, "UTC") {
			t.Fatalf("address over its limit = %d %q %q", st, ra, msg)
		}
		if n, _ := strconv.Atoi(ra); n < 60 || n > int(auth.DefaultLimits.AddrWindow.Seconds()) {
			t.Fatalf("Retry-After = %q, want the rest of the window", ra)
		}
	})
}

// TestConcurrentGuessesAcrossServers (issue 23 item 1): thirty wrong
// guesses at one account sent at once, half to each of two servers on one
// database, get exactly the free failures' password checks; the rest are
// 429. (Before, the counters were read before the slow check and written
// after it, and all thirty were checked.)
func TestConcurrentGuessesAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		servertest.SeedUsers(t, db)
		cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}
		_, a, _ := servertest.StartServer(t, db, cfg)
		_, b, _ := servertest.StartServer(t, db, cfg)
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				st, _, _ := tryLogin(t, []string{a, b}[i%2], "analyst", "wrong-guess", nil)
				mu.Lock()
				counts[st]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if counts[http.StatusUnauthorized] != auth.DefaultLimits.PairFree || counts[http.StatusTooManyRequests] != 30-auth.DefaultLimits.PairFree {
			t.Errorf("answers %v, want %d × 401 and the rest 429", counts, auth.DefaultLimits.PairFree)
		}
	})
}

// TestLoginLimitNotSpoofable: without trusted proxies, forged
// X-Forwarded-For and X-Real-IP headers neither bypass the address limit
// nor reach the audit log; behind a trusted proxy its header is the client.
func TestLoginLimitNotSpoofable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	var last int
	for i := range auth.DefaultLimits.AddrFailures + 1 {
		forged := fmt.Sprintf("198.51.100.%d", i+1)
		last, _, _ = tryLogin(t, url, fmt.Sprintf("guess%d", i), "wrong-guess", map[string]string{"X-Forwarded-For": forged, "X-Real-IP": forged})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("attempt %d with forged addresses = %d, want 429", auth.DefaultLimits.AddrFailures+1, last)
	}
	all, err := db.AuditLog(context.Background(), 100)
	var es []store.AuditEntry
	for _, e := range all {
		if e.Action != "user.create" { // the test server's accounts
			es = append(es, e)
		}
	}
	if err != nil || len(es) != auth.DefaultLimits.AddrFailures {
		t.Fatalf("audit: %d entries, %v", len(es), err)
	}
	for _, e := range es {
		if e.Action != "login.failed" || e.IP != "127.0.0.1" || e.Via != "api" || e.RequestID == "" {
			t.Fatalf("audit entry %+v: want the connection's address", e)
		}
	}

	db2 := storetest.Open(t, store.SQLite)
	servertest.SeedUsers(t, db2)
	proxies, _ := config.ParseProxies("127.0.0.1")
	_, url2, _ := servertest.StartServer(t, db2, config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30, TrustedProxies: proxies})
	if st, _, _ := tryLogin(t, url2, "admin", "password-admin", map[string]string{"X-Forwarded-For": "203.0.113.77"}); st != http.StatusOK {
		t.Fatalf("login behind the proxy = %d", st)
	}
	es, _ = db2.AuditLog(context.Background(), 1)
	if len(es) != 1 || es[0].Action != "login" || es[0].IP != "203.0.113.77" {
		t.Fatalf("audit behind a trusted proxy = %+v", es)
	}
}
