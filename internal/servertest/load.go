package servertest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/store"
)

// FieldServer serves db (which holds a fieldtest district) over real HTTP
// and returns its base URL. Each call is its own Server, as a separate
// `minyi serve` process would be.
func FieldServer(t testing.TB, db *store.DB) string {
	t.Helper()
	ts := httptest.NewServer(fieldHandler(t, db))
	t.Cleanup(ts.Close)
	return ts.URL
}

// fieldHandler is a new Server on db, logging errors only.
func fieldHandler(t testing.TB, db *store.DB) http.Handler {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}
	s, err := server.New(cfg, db, auth.NewService(db, auth.NewSecret(), time.Hour), log)
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler()
}

// FieldServerTLS is FieldServer over HTTPS (a TLS listener with a test
// certificate, as serve --tls-local has one) and the transport that trusts
// it.
func FieldServerTLS(t testing.TB, db *store.DB) (string, *http.Transport) {
	t.Helper()
	ts := httptest.NewTLSServer(fieldHandler(t, db))
	t.Cleanup(ts.Close)
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return ts.URL, tr
}

// FieldClient logs a fixture account in on baseURL. The client is shared
// by many goroutines (http.Client and its cookie jar are safe for that)
// and keeps enough idle connections for all of them.
func FieldClient(t testing.TB, baseURL, username string) *http.Client {
	return FieldClientWith(t, baseURL, username, &http.Transport{MaxIdleConnsPerHost: 64})
}

// FieldClientWith is FieldClient over transport tr (one that trusts a TLS
// test server).
func FieldClientWith(t testing.TB, baseURL, username string, tr *http.Transport) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	// The timeout is generous: under -race on a loaded machine, requests
	// queue for SQLite's one writer for many seconds.
	c := &http.Client{Jar: jar, Timeout: 5 * time.Minute, Transport: SameOrigin(tr)}
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, fieldtest.Password)
	res, err := c.Post(baseURL+"/api/v1/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login %s = %d", username, res.StatusCode)
	}
	return c
}
