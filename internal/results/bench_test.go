package results

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/export"
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

// BenchmarkExportResponses streams the responses export of a seeded round
// (every response a line: ids, street, community, times, answers, four
// indicators, design) to io.Discard, as CSV for 10⁵ and 10⁶ responses and
// as XLSX for 10⁵, reporting rows/s and the peak heap in use (sampled every
// 5 ms): memory flat in the number of responses.
func BenchmarkExportResponses(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, n := range []int{100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/n=%d", d, n), func(b *testing.B) {
				db := storetest.Open(b, d)
				round := storetest.SeedRound(b, db, n, 20, 400)
				formats := []export.Format{export.FormatCSV}
				if n <= 100_000 {
					formats = append(formats, export.FormatXLSX)
				}
				for _, f := range formats {
					b.Run(string(f), func(b *testing.B) {
						runtime.GC()
						var base runtime.MemStats
						runtime.ReadMemStats(&base)
						peak := peakHeap()
						for b.Loop() {
							if err := ExportTo(context.Background(), db, round, ExportResponses, ExportOptions{Format: f}, io.Discard); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
						b.ReportMetric(float64(peak()-base.HeapInuse)/(1<<20), "peak-heap-MB")
					})
				}
			})
		}
	}
}

// peakHeap samples the heap in use until the returned function is called,
// which returns the largest sample.
func peakHeap() func() uint64 {
	var (
		mu   sync.Mutex
		max  uint64
		done = make(chan struct{})
	)
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				max = maxOf(max, m.HeapInuse)
				mu.Unlock()
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return max
	}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
