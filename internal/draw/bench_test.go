package draw

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkDraw1M draws a stratified two-stage sample (20 streets, 400
// communities; 10 communities × 20 households + 5 reserves per community in
// every street) from a 1,000,000-household frame, end to end: loading the
// frame's households from the database, drawing and storing the sample.
func BenchmarkDraw1M(b *testing.B) {
	var csv bytes.Buffer
	csv.WriteString("街道,社区,门牌号\n")
	for i := range 1_000_000 {
		c := i % 400
		fmt.Fprintf(&csv, "街道%02d,社区%03d,%d\n", c%20, c, i)
	}
	for _, d := range storetest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			importFrame(b, db, csv.Bytes())
			i := 0
			for b.Loop() {
				i++
				spec := Spec{Name: fmt.Sprintf("bench %d", i), Design: "two-stage", N: 4000, Allocation: "equal", PerCommunity: 20, Reserves: 5, Seed: uint64(i)}
				if _, err := Draw(context.Background(), db, spec, store.CLI); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
