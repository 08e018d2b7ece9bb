package demo

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSeed seeds the whole demo into a new SQLite database, as the
// first `minyi serve` does (the database's setup is not timed). Beside
// the wall clock it reports the CPU time, which other jobs on a shared
// machine disturb less.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db := newDB(b)
		b.StartTimer()
		cpu0 := cpuTime()
		if _, err := seed(ctx, db, now, nil, raceShrink); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - cpu0
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
