package sampling

import "testing"

// benchFrame is a district of 1,000,000 households in 20 streets of 20
// communities each, community sizes between about 600 and 4,400.
func benchFrame() []Unit {
	const N, streets, perStreet = 1_000_000, 20, 20
	weights := make([]int, streets*perStreet)
	total := 0
	for c := range weights {
		weights[c] = 300 + (c*7919)%2200 // deterministic spread
		total += weights[c]
	}
	units := make([]Unit, 0, N)
	for c, w := range weights {
		n := w * N / total
		if c == len(weights)-1 {
			n = N - len(units)
		}
		for range n {
			units = append(units, Unit{Stratum: int32(c / perStreet), PSU: int32(c), Size: 3})
		}
	}
	return units
}

// BenchmarkTwoStage1M draws 10 communities × 20 households (+5 reserves)
// in each of 20 streets from 1,000,000 households.
// Run: go test -run '^$' -bench 1M -benchmem ./internal/sampling
func BenchmarkTwoStage1M(b *testing.B) {
	units := benchFrame()
	psus := make(map[int32]int)
	for h := range int32(20) {
		psus[h] = 10
	}
	d := TwoStage{Seed: 1, PSUs: psus, PerPSU: 20, ReservesPerPSU: 5}
	b.ReportAllocs()
	for b.Loop() {
		s, err := d.Draw(units)
		if err != nil {
			b.Fatal(err)
		}
		if s.MainSize() != 20*10*20 {
			b.Fatalf("main sample %d", s.MainSize())
		}
	}
}

// BenchmarkStratifiedSRS1M draws 200 households (+20 reserves) in each of
// 20 streets from 1,000,000 households.
func BenchmarkStratifiedSRS1M(b *testing.B) {
	units := benchFrame()
	sizes, reserves := make(map[int32]int), make(map[int32]int)
	for h := range int32(20) {
		sizes[h], reserves[h] = 200, 20
	}
	d := StratifiedSRS{Seed: 1, Sizes: sizes, Reserves: reserves}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Draw(units); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProbabilities1M computes π for every household of the frame.
func BenchmarkProbabilities1M(b *testing.B) {
	units := benchFrame()
	psus := make(map[int32]int)
	for h := range int32(20) {
		psus[h] = 10
	}
	d := TwoStage{PSUs: psus, PerPSU: 20}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Probabilities(units); err != nil {
			b.Fatal(err)
		}
	}
}
