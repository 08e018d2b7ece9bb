package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

var (
	tzDayBar   = regexp.MustCompile(`data-day="([0-9-]+)" data-n="(\d+)"`)
	tzZoneNote = regexp.MustCompile(`(?s)<p class="hint" id="zone-note">(.*?)</p>`)
)

// TestPagesInDistrictZone: with serve --timezone, every time a page shows
// is in the district's zone, the by-day counts fall on its days, and each
// page names the zone once; checked in Beijing time and in a half-hour zone
// (Asia/Kolkata, +05:30) with interviews near a day boundary: 19:00 UTC on
// the 20th is 00:30 on the 21st in Kolkata and 03:00 in Beijing, 18:20 UTC
// is 23:50 on the 20th in Kolkata but 02:20 on the 21st in Beijing.
// Besides the times it knows, it takes every time the database holds (the
// audit log's, written now) and checks that no page writes one as UTC.
func TestPagesInDistrictZone(t *testing.T) {
	for _, tc := range []struct {
		zone, offset string
		late, early  string         // the local minute of 19:00 and 18:20 UTC
		appointment  string         // the local minute of 04:00 UTC on the 21st
		days         map[string]int // interviews by local day
		note         map[string]string
	}{
		{"Asia/Kolkata", "+05:30", "2026-11-21 00:30", "2026-11-20 23:50", "2026-11-21 09:30",
			map[string]int{"2026-11-20": 1, "2026-11-21": 1},
			map[string]string{"zh-CN": "本页时间均为 Asia/Kolkata 时区的时间（UTC+05:30）", "en": "All times on this page are in the Asia/Kolkata time zone (UTC+05:30)"}},
		{"Asia/Shanghai", "+08:00", "2026-11-21 03:00", "2026-11-21 02:20", "2026-11-21 12:00",
			map[string]int{"2026-11-21": 2},
			map[string]string{"zh-CN": "本页时间均为北京时间（Asia/Shanghai，UTC+08:00）", "en": "All times on this page are Beijing time (Asia/Shanghai, UTC+08:00)"}},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, store.SQLite)
			f := fieldtest.New(t, db, fieldtest.Small)
			f.AssignStreet(t, 1)
			mine, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
			if err != nil || len(mine) < 3 {
				t.Fatalf("int1a has %d assignments (%v)", len(mine), err)
			}
			utc := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
			n := 0
			id := func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
			interview := func(a store.Assignment, at time.Time, sat [4]int) int64 {
				t.Helper()
				if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{ClientID: id(), AssignmentID: a.ID, AttemptedAt: at, Outcome: "interview"}); err != nil {
					t.Fatal(err)
				}
				end := at.Add(20 * time.Minute)
				r, err := f.Service.Submit(ctx, f.Caller("int1a"), rounds.ResponseRequest{ClientID: id(), AssignmentID: a.ID, QuestionnaireVersion: 1,
					Answers: json.RawMessage(fieldtest.Answers(true, true, sat)), StartedAt: &at, CompletedAt: &end})
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			late := interview(mine[0], utc(20, 19, 0), [4]int{1, 2, 2, 1})
			early := interview(mine[1], utc(20, 18, 20), [4]int{1, 1, 1, 1}) // straight-lined: on the review list
			appt := utc(21, 4, 0)
			if _, err := f.Service.RecordVisit(ctx, f.Caller("int1a"), rounds.VisitRequest{ClientID: id(), AssignmentID: mine[2].ID,
				AttemptedAt: utc(20, 18, 20), Outcome: "appointment", AppointmentAt: &appt}); err != nil {
				t.Fatal(err)
			}

			loc, err := config.ParseZone(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30, Location: loc}
			s, err := server.New(cfg, db, auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(s.Handler())
			t.Cleanup(ts.Close)
			base := ts.URL
			admin, sup := servertest.LoginAs(t, base, "admin"), servertest.LoginAs(t, base, "sup1")
			r := fmt.Sprint(f.Round.ID)

			// The instants the database holds, as UTC would write them: no
			// page may show one (each differs from its local form).
			var instants []time.Time
			entries, err := db.AuditPage(ctx, store.AuditFilter{Limit: 500})
			if err != nil || len(entries) == 0 {
				t.Fatalf("audit log: %d entries (%v)", len(entries), err)
			}
			for _, e := range entries {
				instants = append(instants, e.At)
			}
			instants = append(instants, utc(20, 19, 0), utc(20, 19, 20), utc(20, 18, 20), utc(20, 18, 40), appt)
			utcForms := map[string]bool{}
			for _, at := range instants {
				utcForms[at.UTC().Format("2006-01-02 15:04")] = true
			}

			type page struct {
				who  string
				path string
				want []string // local times the page must show
			}
			auditWant := []string{entries[0].At.In(loc).Format("2006-01-02 15:04:05"), entries[len(entries)-1].At.In(loc).Format("2006-01-02 15:04:05")}
			pages := []page{
				{"admin", "/audit", auditWant},
				{"admin", "/users", nil},
				{"admin", "/rounds", nil},
				{"admin", "/samples", nil},
				{"admin", "/surveys", nil},
				{"admin", "/", nil},
				{"admin", "/rounds/" + r, nil},
				{"admin", "/rounds/" + r + "/report", nil},
				{"sup1", "/rounds/" + r + "/board", []string{tc.appointment}},
				{"sup1", "/rounds/" + r + "/fieldwork", nil},
				{"sup1", "/rounds/" + r + "/review", []string{tc.early}},
				{"sup1", fmt.Sprintf("/rounds/%s/review/%d", r, late), []string{tc.late}},
				{"sup1", fmt.Sprintf("/rounds/%s/review/%d", r, early), []string{tc.early}},
			}
			// The responses export writes its times as ISO 8601 with the
			// district's offset, in CSV and XLSX alike (the XLSX cells are
			// checked in internal/export).
			status, body := servertest.Get(t, admin, base+"/api/v1/rounds/"+r+"/export/responses?format=csv")
			wantISO := utc(20, 19, 0).In(loc).Format(time.RFC3339)
			if status != 200 || !strings.Contains(string(body), ","+wantISO+",") || strings.Contains(string(body), "T19:00:00Z") {
				t.Errorf("responses export (%d): want the start %s, not UTC:\n%.600s", status, wantISO, body)
			}
			// The tablet is told the zone with the assignments it keeps
			// offline, and shows its times in it (web/static/tablet/ui.js).
			interviewer := servertest.LoginAs(t, base, "int1a")
			status, body = servertest.Get(t, interviewer, base+"/api/v1/me/assignments?round="+r)
			var tablet struct {
				TimeZone string `json:"time_zone"`
			}
			if err := json.Unmarshal(body, &tablet); status != 200 || err != nil || tablet.TimeZone != tc.zone {
				t.Errorf("the tablet's assignments (%d, %v): time_zone %q, want %q", status, err, tablet.TimeZone, tc.zone)
			}
			for _, p := range pages {
				for _, lang := range []string{"zh-CN", "en"} {
					c := admin
					if p.who == "sup1" {
						c = sup
					}
					sep := "?"
					if strings.Contains(p.path, "?") {
						sep = "&"
					}
					status, _, _, body := servertest.GetPage(t, c, base+p.path+sep+"lang="+lang)
					if status != 200 {
						t.Errorf("%s %s (%s) = %d", p.who, p.path, lang, status)
						continue
					}
					notes := tzZoneNote.FindAllStringSubmatch(body, -1)
					if len(notes) != 1 || html.UnescapeString(notes[0][1]) != tc.note[lang] {
						t.Errorf("%s (%s): zone notes %q, want one: %q", p.path, lang, notes, tc.note[lang])
					}
					if !strings.Contains(body, `data-zone="`+tc.zone+`"`) {
						t.Errorf("%s (%s): the page does not give its scripts the zone %s", p.path, lang, tc.zone)
					}
					for _, w := range p.want {
						if !strings.Contains(body, w) {
							t.Errorf("%s (%s): no %s (the local time)", p.path, lang, w)
						}
					}
					for u := range utcForms {
						if strings.Contains(body, u) {
							t.Errorf("%s (%s): shows %s, a time written in UTC", p.path, lang, u)
						}
					}
					if p.path == "/rounds/"+r {
						days := map[string]int{}
						for _, m := range tzDayBar.FindAllStringSubmatch(body, -1) {
							var k int
							fmt.Sscan(m[2], &k)
							days[m[1]] = k // the wide and the narrow chart alike
						}
						if fmt.Sprint(days) != fmt.Sprint(tc.days) {
							t.Errorf("%s (%s): interviews by day %v, want %v", p.path, lang, days, tc.days)
						}
					}
				}
			}
		})
	}
}
