package sampling

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// checkFrequencies compares how often each unit was selected in R draws with
// its probability p. Units with p = 0 or 1 must never or always be selected.
// For the others, the count is Binomial(R, p): each z-score must be within
// ±4.5, and Σz² must be below the 99.9 % point of χ² with as many degrees of
// freedom. (Counts of units drawn together are negatively correlated, which
// makes Σz² smaller on average, so the χ² bound is conservative.) The seeds
// are fixed, so the test is deterministic.
func checkFrequencies(t *testing.T, what string, p []float64, counts []int, R int) {
	t.Helper()
	var chi2 float64
	df := 0
	for i, pi := range p {
		o := counts[i]
		switch {
		case pi == 0 && o != 0, pi == 1 && o != R:
			t.Errorf("%s: unit %d with π = %v selected %d times in %d", what, i, pi, o, R)
			continue
		case pi == 0 || pi == 1:
			continue
		}
		e := float64(R) * pi
		z := (float64(o) - e) / math.Sqrt(e*(1-pi))
		if math.Abs(z) > 4.5 {
			t.Errorf("%s: unit %d with π = %.4f selected %d times in %d, expected %.1f (z = %.2f)", what, i, pi, o, R, e, z)
		}
		chi2 += z * z
		df++
	}
	if df > 0 {
		limit := distuv.ChiSquared{K: float64(df)}.Quantile(0.999)
		if chi2 > limit {
			t.Errorf("%s: χ² = %.1f on %d df exceeds %.1f", what, chi2, df, limit)
		}
		t.Logf("%s: χ² = %.1f on %d df (99.9%% point %.1f)", what, chi2, df, limit)
	}
}

func TestSRSFrequencies(t *testing.T) {
	units := makeFrame([]int{5, 7}, []int{7}, []int{3})
	sizes := map[int32]int{10: 4, 20: 3, 30: 5}
	reserves := map[int32]int{10: 2, 20: 1, 30: 1}
	d := StratifiedSRS{Sizes: sizes, Reserves: reserves}
	pi, err := d.Probabilities(units)
	if err != nil {
		t.Fatal(err)
	}
	// A reserve household is in the n + r first places of a random
	// permutation but not in the first n: probability r/N (0 when taken whole).
	pr := make([]float64, len(units))
	N := map[int32]float64{10: 12, 20: 7, 30: 3}
	for i, u := range units {
		if sizes[u.Stratum] < int(N[u.Stratum]) {
			pr[i] = float64(reserves[u.Stratum]) / N[u.Stratum]
		}
	}
	const R = 5000
	inMain, inReserve := make([]int, len(units)), make([]int, len(units))
	for seed := uint64(1); seed <= R; seed++ {
		d.Seed = seed
		s, err := d.Draw(units)
		if err != nil {
			t.Fatal(err)
		}
		for _, sel := range s.Selections {
			if sel.Reserve == 0 {
				inMain[sel.Unit]++
			} else {
				inReserve[sel.Unit]++
			}
		}
	}
	checkFrequencies(t, "SRS main", pi, inMain, R)
	checkFrequencies(t, "SRS reserves", pr, inReserve, R)
}

func TestPPSFrequencies(t *testing.T) {
	// 50 is certain (3·50 ≥ 100); then π = 2·M/50; 0 is never drawn.
	sizes := []int{50, 3, 10, 0, 7, 20, 1, 9}
	const R = 20000
	for _, order := range []Order{OrderRandom, OrderSorted} {
		counts := make([]int, len(sizes))
		var pi []float64
		for seed := uint64(1); seed <= R; seed++ {
			res, err := SystematicPPS(sizes, 3, order, seed)
			if err != nil {
				t.Fatal(err)
			}
			pi = res.Pi
			for _, i := range res.Selected {
				counts[i]++
			}
		}
		checkFrequencies(t, "PPS "+order.String(), pi, counts, R)
	}
}

func TestTwoStageFrequencies(t *testing.T) {
	// Street 10: 30 is certain (2·30 ≥ 45), then one of 8, 5, 2 with π1 =
	// M/15; the community of 2 is taken whole. Street 20 takes all three
	// communities.
	units := makeFrame([]int{30, 8, 5, 2}, []int{6, 6, 6})
	d := TwoStage{PSUs: map[int32]int{10: 2, 20: 3}, PerPSU: 4, ReservesPerPSU: 2}
	pi, err := d.Probabilities(units)
	if err != nil {
		t.Fatal(err)
	}
	const R = 4000
	counts := make([]int, len(units))
	for seed := uint64(1); seed <= R; seed++ {
		d.Seed = seed
		s, err := d.Draw(units)
		if err != nil {
			t.Fatal(err)
		}
		for _, sel := range mainOf(s) {
			counts[sel.Unit]++
		}
	}
	checkFrequencies(t, "two-stage", pi, counts, R)
}

// The bounded integers behind every draw are uniform.
func TestUniformIntegers(t *testing.T) {
	r := newStream(1, tagSRS, 0, 0)
	const n, R = 7, 70000
	counts := make([]int, n)
	for range R {
		counts[r.intn(n)]++
	}
	p := make([]float64, n)
	for i := range p {
		p[i] = 1.0 / n
	}
	checkFrequencies(t, "intn(7)", p, counts, R)
}
