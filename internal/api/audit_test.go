package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestChangesAreAuditedWithTheChange: every state-changing API call leaves
// exactly one audit entry, by the logged-in admin through the API with the
// request id and address, when it succeeds, and none when it fails (the
// entry is written in the change's transaction).
func TestChangesAreAuditedWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, base, store.RoleAdmin)
		count := func(action, object string) int {
			t.Helper()
			es, err := db.AuditLog(context.Background(), 1000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range es {
				if e.Action != action || e.ObjectID != object {
					continue
				}
				if e.Via != "api" || e.Username != "admin" || e.RequestID == "" || e.IP != "127.0.0.1" {
					t.Errorf("%s %s: entry %+v, want via api by admin with request id and ip", action, object, e)
				}
				n++
			}
			return n
		}
		var csv strings.Builder
		csv.WriteString("街道,社区,门牌号\n")
		for i := range 120 {
			fmt.Fprintf(&csv, "城关街道,社区%d,%d号\n", i%4, i)
		}
		src, _ := servertest.ShippedSurvey(t)
		steps := []struct {
			name           string
			call           func() int
			ok             bool
			action, object string
		}{
			{"bad frame", func() int {
				s, _ := servertest.Upload(t, admin, base, "bad.csv", "街道,社区,门牌号\nA,,1\n", nil)
				return s
			}, false, "frame.import", "1"},
			{"frame", func() int { s, _ := servertest.Upload(t, admin, base, "f.csv", csv.String(), nil); return s }, true, "frame.import", "1"},
			{"draw", func() int {
				r, _ := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"q4","design":"two-stage","n":20,"per_community":10,"seed":"7"}`)
				return r.StatusCode
			}, true, "sample.draw", "q4"},
			{"draw again", func() int {
				r, _ := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"q4","design":"two-stage","n":20,"per_community":10,"seed":"8"}`)
				return r.StatusCode
			}, false, "sample.draw", "q4"},
			{"publish without draft", func() int {
				r, _ := servertest.Send(t, admin, "POST", base+"/api/v1/surveys/wenming-household/publish", "", "", nil)
				return r.StatusCode
			}, false, "survey.publish", "wenming-household"},
			{"import", func() int {
				r, _ := servertest.Send(t, admin, "POST", base+"/api/v1/surveys", "application/yaml", src, nil)
				return r.StatusCode
			}, true, "survey.import", "wenming-household"},
			{"publish", func() int {
				r, _ := servertest.Send(t, admin, "POST", base+"/api/v1/surveys/wenming-household/publish", "", "", nil)
				return r.StatusCode
			}, true, "survey.publish", "wenming-household"},
			{"import identical", func() int {
				r, _ := servertest.Send(t, admin, "POST", base+"/api/v1/surveys", "application/yaml", src, nil)
				return r.StatusCode
			}, false, "survey.import", "wenming-household"},
			{"publish again", func() int {
				r, _ := servertest.Send(t, admin, "POST", base+"/api/v1/surveys/wenming-household/publish", "", "", nil)
				return r.StatusCode
			}, false, "survey.publish", "wenming-household"},
		}
		for _, st := range steps {
			before := count(st.action, st.object)
			status := st.call()
			if (status < 300) != st.ok {
				t.Fatalf("%s: status %d, want success %v", st.name, status, st.ok)
			}
			want := before
			if st.ok {
				want++
			}
			if got := count(st.action, st.object); got != want {
				t.Errorf("%s: %d %s entries, want %d", st.name, got, st.action, want)
			}
		}
	})
}
