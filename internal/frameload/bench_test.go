package frameload

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// benchCSV makes a frame of n households in 20 streets and 400 communities.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 48)
	b.WriteString("街道,社区,楼栋,门牌号,户人数\n")
	for i := range n {
		c := i % 400
		fmt.Fprintf(&b, "街道%02d,社区%03d,%d栋,%d,%d\n", c%20, c, i%30, i, 1+i%5)
	}
	return b.Bytes()
}

// BenchmarkImport imports a 1,000,000-household frame (and a 100,000 one,
// to show that memory stays flat as the file grows) into a fresh database of
// each dialect, reporting rows/s and the peak heap while importing.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		data := benchCSV(n)
		for _, d := range storetest.Dialects(b) {
			b.Run(fmt.Sprintf("%s/rows=%d", d, n), func(b *testing.B) {
				var peak atomic.Uint64
				for b.Loop() {
					b.StopTimer()
					db := storetest.Open(b, d)
					runtime.GC()
					stop := sampleHeap(&peak)
					b.StartTimer()
					f, err := Import(context.Background(), db, bytes.NewReader(data), "bench.csv", frame.Options{}, store.CLI)
					b.StopTimer()
					stop()
					if err != nil || f.Households != n {
						b.Fatalf("import: %+v, %v", f, err)
					}
					db.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(peak.Load())/(1<<20), "MB-peak-heap")
			})
		}
	}
}

// sampleHeap records the largest HeapInuse seen until stop is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
