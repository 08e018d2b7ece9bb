package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/web"
)

// TestHouseholdCountsAgree opens every page that shows a round's
// household counts (/rounds, /samples, the sample's page, the dashboard,
// the report's fieldwork and methods, the street fieldwork page) and the
// API, in both languages, and checks that each count is the same number
// under the same label everywhere: the main sample and its reserves as
// drawn, one reserve released after a refusal, the households to visit,
// closed and pending. A supervisor sees the counts of their street. The
// rates are marked interim during fieldwork and final after the close.
func TestHouseholdCountsAgree(t *testing.T) {
	f, base, refuse := refusalRound(t)
	ctx := context.Background()
	refuse(0, time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC))
	// 2 streets × 2 communities × 3 households, 3 reserves a community;
	// one refusal in street 1, replaced by its first reserve.
	all := fieldwork.Households{Drawn: 12, Reserves: 12, Released: 1, Assigned: 13, Closed: 1, Pending: 12}
	street1 := fieldwork.Households{Drawn: 6, Reserves: 6, Released: 1, Assigned: 7, Closed: 1, Pending: 6}
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	round, sample := f.Round.ID, f.Round.SampleID.Int64
	admin, sup := servertest.LoginAs(t, base, "admin"), servertest.LoginAs(t, base, "sup1")

	for _, lang := range web.Languages {
		var T map[string]string
		if err := json.Unmarshal(pages.StringsJSON(lang), &T); err != nil {
			t.Fatal(err)
		}
		open := func(c *http.Client, path string) string {
			t.Helper()
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			status, _, _, body := servertest.GetPage(t, c, base+path+sep+"lang="+lang)
			if status != http.StatusOK {
				t.Fatalf("%s %s = %d", lang, path, status)
			}
			return body
		}
		// dl checks a households list (partial "households") with id.
		dl := func(page, body, id string, want fieldwork.Households, keys []fieldwork.HouseholdCount) {
			t.Helper()
			i := strings.Index(body, `id="`+id+`"`)
			if i < 0 {
				t.Fatalf("%s %s: no #%s", lang, page, id)
			}
			list := body[i:]
			list = list[:strings.Index(list, "</dl>")]
			for _, k := range keys {
				m := regexp.MustCompile(`data-count="` + k.Key + `"><dt data-count-label>([^<]*)</dt><dd>([^<]*)</dd>`).FindStringSubmatch(list)
				if m == nil {
					t.Fatalf("%s %s #%s: no %s", lang, page, id, k.Key)
				}
				check(t, lang, page, k.Key, m[1], m[2], T, want)
			}
		}
		// row checks the count cells of a table row (its opening tag
		// row) under the table's labelled headers.
		row := func(page, body, tr string, want fieldwork.Households, keys ...string) {
			t.Helper()
			i := strings.Index(body, tr)
			if i < 0 {
				t.Fatalf("%s %s: no %s", lang, page, tr)
			}
			r := body[i : i+strings.Index(body[i:], "</tr>")]
			for _, k := range keys {
				head := regexp.MustCompile(`data-count-label="` + k + `">([^<]*)<`).FindStringSubmatch(body)
				cell := regexp.MustCompile(`data-count="` + k + `">([^<]*)<`).FindStringSubmatch(r)
				if head == nil || cell == nil {
					t.Fatalf("%s %s: no header or cell %s", lang, page, k)
				}
				check(t, lang, page, k, head[1], cell[1], T, want)
			}
		}
		rounds := open(admin, "/rounds")
		row("/rounds", rounds, fmt.Sprintf(`<tr data-round="%d">`, round), all, "drawn", "assigned", "closed", "pending")
		samples := open(admin, "/samples")
		row("/samples", samples, fmt.Sprintf(`<tr data-sample="%d">`, sample), all, "drawn", "reserves", "released")
		dl("/samples/fieldtest", open(admin, "/samples/fieldtest"), "households", all, all.Sample())
		dash := open(admin, fmt.Sprintf("/rounds/%d", round))
		dl("dashboard", dash, "households-street", all, all.List())
		report := open(admin, fmt.Sprintf("/rounds/%d/report", round))
		dl("report fieldwork", report, "households-street", all, all.List())
		dl("report methods", report, "methods-households", all, all.List())
		field := open(admin, fmt.Sprintf("/rounds/%d/fieldwork", round))
		dl("fieldwork", field, "households", all, all.List())
		for page, body := range map[string]string{"dashboard": dash, "report": report, "fieldwork": field} {
			if !strings.Contains(body, T["rate.interim"]) || !strings.Contains(body, `data-interim="true"`) || strings.Contains(body, `data-interim="false"`) {
				t.Errorf("%s %s: the rates are not marked interim during fieldwork", lang, page)
			}
			base := `<span class="base-w">` + T["rate.base.pre"] + `</span><span data-k="final">1</span><span class="base-w">` + T["rate.base.post"] + `</span>`
			if !strings.Contains(body, base) {
				t.Errorf("%s %s: no rate base %q in words", lang, page, base)
			}
		}
		// A supervisor: the counts of their street.
		row("/rounds (sup1)", open(sup, "/rounds"), fmt.Sprintf(`<tr data-round="%d">`, round), street1, "drawn", "assigned", "closed", "pending")
		dl("fieldwork (sup1)", open(sup, fmt.Sprintf("/rounds/%d/fieldwork", round)), "households", street1, street1.List())
		dl("dashboard street 1", open(admin, fmt.Sprintf("/rounds/%d/streets/%d", round, f.Streets[0].ID)), "households-community", street1, street1.List())
	}

	// The API: the same counts under the same names.
	for path, want := range map[string]fieldwork.Households{
		fmt.Sprintf("/api/v1/rounds/%d", round): all, "/api/v1/samples/fieldtest": {Drawn: 12, Reserves: 12, Released: 1, Assigned: 13, Closed: 1, Pending: 12},
		fmt.Sprintf("/api/v1/rounds/%d/progress", round): all,
	} {
		status, body := servertest.Get(t, admin, base+path)
		var got struct {
			Households fieldwork.Households `json:"households"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Households != want {
			t.Errorf("%s = %d, households %+v, want %+v", path, status, got.Households, want)
		}
	}
	status, body := servertest.Get(t, sup, base+fmt.Sprintf("/api/v1/rounds/%d/progress", round))
	if !strings.Contains(string(body), `"households":{"drawn":6,"reserves":6,"released":1,"assigned":7,"closed":1,"pending":6}`) || status != http.StatusOK {
		t.Errorf("progress as sup1 = %d %s", status, body)
	}

	// Closed: the rates are final.
	if _, err := f.Service.Close(ctx, f.Caller("admin"), round, true); err != nil {
		t.Fatal(err)
	}
	_, _, _, field := servertest.GetPage(t, admin, base+fmt.Sprintf("/rounds/%d/fieldwork?lang=zh-CN", round))
	if strings.Contains(field, `data-interim="true"`) || !strings.Contains(field, `data-interim="false"`) || strings.Contains(field, "data-interim-mark") {
		t.Errorf("closed round: the rates are still marked interim")
	}
}

// check compares a count's label with its one label (count.<key>) and its
// number with want's.
func check(t *testing.T, lang, page, key, label, number string, T map[string]string, want fieldwork.Households) {
	t.Helper()
	if label != T["count."+key] {
		t.Errorf("%s %s: %s is labelled %q, want %q", lang, page, key, label, T["count."+key])
	}
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(number), ",", ""))
	var w int
	for _, c := range want.List() {
		if c.Key == key {
			w = c.N
		}
	}
	if err != nil || n != w {
		t.Errorf("%s %s: %s = %q, want %d", lang, page, key, number, w)
	}
}

// refusalRound starts a field server (SQLite, the small fixture) with street
// 1 assigned, and returns it with refuse(i, at): interviewer int1a's i-th
// household refuses at at, and supervisor sup1 releases its reserve.
func refusalRound(t *testing.T) (*fieldtest.Field, string, func(i int, at time.Time)) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	ctx := context.Background()
	f.AssignStreet(t, 1)
	iv := f.Caller("int1a")
	mine, err := f.Service.Assignments(ctx, iv, f.Round.ID, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return f, base, func(i int, at time.Time) {
		t.Helper()
		if i >= len(mine) {
			t.Fatalf("household %d of int1a's %d", i, len(mine))
		}
		if _, err := f.Service.RecordVisit(ctx, iv, rounds.VisitRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8a00-%012d", i+1),
			AssignmentID: mine[i].ID, AttemptedAt: at, Outcome: "refused"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.Replace(ctx, f.Caller("sup1"), mine[i].ID, rounds.ReplaceRequest{}); err != nil {
			t.Fatal(err)
		}
	}
}
