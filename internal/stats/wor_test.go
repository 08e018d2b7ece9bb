package stats

import (
	"errors"
	"math"
	"testing"
)

// TestWORNotWR checks that the golden without-replacement cases exercise
// what sets them apart: the with-replacement variance of the same sample
// differs, certainty communities add only within-community variance, and
// the second stage counts.
func TestWORNotWR(t *testing.T) {
	g := loadGolden(t)
	for i := range g.Cases {
		c := &g.Cases[i]
		if c.Name != "wor_cert" {
			continue
		}
		s, d, _ := goldenSample(t, c)
		vars := make([]Variable, len(c.Vars))
		for v, n := range c.Vars {
			vars[v] = Variable{Name: n, Kind: Mean}
		}
		wor, err := EstimateSample(d, s, vars, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Variance() != VarianceWOR {
			t.Fatalf("design variance %v", d.Variance())
		}
		wr := *d
		wr.PSUs = nil
		wrEst, err := EstimateSample(&wr, s, vars, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !(wor[0].SE < wrEst[0].SE) {
			t.Errorf("district se: without replacement %v, with %v; want smaller", wor[0].SE, wrEst[0].SE)
		}
		// Without the second stage (every household taken) only the
		// first stage is left: smaller again.
		full := *d
		full.PSUs = make([]PSUProb, len(d.PSUs))
		certain := 0
		for j, p := range d.PSUs {
			full.PSUs[j] = PSUProb{First: p.First, Second: 1}
			if p.First == 1 {
				certain++
			}
		}
		if certain == 0 {
			t.Fatal("wor_cert has no certainty community")
		}
		one, err := EstimateSample(&full, s, vars, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !(one[0].SE < wor[0].SE) {
			t.Errorf("without the second stage se %v, with it %v; want smaller", one[0].SE, wor[0].SE)
		}
		// All communities certain and all households taken: a census.
		for j := range full.PSUs {
			full.PSUs[j].First = 1
		}
		cen, err := EstimateSample(&full, s, vars, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if cen[0].SE != 0 {
			t.Errorf("a census has se %v", cen[0].SE)
		}
		return
	}
	t.Fatal("no wor_cert case")
}

func TestWORBadProbabilities(t *testing.T) {
	s := &Sample{Stratum: []int32{0, 0, 0, 0}, PSU: []int32{0, 0, 1, 1}, Weight: []float64{2, 2, 3, 3}, Vars: [][]float64{{1, 0, 1, 1}}}
	for _, probs := range [][]PSUProb{
		{{First: 0.5, Second: 0.5}},                            // PSU 1 missing
		{{First: 0.5, Second: 0.5}, {First: 1.5, Second: 0.5}}, // above 1
		{{First: 0.5, Second: 0}, {First: 0.5, Second: 0.5}},   // zero
		{{First: math.NaN(), Second: 1}, {First: 0.5, Second: 0.5}},
	} {
		_, err := EstimateSample(&Design{PSUs: probs}, s, []Variable{{Name: "y"}}, Options{})
		if err == nil {
			t.Errorf("probabilities %v accepted", probs)
		}
	}
	_, err := EstimateSample(&Design{PSUs: []PSUProb{{0.5, 0.5}, {0.5, 0.5}}, FPC: []float64{10}}, s, []Variable{{Name: "y"}}, Options{})
	if err == nil {
		t.Error("fpc and probabilities together accepted")
	}
	// A community of one household under "fail": the second stage has a
	// lonely unit.
	s1 := &Sample{Stratum: []int32{0, 0, 0}, PSU: []int32{0, 0, 1}, Weight: []float64{2, 2, 3}, Vars: [][]float64{{1, 0, 1}}}
	_, err = EstimateSample(&Design{PSUs: []PSUProb{{0.5, 0.5}, {0.5, 0.5}}}, s1, []Variable{{Name: "y"}}, Options{})
	if !errors.Is(err, ErrLonelyPSU) {
		t.Errorf("lonely unit: %v", err)
	}
}

func TestParseVariance(t *testing.T) {
	for _, v := range []Variance{VarianceWOR, VarianceWR} {
		got, err := ParseVariance(v.String())
		if err != nil || got != v {
			t.Errorf("%v: %v, %v", v, got, err)
		}
	}
	if _, err := ParseVariance("srs"); err == nil {
		t.Error("srs accepted")
	}
}

// TestWORComposite: a composite index keeps the with-replacement variance
// under a without-replacement design, one component or several.
func TestWORComposite(t *testing.T) {
	g := loadGolden(t)
	for i := range g.Cases {
		c := &g.Cases[i]
		if c.Name != "wor_cert" && c.Name != "wor_cert_poststratified" {
			continue
		}
		s, d, _ := goldenSample(t, c)
		aggs, err := s.Aggregates()
		if err != nil {
			t.Fatal(err)
		}
		wr := *d
		wr.PSUs = nil
		for _, w := range [][]float64{{0, 0.5, 0.5, 0}, {0, 1, 0, 0}} {
			a, err := EstimateComposite(d, aggs, Composite{Name: "i", Weights: w}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := EstimateComposite(&wr, aggs, Composite{Name: "i", Weights: w}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for k := range a {
				if a[k].SE != b[k].SE || a[k].Value != b[k].Value {
					t.Errorf("%s %v #%d: %v ± %v, with replacement %v ± %v", c.Name, w, k, a[k].Value, a[k].SE, b[k].Value, b[k].SE)
				}
			}
		}
	}
}
