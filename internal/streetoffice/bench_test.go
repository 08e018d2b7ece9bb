package streetoffice_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkStreetPages opens the street office's pages as street 1's
// supervisor on a round of 100,000 households (10 streets of 20
// communities of 500), a third of them interviewed, some visited or with
// an appointment, 2 % awaiting a replacement with a visit each and a
// tenth of the interviews flagged for review. The district is built once
// per database (through the frame import, the draw and round creation,
// then the fieldwork states written with plain SQL); one op is one page
// over HTTP on loopback; ms/page is reported per page. The goal is under
// 200 ms a page. The admin-…-all pages show every street at once (2,000
// replacement requests on one page).
func BenchmarkStreetPages(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		db := storetest.Open(b, d)
		f := streetBenchDistrict(b, db)
		base := servertest.FieldServer(b, db)
		sup, admin := servertest.FieldClient(b, base, "sup1"), servertest.FieldClient(b, base, "admin")
		pages := []struct {
			name, path string
			c          *http.Client
		}{
			{"board", fmt.Sprintf("/rounds/%d/board", f.Round.ID), sup},
			{"board-community", fmt.Sprintf("/rounds/%d/board?community=%d&state=unassigned", f.Round.ID, streetBenchCommunity(b, db, f)), sup},
			{"board-all-communities", fmt.Sprintf("/rounds/%d/board?community=all&page=10", f.Round.ID), sup},
			{"fieldwork", fmt.Sprintf("/rounds/%d/fieldwork", f.Round.ID), sup},
			{"replacements", fmt.Sprintf("/rounds/%d/replacements", f.Round.ID), sup},
			{"review", fmt.Sprintf("/rounds/%d/review", f.Round.ID), sup},
			// An administrator's pages of every street (the whole round).
			{"admin-fieldwork-all", fmt.Sprintf("/rounds/%d/fieldwork", f.Round.ID), admin},
			{"admin-replacements-all", fmt.Sprintf("/rounds/%d/replacements", f.Round.ID), admin},
			{"admin-review-all", fmt.Sprintf("/rounds/%d/review", f.Round.ID), admin},
		}
		for _, p := range pages {
			c := p.c
			b.Run(fmt.Sprintf("%s/%s", d, p.name), func(b *testing.B) {
				start := time.Now()
				for b.Loop() {
					req, _ := http.NewRequest("GET", base+p.path, nil)
					req.Header.Set("Accept", "text/html")
					res, err := c.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK || n < 1000 {
						b.Fatalf("%s = %d (%d bytes)", p.path, res.StatusCode, n)
					}
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
			})
		}
	}
}

// streetBenchDistrict builds the benchmark's round of 100,000 households.
func streetBenchDistrict(b *testing.B, db *store.DB) *fieldtest.Field {
	b.Helper()
	f := fieldtest.New(b, db, fieldtest.Size{Streets: 10, CommunitiesPerStreet: 20, Households: 510, SampleCommunities: 20, PerCommunity: 500, Reserves: 5})
	for s := 1; s <= 10; s++ {
		f.AssignStreet(b, s)
	}
	w := db.Writer()
	loc := fieldwork.DefaultRule().Location()
	now := time.Now().In(loc)
	noon := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, loc).UTC()
	visit := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := w.Exec(w.Rebind(q), args...); err != nil {
			b.Fatalf("bench district: %v\n%s", err, q)
		}
	}
	r := f.Round.ID
	exec("UPDATE assignments SET status = 'final', disposition = 'complete', category = 'I', attempts = 1, contacted = ?, last_outcome = 'interview', last_visit_at = ? WHERE round_id = ? AND id % 3 = 0", true, visit, r)
	exec("UPDATE assignments SET status = 'in_progress', attempts = 1, last_outcome = 'no_one_home', last_visit_at = ? WHERE round_id = ? AND id % 3 = 1 AND id % 2 = 0", visit, r)
	exec("UPDATE assignments SET status = 'in_progress', attempts = 1, last_outcome = 'appointment', last_visit_at = ?, appointment_at = ? WHERE round_id = ? AND id % 97 = 1", visit, noon, r)
	exec("UPDATE assignments SET status = 'final', disposition = 'refusal', category = 'R', attempts = 1, contacted = ?, last_outcome = 'refused', last_visit_at = ?, replacement = 'due', reason = 'refused' WHERE round_id = ? AND id % 50 = 2", true, visit, r)
	exec("INSERT INTO visits (assignment_id, client_id, interviewer_id, attempted_at, outcome, received_at, content_hash) "+
		"SELECT id, 'v' || id, interviewer_id, ?, last_outcome, ?, '' FROM assignments WHERE round_id = ? AND attempts > 0", visit, visit, r)
	exec("INSERT INTO responses (assignment_id, round_id, questionnaire_version_id, client_id, interviewer_id, status, answers, started_at, completed_at, received_at, weight, flags) "+
		"SELECT a.id, a.round_id, ?, 'r' || a.id, a.interviewer_id, 'accepted', ?, ?, ?, ?, 1, CASE WHEN a.id % 30 = 0 THEN ? ELSE '[]' END "+
		"FROM assignments a WHERE a.round_id = ? AND a.status = 'final' AND a.disposition = 'complete'",
		f.Round.QuestionnaireVersionID, fieldtest.Answers(true, true, [4]int{1, 1, 1, 1}), visit, visit.Add(20*time.Second), visit,
		`[{"code":"too_fast","detail":"took 20s"},{"code":"straight_lining","detail":"all 1"}]`, r)
	if db.Dialect() == store.Postgres {
		exec("VACUUM ANALYZE")
	} else {
		exec("ANALYZE")
	}
	var n int
	if err := db.Reader().Get(&n, db.Reader().Rebind("SELECT COUNT(*) FROM assignments WHERE round_id = ?"), r); err != nil || n != 100000 {
		b.Fatalf("the benchmark round has %d households (%v), want 100000", n, err)
	}
	return f
}

// streetBenchCommunity returns a community of street 1.
func streetBenchCommunity(b *testing.B, db *store.DB, f *fieldtest.Field) int64 {
	cs, err := db.BoardCommunities(context.Background(), f.Round.ID, f.Streets[0].ID)
	if err != nil || len(cs) == 0 {
		b.Fatalf("communities: %v", err)
	}
	return cs[len(cs)/2].ID
}
