package results

import (
	"context"
	"fmt"
	"testing"

	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkRoundEstimates times the dashboard's estimate call — ForRound
// by street: every indicator of the round, the composite, street and
// community names, targets — for rounds of 10⁴, 10⁵ and 10⁶ responses (20
// streets, 400 communities as PSUs, 3 rates and a score), reading the
// maintained per-PSU sums ("sums"), and, for comparison, Estimate reading
// every response ("rows", the path of a round whose sums are stale).
func BenchmarkRoundEstimates(b *testing.B) {
	all := []stats.Variable{{Name: "aware", Kind: stats.Rate}, {Name: "support", Kind: stats.Rate}, {Name: "join", Kind: stats.Rate}, {Name: "score", Kind: stats.Mean}}
	rows := func(ctx context.Context, db *store.DB, roundID int64, by string, names []string, cells bool) ([]store.AggregateRow, error) {
		return db.RoundAggregates(ctx, roundID, by, names, cells)
	}
	for _, d := range storetest.Dialects(b) {
		for _, n := range []int{10_000, 100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/n=%d", d, n), func(b *testing.B) {
				db := storetest.Open(b, d)
				round := storetest.SeedRound(b, db, n, 20, 400)
				b.Run("sums", func(b *testing.B) {
					for b.Loop() {
						rep, err := ForRound(context.Background(), db, round, RoundRequest{By: "street"})
						if err != nil || len(rep.Estimates) != 5*21 {
							b.Fatalf("%d estimates, %v", len(rep.Estimates), err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/round")
				})
				b.Run("rows", func(b *testing.B) {
					for b.Loop() {
						rep, err := estimateFrom(context.Background(), db, round, Request{Variables: all, By: "street"}, nil, rows)
						if err != nil || len(rep.Estimates) != 4*21 {
							b.Fatalf("%d estimates, %v", len(rep.Estimates), err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/round")
				})
			})
		}
	}
}
