package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mcPopulation is a finite district: strata (streets) of PSUs
// (communities) of households with a 0/1 answer.
type mcPopulation struct {
	psus [][][]float64 // [stratum][psu][household]
	rate float64       // the true rate
}

func newMCPopulation(rng *rand.Rand, strata, psus int) *mcPopulation {
	pop := &mcPopulation{psus: make([][][]float64, strata)}
	var sum, n float64
	for h := range strata {
		street := rng.NormFloat64() * 0.4
		for range psus {
			eff := 1.1 + street + rng.NormFloat64()*0.6
			p := 1 / (1 + math.Exp(-eff))
			m := 30 + rng.IntN(51)
			hh := make([]float64, m)
			for i := range hh {
				if rng.Float64() < p {
					hh[i] = 1
					sum++
				}
				n++
			}
			pop.psus[h] = append(pop.psus[h], hh)
		}
	}
	pop.rate = sum / n
	return pop
}

// draw takes nPSU communities per street by simple random sampling and m
// households in each; weights are the inverse inclusion probabilities.
func (pop *mcPopulation) draw(rng *rand.Rand, nPSU, m int, s *Sample) {
	s.Stratum, s.PSU, s.Weight, s.Vars[0] = s.Stratum[:0], s.PSU[:0], s.Weight[:0], s.Vars[0][:0]
	id := int32(0)
	for h, psus := range pop.psus {
		for _, j := range rng.Perm(len(psus))[:nPSU] {
			hh := psus[j]
			w := float64(len(psus)) / float64(nPSU) * float64(len(hh)) / float64(m)
			for _, i := range rng.Perm(len(hh))[:m] {
				s.Stratum = append(s.Stratum, int32(h))
				s.PSU = append(s.PSU, id)
				s.Weight = append(s.Weight, w)
				s.Vars[0] = append(s.Vars[0], hh[i])
			}
			id++
		}
	}
}

// TestLogitCoverage checks on a simulated two-stage street survey that the
// 95 % logit interval covers the true rate in 93–97 % of samples.
func TestLogitCoverage(t *testing.T) {
	const reps = 500
	rng := rand.New(rand.NewPCG(2026, 11))
	pop := newMCPopulation(rng, 8, 30)
	// First-stage fpc: 4 of 30 communities per street, drawn without
	// replacement (the ultimate-cluster variance with fpc, as R's default).
	d := &Design{FPC: []float64{30, 30, 30, 30, 30, 30, 30, 30}}
	s := &Sample{Vars: [][]float64{nil}}
	covered := 0
	vars := []Variable{{Name: "y", Kind: Rate}}
	for range reps {
		pop.draw(rng, 4, 8, s)
		est, err := EstimateSample(d, s, vars, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if e := est[0]; e.CILow <= pop.rate && pop.rate <= e.CIHigh {
			covered++
		}
	}
	cov := float64(covered) / reps
	t.Logf("coverage %.3f over %d samples (true rate %.4f)", cov, reps, pop.rate)
	if cov < 0.93 || cov > 0.97 {
		t.Fatalf("coverage %.3f outside [0.93, 0.97]", cov)
	}
}
