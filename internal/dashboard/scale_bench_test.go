package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkDashboardScale serves the dashboard's pages over HTTP for a
// round of 10⁴, 10⁵ and (with MINYI_BENCH_LARGE=1) 10⁶ responses: 20
// streets, 400 communities as PSUs, 3 interviewers per street, one or two
// visits per household over 20 days, 1 in 200 interviews flagged
// (storetest.SeedRound and SeedFieldwork). An analyst opens the overview,
// a street and the report; the supervisor of street 1 their overview and
// street. The pages' cost should grow with streets, PSUs, interviewers
// and days, not with responses: compare the sizes' ms/op.
//
// Measured (2-core shared AMD EPYC, noisy; -benchtime 5x, MINYI_BENCH_LARGE=1),
// analyst overview at 10⁴ / 10⁵ / 10⁶ responses: SQLite 35 / 42 / 67 ms,
// PostgreSQL 45 / 51 / 86 ms; before the fieldwork counts of migration
// 00015 the same pages took 61 / 391 / 9807 ms and 59 / 307 / 1030 ms.
func BenchmarkDashboardScale(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("MINYI_BENCH_LARGE") != "" {
		sizes = append(sizes, 1_000_000)
	}
	hash, err := auth.HashPassword(fieldtest.Password)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range storetest.Dialects(b) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/n=%d", d, n), func(b *testing.B) {
				db := storetest.Open(b, d)
				round := storetest.SeedRound(b, db, n, 20, 400)
				storetest.SeedFieldwork(b, db, round, 3, hash)
				street := int64(1)
				ctx := context.Background()
				for _, u := range []store.NewUser{
					{Username: "analyst", Role: store.RoleAnalyst},
					{Username: "sup1", Role: store.RoleSupervisor, StreetID: &street},
				} {
					u.DisplayName, u.PasswordHash = u.Username, hash
					if _, err := db.CreateUser(ctx, u, store.System); err != nil {
						b.Fatal(err)
					}
				}
				base := servertest.NewDashServer(b, db)
				for _, who := range []string{"analyst", "sup1"} {
					c := benchLogin(b, base, who)
					for _, p := range []struct{ name, path string }{
						{"overview", fmt.Sprintf("/rounds/%d", round)},
						{"street", fmt.Sprintf("/rounds/%d/streets/%d", round, street)},
						{"report", fmt.Sprintf("/rounds/%d/report", round)},
					} {
						if who == "sup1" && p.name == "report" {
							continue
						}
						b.Run(who+"/"+p.name, func(b *testing.B) {
							for b.Loop() {
								benchGet(b, c, base+p.path)
							}
							b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/page")
						})
					}
				}
			})
		}
	}
}

// benchLogin is an HTTP client with the session of user who.
func benchLogin(b *testing.B, base, who string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: servertest.SameOrigin(nil)}
	res, err := c.Post(base+"/api/v1/login", "application/json", strings.NewReader(`{"username":"`+who+`","password":"`+fieldtest.Password+`"}`))
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("login %s: %v %v", who, res, err)
	}
	res.Body.Close()
	return c
}

// benchGet reads a page that must answer 200 with a body.
func benchGet(b *testing.B, c *http.Client, url string) {
	res, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || n < 1000 {
		b.Fatalf("%s = %d (%d bytes)", url, res.StatusCode, n)
	}
}
