package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/servertest"
)

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
	return &tablet{user: user, client: &http.Client{Transport: servertest.SameOrigin(tr), Jar: jar, Timeout: 30 * time.Second}}
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
	seen             sync.Map // status or error text → count, for the log
}

func (s *syncStats) saw(what string) {
	v, _ := s.seen.LoadOrStore(what, new(atomic.Int64))
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
		results, err := tb.sync(base, body.Bytes(), len(due))
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
				it.id = r.ID
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
func (tb *tablet) sync(base string, body []byte, items int) ([]rounds.SyncResult, error) {
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
	if err := json.Unmarshal(b, &v); err != nil || len(v.Results) != items {
		return nil, fmt.Errorf("odd answer: %.200s", b)
	}
	return v.Results, nil
}
