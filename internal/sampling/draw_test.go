package sampling

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

// makeFrame builds a frame with len(strata) streets; strata[h][c] is the
// number of households of community c of street h. Street h has id 10·(h+1)
// and its communities ids 100·(h+1)+c, so ids are not dense.
func makeFrame(strata ...[]int) []Unit {
	var units []Unit
	for h, comms := range strata {
		for c, n := range comms {
			for range n {
				units = append(units, Unit{Stratum: int32(10 * (h + 1)), PSU: int32(100*(h+1) + c)})
			}
		}
	}
	return units
}

func sumBy(units []Unit, pi []float64) map[int32]float64 {
	s := make(map[int32]float64)
	for i, u := range units {
		s[u.Stratum] += pi[i]
	}
	return s
}

func mainOf(s *Sample) []Selection {
	var out []Selection
	for _, sel := range s.Selections {
		if sel.Reserve == 0 {
			out = append(out, sel)
		}
	}
	return out
}

func TestDescribeGroupsInterleavedFrames(t *testing.T) {
	units := []Unit{{7, 2, 0}, {3, 1, 0}, {7, 1, 0}, {3, 1, 0}, {7, 2, 0}, {7, 2, 0}}
	got, err := Describe(units)
	if err != nil {
		t.Fatal(err)
	}
	want := []Info{{Stratum: 3, Households: 2, Communities: 1}, {Stratum: 7, Households: 4, Communities: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Describe = %+v, want %+v", got, want)
	}
	if s := Strata(got); s[1].ID != 7 || s[1].Households != 4 {
		t.Errorf("Strata = %+v", s)
	}
	if _, err := Describe(nil); err == nil {
		t.Error("an empty frame should fail")
	}
}

func TestStratifiedSRS(t *testing.T) {
	units := makeFrame([]int{40, 60}, []int{30}, []int{5, 3})
	d := StratifiedSRS{Seed: 7, Sizes: map[int32]int{10: 20, 20: 9, 30: 12}, Reserves: map[int32]int{10: 5, 30: 4}}
	pi, err := d.Probabilities(units)
	if err != nil {
		t.Fatal(err)
	}
	// Σπ over a stratum is its sample size n_h (min(n_h, N_h) when taken whole).
	sums := sumBy(units, pi)
	for id, want := range map[int32]float64{10: 20, 20: 9, 30: 8} {
		if math.Abs(sums[id]-want) > 1e-9 {
			t.Errorf("stratum %d: Σπ = %v, want %v", id, sums[id], want)
		}
	}
	s, err := d.Draw(units)
	if err != nil {
		t.Fatal(err)
	}
	wantStrata := []StratumResult{
		{Stratum: 10, Households: 100, Communities: 2, Requested: 20, Drawn: 20, Reserves: 5},
		{Stratum: 20, Households: 30, Communities: 1, Requested: 9, Drawn: 9},
		{Stratum: 30, Households: 8, Communities: 2, Requested: 12, Drawn: 8, TakeAll: true},
	}
	if !reflect.DeepEqual(s.Strata, wantStrata) {
		t.Errorf("strata =\n%+v\nwant\n%+v", s.Strata, wantStrata)
	}
	if s.MainSize() != 37 || len(s.Selections) != 42 {
		t.Errorf("main %d, selections %d; want 37, 42", s.MainSize(), len(s.Selections))
	}
	seen := map[int]bool{}
	ranks := map[int32][]int{}
	for _, sel := range s.Selections {
		u := units[sel.Unit]
		if seen[sel.Unit] {
			t.Errorf("unit %d drawn twice", sel.Unit)
		}
		seen[sel.Unit] = true
		if sel.Stratum != u.Stratum || sel.Community != u.PSU || sel.PSU != int64(sel.Unit) {
			t.Errorf("selection %+v does not match unit %+v", sel, u)
		}
		if math.Abs(sel.Pi-pi[sel.Unit]) > 1e-12 || sel.Pi2 != 1 || math.Abs(sel.Weight*sel.Pi-1) > 1e-12 {
			t.Errorf("selection %+v: π should be %v, π2 1, weight 1/π", sel, pi[sel.Unit])
		}
		if sel.Reserve > 0 {
			ranks[sel.Stratum] = append(ranks[sel.Stratum], sel.Reserve)
		}
	}
	if !reflect.DeepEqual(ranks, map[int32][]int{10: {1, 2, 3, 4, 5}}) {
		t.Errorf("reserve ranks = %v, want 1..5 in stratum 10 only (30 is taken whole)", ranks)
	}
}

func TestSRSErrors(t *testing.T) {
	units := makeFrame([]int{10}, []int{10})
	for name, d := range map[string]StratifiedSRS{
		"missing stratum":    {Sizes: map[int32]int{10: 3}},
		"unknown stratum":    {Sizes: map[int32]int{10: 3, 20: 3, 99: 1}},
		"negative size":      {Sizes: map[int32]int{10: -3, 20: 3}},
		"negative reserves":  {Sizes: map[int32]int{10: 3, 20: 3}, Reserves: map[int32]int{10: -1}},
		"reserves elsewhere": {Sizes: map[int32]int{10: 3, 20: 3}, Reserves: map[int32]int{99: 1}},
	} {
		if _, err := d.Draw(units); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestSystematicPPS(t *testing.T) {
	tests := []struct {
		name      string
		sizes     []int
		n         int
		pi        []float64
		certainty int
		interval  float64
	}{
		{"no certainty: π = n·M/T", []int{10, 20, 30, 40}, 2,
			[]float64{0.2, 0.4, 0.6, 0.8}, 0, 50},
		{"a unit larger than the interval 100/3 is certain, then π = 2·M/50",
			[]int{50, 3, 10, 0, 7, 20, 1, 9}, 3,
			[]float64{1, 0.12, 0.4, 0, 0.28, 0.8, 0.04, 0.36}, 1, 25},
		{"a unit exactly at the interval is certain", []int{25, 25, 25, 25}, 4,
			[]float64{1, 1, 1, 1}, 4, 0},
		{"certainty found only after a first removal: 20 ≥ 40/2",
			[]int{60, 20, 10, 5, 5}, 3,
			[]float64{1, 1, 0.5, 0.25, 0.25}, 2, 20},
		{"two certain at once", []int{40, 35, 10, 10, 5}, 3,
			[]float64{1, 1, 0.4, 0.4, 0.2}, 2, 25},
		{"zero-size communities are never drawn, even when n covers the rest",
			[]int{0, 5, 0, 7}, 3, []float64{0, 1, 0, 1}, 2, 0},
		{"n larger than the list", []int{4, 2}, 5, []float64{1, 1}, 2, 0},
		{"n = 0", []int{4, 2}, 0, []float64{0, 0}, 0, 0},
		{"all sizes zero", []int{0, 0}, 1, []float64{0, 0}, 0, 0},
	}
	for _, tt := range tests {
		for _, order := range []Order{OrderRandom, OrderSorted} {
			t.Run(tt.name+"/"+order.String(), func(t *testing.T) {
				for seed := uint64(0); seed < 50; seed++ {
					res, err := SystematicPPS(tt.sizes, tt.n, order, seed)
					if err != nil {
						t.Fatal(err)
					}
					var sum float64
					for i := range tt.pi {
						if math.Abs(res.Pi[i]-tt.pi[i]) > 1e-12 {
							t.Fatalf("π = %v, want %v", res.Pi, tt.pi)
						}
						sum += res.Pi[i]
					}
					// Σπ is the number of units drawn, and exactly that many are.
					if math.Abs(sum-float64(len(res.Selected))) > 1e-9 {
						t.Fatalf("Σπ = %v but %d drawn", sum, len(res.Selected))
					}
					if res.Certainty != tt.certainty || math.Abs(res.Interval-tt.interval) > 1e-12 {
						t.Fatalf("certainty %d, interval %v; want %d, %v", res.Certainty, res.Interval, tt.certainty, tt.interval)
					}
					if !slices.IsSorted(res.Selected) {
						t.Fatalf("selected %v not sorted", res.Selected)
					}
					for _, i := range res.Selected {
						if tt.sizes[i] == 0 {
							t.Fatalf("zero-size unit %d drawn", i)
						}
					}
					for i, c := range res.Certain {
						if c && !slices.Contains(res.Selected, i) {
							t.Fatalf("certain unit %d not drawn", i)
						}
					}
				}
			})
		}
	}
	if _, err := SystematicPPS([]int{1, -1}, 1, OrderRandom, 0); err == nil {
		t.Error("negative sizes should fail")
	}
	if _, err := SystematicPPS([]int{1}, -1, OrderRandom, 0); err == nil {
		t.Error("negative n should fail")
	}
}

func TestTwoStage(t *testing.T) {
	// Street 10: communities of 300, 90, 60, 30, 15, 3 households (T = 498);
	// asking for 4 makes 300 certain (4·300 ≥ 498), then a' = 3, T' = 198,
	// interval 66: 90 is certain too, then a' = 2, T' = 108, interval 54:
	// 60 ≥ 54 is certain, leaving a' = 1 over T' = 48.
	// Street 20 asks for more communities than it has and takes them all.
	units := makeFrame([]int{300, 90, 60, 30, 15, 3}, []int{12, 4})
	d := TwoStage{Seed: 99, PSUs: map[int32]int{10: 4, 20: 5}, PerPSU: 5, ReservesPerPSU: 3}
	pi, err := d.Probabilities(units)
	if err != nil {
		t.Fatal(err)
	}
	// π1: 1, 1, 1, 30/48, 15/48, 3/48; π2 = min(5, M)/M.
	wantPi := map[int32]float64{
		100: 5.0 / 300, 101: 5.0 / 90, 102: 5.0 / 60,
		103: 30.0 / 48 * 5 / 30, 104: 15.0 / 48 * 5 / 15, 105: 3.0 / 48,
		200: 5.0 / 12, 201: 1,
	}
	for i, u := range units {
		if math.Abs(pi[i]-wantPi[u.PSU]) > 1e-12 {
			t.Fatalf("unit %d in community %d: π = %v, want %v", i, u.PSU, pi[i], wantPi[u.PSU])
		}
	}
	// Σπ = expected sample size: street 10: 5+5+5 + (30+15)/48·5 + 3/48·3.
	sums := sumBy(units, pi)
	if want := 15 + 45.0/48*5 + 9.0/48; math.Abs(sums[10]-want) > 1e-9 {
		t.Errorf("Σπ street 10 = %v, want %v", sums[10], want)
	}
	if want := 5.0 + 4; math.Abs(sums[20]-want) > 1e-9 {
		t.Errorf("Σπ street 20 = %v, want %v", sums[20], want)
	}

	for seed := uint64(0); seed < 30; seed++ {
		d.Seed = seed
		s, err := d.Draw(units)
		if err != nil {
			t.Fatal(err)
		}
		st := s.Strata
		if st[0].PSUsDrawn != 4 || st[0].Certainty != 3 || st[0].Interval != 48 || st[0].TakeAll {
			t.Fatalf("street 10: %+v", st[0])
		}
		if st[1].PSUsDrawn != 2 || st[1].Certainty != 2 || !st[1].TakeAll || st[1].SmallPSUs != 1 ||
			st[1].Drawn != 9 || st[1].Reserves != 3 || st[1].Requested != 25 {
			t.Fatalf("street 20: %+v", st[1])
		}
		byPSU := map[int32][]Selection{}
		for _, sel := range s.Selections {
			u := units[sel.Unit]
			if sel.Stratum != u.Stratum || sel.Community != u.PSU || sel.PSU != int64(u.PSU) {
				t.Fatalf("selection %+v does not match unit %+v", sel, u)
			}
			if math.Abs(sel.Pi-pi[sel.Unit]) > 1e-12 || math.Abs(sel.Pi1*sel.Pi2-sel.Pi) > 1e-15 ||
				math.Abs(sel.Weight*sel.Pi-1) > 1e-12 {
				t.Fatalf("selection %+v: π should be %v", sel, pi[sel.Unit])
			}
			byPSU[sel.Community] = append(byPSU[sel.Community], sel)
		}
		for psu, sels := range byPSU {
			var main, ranks []int
			for _, sel := range sels {
				if sel.Reserve == 0 {
					main = append(main, sel.Unit)
				} else {
					ranks = append(ranks, sel.Reserve)
				}
			}
			if len(main) != min(5, countPSU(units, psu)) || !slices.IsSorted(main) {
				t.Fatalf("community %d: main %v", psu, main)
			}
			wantRanks := make([]int, min(3, countPSU(units, psu)-len(main)))
			for i := range wantRanks {
				wantRanks[i] = i + 1
			}
			if !slices.Equal(ranks, wantRanks) {
				t.Fatalf("community %d: reserve ranks %v, want %v", psu, ranks, wantRanks)
			}
		}
	}
}

func countPSU(units []Unit, psu int32) int {
	n := 0
	for _, u := range units {
		if u.PSU == psu {
			n++
		}
	}
	return n
}

func TestTwoStageErrors(t *testing.T) {
	units := makeFrame([]int{10, 5})
	for name, d := range map[string]TwoStage{
		"m = 0":             {PSUs: map[int32]int{10: 1}},
		"negative reserves": {PSUs: map[int32]int{10: 1}, PerPSU: 2, ReservesPerPSU: -1},
		"missing stratum":   {PSUs: map[int32]int{}, PerPSU: 2},
		"bad order":         {PSUs: map[int32]int{10: 1}, PerPSU: 2, Order: Order(7)},
	} {
		if _, err := d.Draw(units); err == nil {
			t.Errorf("%s: want an error", name)
		}
		if _, err := d.Probabilities(units); err == nil {
			t.Errorf("%s: Probabilities wants an error", name)
		}
	}
}

func TestReproducible(t *testing.T) {
	units := makeFrame([]int{120, 80, 50, 200, 30}, []int{60, 60, 60}, []int{500})
	designs := map[string]func(seed uint64) Design{
		"srs": func(seed uint64) Design {
			return StratifiedSRS{Seed: seed, Sizes: map[int32]int{10: 40, 20: 30, 30: 25}, Reserves: map[int32]int{10: 4, 20: 4, 30: 4}}
		},
		"two-stage random": func(seed uint64) Design {
			return TwoStage{Seed: seed, PSUs: map[int32]int{10: 2, 20: 2, 30: 1}, PerPSU: 10, ReservesPerPSU: 2}
		},
		"two-stage sorted": func(seed uint64) Design {
			return TwoStage{Seed: seed, PSUs: map[int32]int{10: 2, 20: 2, 30: 1}, PerPSU: 10, ReservesPerPSU: 2, Order: OrderSorted}
		},
	}
	for name, mk := range designs {
		t.Run(name, func(t *testing.T) {
			a, err := mk(2026).Draw(units)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := mk(2026).Draw(units)
			if !reflect.DeepEqual(a, b) {
				t.Error("the same seed gave different samples")
			}
			c, _ := mk(2027).Draw(units)
			if reflect.DeepEqual(a.Selections, c.Selections) {
				t.Error("different seeds gave the same sample")
			}
			// A street's sample does not depend on the other streets.
			other := append([]Unit(nil), units...)
			other = append(other, Unit{Stratum: 10, PSU: 199}) // a new community in street 10
			d, err := mk(2026).Draw(other)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stratumOf(a, 30), stratumOf(d, 30)) {
				t.Error("changing street 10 changed street 30's sample")
			}
		})
	}
}

func stratumOf(s *Sample, id int32) []Selection {
	var out []Selection
	for _, sel := range s.Selections {
		if sel.Stratum == id {
			out = append(out, sel)
		}
	}
	return out
}

// TestGolden pins the sample of one seed. If it changes, every stored sample
// could no longer be reproduced: that is a breaking change, not a test to
// update casually.
func TestGolden(t *testing.T) {
	units := makeFrame([]int{25, 15}, []int{30, 10, 20})
	srs, err := StratifiedSRS{Seed: 20261126, Sizes: map[int32]int{10: 4, 20: 3}, Reserves: map[int32]int{10: 2, 20: 1}}.Draw(units)
	if err != nil {
		t.Fatal(err)
	}
	two, err := TwoStage{Seed: 20261126, PSUs: map[int32]int{10: 1, 20: 2}, PerPSU: 3, ReservesPerPSU: 1}.Draw(units)
	if err != nil {
		t.Fatal(err)
	}
	got := [][]int{unitsOf(srs), unitsOf(two)}
	want := [][]int{
		{12, 35, 36, 39, 11, 28, 40, 42, 71, 69},
		{0, 19, 23, 22, 57, 62, 63, 64, 89, 95, 99, 83},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("golden samples changed:\ngot  %v\nwant %v", got, want)
	}
}

func unitsOf(s *Sample) []int {
	var out []int
	for _, sel := range s.Selections {
		out = append(out, sel.Unit)
	}
	return out
}
