package dashboard_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// A round of simulated data says so on its dashboard and its report, so
// that nobody takes its figures for fieldwork; a fieldwork round does not.
func TestDashboardMarksSimulatedRounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f)
		analyst := servertest.LoginAs(t, base, "analyst")
		round := fmt.Sprintf("%s/rounds/%d", base, f.Round.ID)
		check := func(want bool) {
			t.Helper()
			for _, page := range []string{round, round + "/report"} {
				status, _, _, body := servertest.GetPage(t, analyst, page)
				if status != http.StatusOK || strings.Contains(body, "data-simulated") != want {
					t.Errorf("%s = %d, marked simulated: %v, want %v", page, status, !want, want)
				}
			}
		}
		check(false)
		if status, b := servertest.Call(t, servertest.LoginAs(t, base, "admin"), "POST", fmt.Sprintf("%s/api/v1/rounds/%d/simulated", base, f.Round.ID), "{}"); status != http.StatusOK {
			t.Fatalf("mark simulated = %d %s", status, b)
		}
		check(true)
	})
}

// Only a round in the field refreshes itself and says so; a closed round's
// dashboard keeps its figures until the refresh link is used.
func TestDashboardRefreshesOnlyInTheField(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	servertest.SeedAccessObjects(t, f)
	analyst := servertest.LoginAs(t, base, "analyst")
	page := fmt.Sprintf("%s/rounds/%d", base, f.Round.ID)
	if _, _, _, body := servertest.GetPage(t, analyst, page); !strings.Contains(body, `id="refresh-note"`) {
		t.Error("a round in the field: no note that the page refreshes itself")
	}
	if status, b := servertest.Call(t, servertest.LoginAs(t, base, "admin"), "POST", fmt.Sprintf("%s/api/v1/rounds/%d/close", base, f.Round.ID), `{"force":true}`); status != http.StatusOK {
		t.Fatalf("close = %d %s", status, b)
	}
	if _, _, _, body := servertest.GetPage(t, analyst, page); strings.Contains(body, `id="refresh-note"`) || !strings.Contains(body, `id="refresh-now"`) {
		t.Error("a closed round: the page says it refreshes itself, or has no refresh link")
	}
}

// The report's methods name the variance estimator of its figures: the
// two-stage without-replacement one of the round's sample.
func TestReportNamesVariance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f)
		analyst := servertest.LoginAs(t, base, "analyst")
		status, _, _, body := servertest.GetPage(t, analyst, fmt.Sprintf("%s/rounds/%d/report", base, f.Round.ID))
		if status != http.StatusOK || !strings.Contains(body, `data-variance="wor"`) || !strings.Contains(body, "pps = &#34;brewer&#34;") && !strings.Contains(body, `pps = "brewer"`) && !strings.Contains(body, "不放回") {
			i := strings.Index(body, "methods-variance")
			t.Fatalf("report = %d, methods: %.400s", status, body[max(0, i):])
		}
	})
}
