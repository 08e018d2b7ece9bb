package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAsinCIAtTheBounds covers what the golden cases do not reach: an
// interval whose angle passes 0 or π/2. R's sin² folds back there (the
// values R gives are in the comments, from
// x <- asin(sqrt(p)); h <- qt(.975, df)*se/(2*sqrt(p*(1-p))); sin(x + c(-h, h))^2);
// minyi ends the interval at the bound, keeping the other end as R has it.
func TestAsinCIAtTheBounds(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name           string
		p, se          float64
		df             int
		wantLo, wantHi float64
	}{
		// R: 0.790464513670593 0.983882727850560 (upper end below the
		// interval's angle: folded back past π/2).
		{"past one", 0.97, 0.04, 5, 0.790464513670593, 1},
		// R: 0.0391117601722776 0.2155986308368858 (lower end above p̂).
		{"past zero", 0.02, 0.03, 3, 0, 0.2155986308368858},
		{"rate of one", 1, 0, 5, nan, nan},
		{"rate of zero", 0, 0.01, 5, nan, nan},
		{"no degrees of freedom", 0.5, 0.1, 0, nan, nan},
		{"no standard error", 0.5, nan, 5, nan, nan},
		{"standard error zero", 0.4, 0, 5, 0.4, 0.4},
	} {
		t.Run(c.name, func(t *testing.T) {
			lo, hi := asinCI(c.p, c.se, c.df, 0.95, tQuantile)
			if !closeTo(lo, c.wantLo, 1e-12) || !closeTo(hi, c.wantHi, 1e-12) {
				t.Errorf("asinCI(%v, %v, %d) = (%.15g, %.15g), want (%.15g, %.15g)", c.p, c.se, c.df, lo, hi, c.wantLo, c.wantHi)
			}
		})
	}
}

// TestAsinCIHoldsTheEstimate: within [0, 1], around p̂, and wider as the
// standard error or the level grows.
func TestAsinCIHoldsTheEstimate(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 1))
	for range 20000 {
		p := r.Float64()
		se := r.Float64() * 0.3
		df := 1 + r.IntN(60)
		lo, hi := asinCI(p, se, df, 0.95, tQuantile)
		if p == 0 {
			continue
		}
		if !(0 <= lo && lo <= p && p <= hi && hi <= 1) {
			t.Fatalf("asinCI(%v, %v, %d) = (%v, %v): not around the estimate within [0, 1]", p, se, df, lo, hi)
		}
		lo2, hi2 := asinCI(p, se*1.5, df, 0.95, tQuantile)
		lo3, hi3 := asinCI(p, se, df, 0.99, tQuantile)
		if lo2 > lo || hi2 < hi || lo3 > lo || hi3 < hi {
			t.Fatalf("asinCI(%v, %v, %d) = (%v, %v) is not inside its wider versions (%v, %v), (%v, %v)", p, se, df, lo, hi, lo2, hi2, lo3, hi3)
		}
	}
}
