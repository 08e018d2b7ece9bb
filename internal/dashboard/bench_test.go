package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/dashboard"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkDashboardPages serves the dashboard's pages of a simulated
// round (5 streets, about 300 interviews) as an analyst, beside the
// engine's estimate the overview starts from (results.ForRound by street):
// what a page adds to the estimates is its fieldwork counts (GROUP BY
// queries) and the rendering.
func BenchmarkDashboardPages(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			seed := servertest.SeedDashboard(b, db)
			base := servertest.NewDashServer(b, db)
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Transport: servertest.SameOrigin(nil)}
			res, err := c.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"analyst","password":"`+fieldtest.Password+`"}`))
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("login: %v %v", res, err)
			}
			res.Body.Close()
			b.Run("ForRound", func(b *testing.B) {
				for b.Loop() {
					if _, err := results.ForRound(context.Background(), db, seed.Round, dashboard.EstimateRequest("street", servertest.DashMinCell)); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, p := range []struct{ name, path string }{
				{"overview", fmt.Sprintf("/rounds/%d", seed.Round)},
				{"street", fmt.Sprintf("/rounds/%d/streets/%d", seed.Round, seed.Streets[0].ID)},
				{"compare", fmt.Sprintf("/rounds/%d/compare?with=%d", seed.Round, seed.Other)},
				{"report", fmt.Sprintf("/rounds/%d/report", seed.Round)},
			} {
				b.Run(p.name, func(b *testing.B) {
					for b.Loop() {
						res, err := c.Get(base + p.path)
						if err != nil {
							b.Fatal(err)
						}
						n, _ := io.Copy(io.Discard, res.Body)
						res.Body.Close()
						if res.StatusCode != 200 || n < 1000 {
							b.Fatalf("%s = %d (%d bytes)", p.path, res.StatusCode, n)
						}
					}
				})
			}
		})
	}
}
