package office_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
)

// BenchmarkAdminPages opens the admin's pages over real HTTP as the admin
// on a district of 100,000 households: a register of 20 streets × 25
// communities × 200 households, a sample of 95,000 of them (stratified
// SRS, 100 reserves a street), a round fielding all of them with half
// finished, and an audit log of 100,000 entries. One op is one page,
// rendered whole. The district is built once per database (not timed);
// the goal is under 200 ms a page.
func BenchmarkAdminPages(b *testing.B) {
	pages := []string{
		"/rounds",
		"/samples/" + url.PathEscape("十万户"),
		"/registers",
		"/audit",
		"/audit?user=admin&object_type=round&object_id=1",
		"/",
	}
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			seedAdminBench(b, db)
			base := servertest.FieldServer(b, db)
			c := servertest.FieldClient(b, base, "admin")
			for _, p := range pages {
				path, _, _ := strings.Cut(p, "?")
				name, _, _ := strings.Cut(strings.Trim(path, "/"), "/")
				if strings.Contains(p, "?") {
					name += "-filtered"
				}
				b.Run(cmp.Or(name, "home"), func(b *testing.B) {
					var total time.Duration
					for b.Loop() {
						t0 := time.Now()
						req, _ := http.NewRequest("GET", base+p, nil)
						req.Header.Set("Accept", "text/html")
						res, err := c.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						body, _ := io.ReadAll(res.Body)
						res.Body.Close()
						total += time.Since(t0)
						if res.StatusCode != http.StatusOK {
							b.Fatalf("%s = %d\n%.500s", p, res.StatusCode, body)
						}
					}
					b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/op")
				})
			}
		})
	}
}

// seedAdminBench builds the benchmark's district through the same code as
// the office uses (import, draw, round creation), then finishes half the
// round's households and fills the audit log with SQL (a tenth of it the
// admin's, over 1,000 objects, so that a filter keeps few entries).
func seedAdminBench(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("街道,社区,楼栋,门牌号\n")
	for s := 1; s <= 20; s++ {
		for c := 1; c <= 25; c++ {
			for h := 1; h <= 200; h++ {
				fmt.Fprintf(&csv, "街道%02d,社区%02d-%02d,%d栋,%d号\n", s, s, c, 1+h%8, h)
			}
		}
	}
	if _, err := frameload.Import(ctx, db, strings.NewReader(csv.String()), "district.csv", frame.Options{}, store.CLI); err != nil {
		b.Fatal(err)
	}
	if _, err := draw.Draw(ctx, db, draw.Spec{Name: "十万户", Design: "stratified-srs", N: 95_000, Reserves: 100, Seed: 1}, store.CLI); err != nil {
		b.Fatal(err)
	}
	if _, err := survey.Import(ctx, db, "field.yaml", []byte(fieldtest.Definition), store.CLI); err != nil {
		b.Fatal(err)
	}
	if _, err := survey.Publish(ctx, db, "field", store.CLI); err != nil {
		b.Fatal(err)
	}
	svc := rounds.New(db)
	r, err := svc.Create(ctx, rounds.System, rounds.CreateSpec{Name: "十万户调查", Questionnaire: "field", Sample: "十万户"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetState(ctx, rounds.System, r.ID, "start"); err != nil {
		b.Fatal(err)
	}
	hash, err := auth.HashPassword(fieldtest.Password)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.NewUser{Username: "admin", DisplayName: "admin", Role: store.RoleAdmin, PasswordHash: hash}, store.CLI); err != nil {
		b.Fatal(err)
	}
	w := db.Writer()
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := w.Exec(w.Rebind(q), args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	exec("UPDATE assignments SET status = 'final', disposition = 'complete', category = 'I' WHERE id % 2 = 0")
	exec("WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 100000) "+
		"INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail, request_id, via, ip) "+
		"SELECT ?, CASE WHEN i % 10 = 0 THEN 1 END, 'assignment.assign', 'round', CAST(i % 1000 AS TEXT), '{\"assignments\":20}', '', 'api', '127.0.0.1' FROM seq", time.Now().UTC())
	if db.Dialect() == store.Postgres {
		exec("VACUUM ANALYZE")
	}
}
