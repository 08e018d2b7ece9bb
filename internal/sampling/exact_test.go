package sampling

import (
	"math"
	"testing"
)

// The exact two-stage design takes n_h households, no more: the last
// selected community of a street takes fewer than m. Street 20 takes all
// of its communities (π1 = 1), so its π are fixed: 4/6, 4/6 and 1/6, and
// the draw frequencies must match them. In street 10 the first stage is
// random and a community's π2 depends on which others were drawn; there
// the Horvitz–Thompson property is tested instead: for every household,
// the mean over draws of (selected ? 1/π : 0) is 1.
func TestTwoStageExact(t *testing.T) {
	units := makeFrame([]int{30, 8, 5, 9}, []int{6, 6, 6})
	const m = 4
	d := TwoStage{PSUs: map[int32]int{10: 2, 20: 3}, PerPSU: m, ReservesPerPSU: 1,
		Exact: map[int32]int{10: 7, 20: 9}}
	if _, err := d.Probabilities(units); err == nil {
		t.Error("Probabilities of an exact design: want an error")
	}
	size := map[int32]int{}
	for _, u := range units {
		size[u.PSU]++
	}
	const R = 6000
	counts := make([]int, len(units))
	sum, sum2 := make([]float64, len(units)), make([]float64, len(units))
	for seed := uint64(1); seed <= R; seed++ {
		d.Seed = seed
		s, err := d.Draw(units)
		if err != nil {
			t.Fatal(err)
		}
		drawn := map[int32]int{}
		perPSU := map[int32]int{}
		for _, sel := range mainOf(s) {
			drawn[sel.Stratum]++
			perPSU[sel.Community]++
			counts[sel.Unit]++
			x := sel.Weight
			sum[sel.Unit] += x
			sum2[sel.Unit] += x * x
			if math.Abs(sel.Pi-sel.Pi1*sel.Pi2) > 1e-12 || math.Abs(sel.Weight*sel.Pi-1) > 1e-12 {
				t.Fatalf("seed %d: π = %v, π1·π2 = %v, weight %v", seed, sel.Pi, sel.Pi1*sel.Pi2, sel.Weight)
			}
		}
		for _, sel := range mainOf(s) { // π2 is what the community gave over its size
			if want := float64(perPSU[sel.Community]) / float64(size[sel.Community]); math.Abs(sel.Pi2-want) > 1e-12 {
				t.Fatalf("seed %d: community %d took %d of %d, π2 = %v", seed, sel.Community, perPSU[sel.Community], size[sel.Community], sel.Pi2)
			}
		}
		if drawn[10] != 7 || drawn[20] != 9 {
			t.Fatalf("seed %d: drew %v, want exactly 7 and 9", seed, drawn)
		}
		for _, st := range s.Strata {
			if st.Requested != d.Exact[st.Stratum] || st.Drawn != st.Requested {
				t.Fatalf("seed %d: stratum %+v", seed, st)
			}
		}
	}
	// Street 20: fixed π.
	pi := make([]float64, len(units))
	for i, u := range units {
		switch u.PSU {
		case 200, 201:
			pi[i] = 4.0 / 6
		case 202:
			pi[i] = 1.0 / 6
		}
	}
	street20 := func(v []float64, c []int) ([]float64, []int) {
		var pv []float64
		var cv []int
		for i, u := range units {
			if u.Stratum == 20 {
				pv, cv = append(pv, v[i]), append(cv, c[i])
			}
		}
		return pv, cv
	}
	p20, c20 := street20(pi, counts)
	checkFrequencies(t, "exact two-stage, street 20", p20, c20, R)
	// Every household: E[1{selected}/π] = 1.
	for i, u := range units {
		mean := sum[i] / R
		sd := math.Sqrt(max(sum2[i]/R-mean*mean, 0))
		if z := (mean - 1) / (sd / math.Sqrt(R)); math.Abs(z) > 4.5 {
			t.Errorf("household %d (community %d): mean weighted inclusion %.3f, z = %.2f", i, u.PSU, mean, z)
		}
	}
}

func TestTwoStageExactChecksPlan(t *testing.T) {
	units := makeFrame([]int{30, 8, 5, 9})
	d := TwoStage{PSUs: map[int32]int{10: 3}, PerPSU: 4, Exact: map[int32]int{10: 7}}
	if _, err := d.Draw(units); err == nil {
		t.Fatal("7 households at 4 per community in 3 communities: want an error")
	}
}
