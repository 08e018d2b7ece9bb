package stats

import (
	"math/rand/v2"
	"testing"
)

// benchSample is 20 strata × 20 PSUs × 250 responses = 100,000 responses
// with 4 rate variables and 20 domains.
func benchSample() *Sample {
	return simSample(rand.New(rand.NewPCG(7, 8)), 20, 20, 250, 4, 20)
}

func reportPerResponse(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/response")
}

// BenchmarkEstimateRows is the row-level path: aggregation in one pass and
// the estimates (population and 20 domains, 4 variables, logit intervals).
func BenchmarkEstimateRows(b *testing.B) {
	s := benchSample()
	vars := rateVars(4)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := EstimateSample(&Design{}, s, vars, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportPerResponse(b, s.Len())
}

// BenchmarkAggregate is the aggregation pass alone.
func BenchmarkAggregate(b *testing.B) {
	s := benchSample()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Aggregates(); err != nil {
			b.Fatal(err)
		}
	}
	reportPerResponse(b, s.Len())
}

// BenchmarkEstimateAggregates is the finishing step after a SQL GROUP BY:
// 400 PSUs × 20 domains of aggregates.
func BenchmarkEstimateAggregates(b *testing.B) {
	s := benchSample()
	aggs, err := s.Aggregates()
	if err != nil {
		b.Fatal(err)
	}
	vars := rateVars(4)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := EstimateAggregates(&Design{}, aggs, vars, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(aggs)), "aggregates")
}

// BenchmarkEstimateRaked adds raking residuals (2 margins, 6 cells).
func BenchmarkEstimateRaked(b *testing.B) {
	s := benchSample()
	rng := rand.New(rand.NewPCG(9, 10))
	s.Cell = make([]int32, s.Len())
	cellW := make([]float64, 6)
	for i := range s.Cell {
		s.Cell[i] = int32(rng.IntN(6))
		cellW[s.Cell[i]] += s.Weight[i]
	}
	age := Margin{Level: []int32{0, 0, 1, 1, 2, 2}, Population: []float64{4e5, 5e5, 3e5}}
	sex := Margin{Level: []int32{0, 1, 0, 1, 0, 1}, Population: []float64{6.1e5, 5.9e5}}
	cal, err := Rake(cellW, []Margin{age, sex}, RakeOptions{Epsilon: 1e-9, MaxIter: 100})
	if err != nil {
		b.Fatal(err)
	}
	if err := cal.Reweight(s.Weight, s.Cell); err != nil {
		b.Fatal(err)
	}
	d := &Design{Calibration: cal}
	vars := rateVars(4)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := EstimateSample(d, s, vars, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	reportPerResponse(b, s.Len())
}
