package results

import (
	"context"
	"testing"

	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkRoundEstimates estimates a round of 1,000,000 responses (20
// streets, 400 communities as PSUs, 3 rates and a score) from the database,
// by street: one GROUP BY in SQL, the variance in Go.
func BenchmarkRoundEstimates(b *testing.B) {
	all := []stats.Variable{{Name: "aware", Kind: stats.Rate}, {Name: "support", Kind: stats.Rate}, {Name: "join", Kind: stats.Rate}, {Name: "score", Kind: stats.Mean}}
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			round := storetest.SeedRound(b, db, 1_000_000, 20, 400)
			for b.Loop() {
				rep, err := Estimate(context.Background(), db, round, Request{Variables: all, By: "street"}, nil)
				if err != nil || len(rep.Estimates) != 4*21 {
					b.Fatalf("%d estimates, %v", len(rep.Estimates), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/round")
		})
	}
}
