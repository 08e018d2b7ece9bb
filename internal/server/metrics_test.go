package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestBusyAndMetrics: a write the database aborts once because of
// concurrent writers is run again and answers as if nothing happened, the
// store's warning carrying the request's id; one aborted on every attempt
// answers 503 busy with Retry-After and a message without the driver's
// text; and GET /api/v1/metrics shows the administrator both.
func TestBusyAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, url, logs := servertest.NewTestServer(t, db)
		deadlock := &pq.Error{Code: "40P01", Message: "deadlock detected"}
		write := func(aborts int) echo.HandlerFunc {
			return func(c echo.Context) error {
				n := 0
				err := s.DB().Tx(c.Request().Context(), func(*sqlx.Tx) error {
					if n++; n <= aborts {
						return deadlock
					}
					return nil
				})
				if err != nil {
					return err
				}
				return c.JSON(http.StatusOK, map[string]int{"runs": n})
			}
		}
		s.Echo().POST("/test/once", write(1))
		s.Echo().POST("/test/always", write(100))

		res, err := http.Post(url+"/test/once", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		rid := res.Header.Get(echo.HeaderXRequestID)
		if res.StatusCode != http.StatusOK || string(bytes.TrimSpace(b)) != `{"runs":2}` {
			t.Errorf("aborted once = %d %s, want 200 after 2 runs", res.StatusCode, b)
		}
		logged := logs.String()
		if !strings.Contains(logged, `"msg":"transaction aborted, running it again","cause":"deadlock","attempt":1`) || !strings.Contains(logged, `"request_id":"`+rid+`"`) {
			t.Errorf("the warning lacks the cause, attempt or request id %s:\n%s", rid, logged)
		}

		res, err = http.Post(url+"/test/always", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(res.Body)
		res.Body.Close()
		var eb server.ErrorBody
		if err := json.Unmarshal(b, &eb); err != nil {
			t.Fatalf("body %s", b)
		}
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "1" || eb.Error.Code != "busy" ||
			!strings.Contains(eb.Error.Message, "nothing was stored") || eb.Error.RequestID == "" || strings.Contains(string(b), "deadlock") {
			t.Errorf("aborted every time = %d Retry-After %q %s; want 503, 1, busy, a message without the driver's text", res.StatusCode, res.Header.Get("Retry-After"), b)
		}

		admin := servertest.Client(t)
		if res, eb := servertest.PostJSON(t, admin, url+"/api/v1/login", `{"username":"admin","password":"password-admin"}`); res.StatusCode != 200 {
			t.Fatalf("login: %d %+v", res.StatusCode, eb)
		}
		res, err = admin.Get(url + "/api/v1/metrics")
		if err != nil {
			t.Fatal(err)
		}
		var m server.MetricsAnswer
		err = json.NewDecoder(res.Body).Decode(&m)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("metrics = %d, %v", res.StatusCode, err)
		}
		tx := m.Transactions
		if m.Database != string(db.Dialect()) || tx.Aborted.Deadlock != 5 || tx.Retried != 4 || tx.GaveUp != 1 || m.Connections.Open < 1 {
			t.Errorf("metrics %+v; want 5 deadlocks (1 + 4), 4 run again (1 + 3), 1 given up", m)
		}
	})
}
