package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// Bad dashboard queries are 422 with the field named; a community's page
// follows its street's scope; the English page is in English.
func TestDashboardQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f)
		round := fmt.Sprintf("/rounds/%d", f.Round.ID)
		analyst := servertest.LoginAs(t, base, "analyst")
		for _, c := range []struct{ path, field string }{
			{round + "?sort=nosuch", "sort"},
			{round + "?sort=a%20b", "sort"},
			{round + "?dir=up", "dir"},
			{round + "?target=2", "target"},
			{round + "?target=abc", "target"},
			{round + "?show=nosuch", "show"},
			{round + "?domain=ZZ:1", "domain"},
			{round + "?domain=A2:9", "domain"},
			{round + "?domain=Q1:1", "domain"}, // a satisfaction item, not a group
			{round + "/compare?with=abc", "with"},
			{round + "/compare?with=999999", "with"},
			{fmt.Sprintf("%s/compare?with=%d", round, f.Round.ID), "with"},
		} {
			status, _, _, body := servertest.GetPage(t, analyst, base+c.path)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.field) {
				t.Errorf("%s = %d, want 422 naming %s\n%.400s", c.path, status, c.field, body)
			}
		}
		ctx := context.Background()
		comms, err := db.RoundCommunities(ctx, f.Round.ID, store.Scope{StreetID: f.Streets[0].ID})
		if err != nil || len(comms) == 0 {
			t.Fatalf("communities %v (%v)", comms, err)
		}
		path := fmt.Sprintf("%s/communities/%d", round, comms[0].ID)
		for who, want := range map[string]int{"analyst": 200, "admin": 200, "sup1": 200, "sup2": 404, "int1a": 403} {
			if status, _, _, body := servertest.GetPage(t, servertest.LoginAs(t, base, who), base+path); status != want {
				t.Errorf("%s as %s = %d, want %d\n%.300s", path, who, status, want, body)
			}
		}
		status, _, _, body := servertest.GetPage(t, analyst, base+round+"?lang=en")
		if status != 200 || !strings.Contains(body, "Fieldwork and response rates") || !strings.Contains(body, "Street league table") {
			t.Errorf("English dashboard = %d\n%.400s", status, body)
		}
		// The export links name the export API of the round, and every one
		// of them downloads a file, for an analyst and for the street's
		// supervisor.
		if !strings.Contains(body, fmt.Sprintf("/api/v1/rounds/%d/export/responses?format=csv", f.Round.ID)) {
			t.Error("no export link on the dashboard")
		}
		links := regexp.MustCompile(`href="(/api/v1/rounds/\d+/export/[^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(links) < 4 {
			t.Fatalf("%d export links on the dashboard, want every export", len(links))
		}
		sup1 := servertest.LoginAs(t, base, "sup1")
		for _, l := range links {
			href := html.UnescapeString(l[1])
			for who, c := range map[string]*http.Client{"analyst": analyst, "sup1": sup1} {
				res, err := c.Get(base + href)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || len(b) == 0 {
					t.Errorf("%s as %s = %d %q, %d bytes, want a download\n%.300s", href, who, res.StatusCode, res.Header.Get("Content-Disposition"), len(b), b)
				}
			}
		}
	})
}

// The dashboard reflects a submission within seconds: its refresh (every
// 20 s, or at once by the link) fetches the page again and swaps in the
// new figures without a reload.
func TestDashboardRefresh(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	f.AssignStreet(t, 1)
	f.AssignStreet(t, 2)
	u := servertest.NewOfficeUI(t, base)
	u.Login("analyst")
	u.Open(fmt.Sprintf("/rounds/%d", f.Round.ID))
	const interviews = `document.querySelector('#field-street tfoot td:nth-of-type(3)').textContent.trim()`
	var before string
	u.Run("read interviews", webtest.Eval(interviews, &before))
	if before != "0" {
		t.Fatalf("interviews before = %q", before)
	}
	var marker bool
	u.Run("mark the page", webtest.Eval(`window.notReloaded = true`, &marker))

	ctx := context.Background()
	mine, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	end := at.Add(20 * time.Minute)
	if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{ClientID: "00000000-0000-4000-8000-0000000000a1", AssignmentID: mine[0].ID, AttemptedAt: at, Outcome: "interview"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Submit(ctx, f.Caller("int1a"), rounds.ResponseRequest{ClientID: "00000000-0000-4000-8000-0000000000a2", AssignmentID: mine[0].ID,
		QuestionnaireVersion: 1, Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 2, 1})), StartedAt: &at, CompletedAt: &end}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	u.Run("refresh", webtest.WaitJS(`document.getElementById('refresh-now').dataset.bound === '1'`), webtest.Click(`#refresh-now`), webtest.WaitJS(interviews+` === "1"`))
	var still bool
	u.Run("no reload", webtest.Eval(`window.notReloaded === true`, &still))
	if !still {
		t.Error("the refresh reloaded the page")
	}
	t.Logf("a submission shows on the dashboard %v after the refresh", time.Since(start).Round(time.Millisecond))
}
