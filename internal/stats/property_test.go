package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// simSample draws a stratified cluster sample with unequal weights, a
// domain column and missing values, for property tests and benchmarks.
func simSample(rng *rand.Rand, strata, psusPerStratum, perPSU, nvars, domains int) *Sample {
	s := &Sample{Vars: make([][]float64, nvars)}
	psu := int32(0)
	for h := range strata {
		for range psusPerStratum {
			eff := rng.NormFloat64() * 0.7
			for range perPSU {
				s.Stratum = append(s.Stratum, int32(h))
				s.PSU = append(s.PSU, psu)
				s.Weight = append(s.Weight, float64(10+5*h)*(0.5+rng.Float64()))
				s.Domain = append(s.Domain, int32(rng.IntN(domains)))
				for v := range nvars {
					y := 0.0
					if rng.Float64() < 1/(1+math.Exp(-(1+eff+0.2*float64(v)))) {
						y = 1
					}
					if rng.Float64() < 0.05 {
						y = math.NaN()
					}
					s.Vars[v] = append(s.Vars[v], y)
				}
			}
			psu++
		}
	}
	return s
}

func rateVars(n int) []Variable {
	vars := make([]Variable, n)
	for i := range vars {
		vars[i] = Variable{Name: string(rune('a' + i)), Kind: Rate}
	}
	return vars
}

func TestScaledWeightsChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := simSample(rng, 5, 4, 12, 3, 3)
	for _, c := range []struct {
		name  string
		scale float64
		ci    CIMethod
	}{
		{"×1000 logit", 1000, CILogit},
		{"×7.5 beta", 7.5, CIBeta},
		{"×3 wald", 3, CIWald},
	} {
		t.Run(c.name, func(t *testing.T) {
			scaled := *base
			scaled.Weight = make([]float64, len(base.Weight))
			for i, w := range base.Weight {
				scaled.Weight[i] = w * c.scale
			}
			opts := Options{CI: c.ci}
			a, err := EstimateSample(&Design{}, base, rateVars(3), opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := EstimateSample(&Design{}, &scaled, rateVars(3), opts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				// Deff is left out: R's deff carries the factor (N̂ − n)/N̂,
				// which depends on the scale of the weights.
				for _, pair := range [][2]float64{{a[i].Value, b[i].Value}, {a[i].SE, b[i].SE}, {a[i].CILow, b[i].CILow}, {a[i].CIHigh, b[i].CIHigh}} {
					if !closeTo(pair[1], pair[0], 1e-12) {
						t.Fatalf("estimate %d (%s domain %d): %v became %v", i, a[i].Variable, a[i].Domain, pair[0], pair[1])
					}
				}
				if a[i].N != b[i].N || a[i].DF != b[i].DF {
					t.Fatalf("estimate %d: n/df changed", i)
				}
			}
		})
	}
}

// With one stratum and every PSU a single response, the design is simple
// random sampling with replacement: Var = n/(n−1) Σ zᵢ², zᵢ = wᵢ(yᵢ − p̂)/Σw,
// which for equal weights is p̂(1 − p̂)/(n − 1).
func TestSRSWithReplacement(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name  string
		n     int
		equal bool
	}{
		{"equal weights n=50", 50, true},
		{"equal weights n=7", 7, true},
		{"unequal weights n=80", 80, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Sample{Vars: [][]float64{nil}}
			for i := range c.n {
				w := 1.0
				if !c.equal {
					w = 1 + 4*rng.Float64()
				}
				s.Stratum = append(s.Stratum, 0)
				s.PSU = append(s.PSU, int32(i))
				s.Weight = append(s.Weight, w)
				s.Vars[0] = append(s.Vars[0], float64(rng.IntN(2)))
			}
			est, err := EstimateSample(nil, s, rateVars(1), Options{})
			if err != nil {
				t.Fatal(err)
			}
			e := est[0]
			var sw, swy float64
			for i, w := range s.Weight {
				sw += w
				swy += w * s.Vars[0][i]
			}
			p := swy / sw
			var ss float64
			for i, w := range s.Weight {
				z := w * (s.Vars[0][i] - p) / sw
				ss += z * z
			}
			n := float64(c.n)
			want := n / (n - 1) * ss
			if c.equal && !closeTo(want, p*(1-p)/(n-1), 1e-12) {
				t.Fatalf("test formula disagrees with p(1-p)/(n-1)")
			}
			if !closeTo(e.Value, p, 1e-14) || !closeTo(e.SE*e.SE, want, 1e-12) {
				t.Fatalf("got %v (var %v), want %v (var %v)", e.Value, e.SE*e.SE, p, want)
			}
			if e.DF != c.n-1 {
				t.Fatalf("df %d, want %d", e.DF, c.n-1)
			}
		})
	}
}

// sqlGroupBy plays the database: it groups responses by (stratum, PSU,
// domain, cell) in row order, as a GROUP BY would, and returns the groups
// in a scrambled order.
func sqlGroupBy(s *Sample, rng *rand.Rand) []Aggregate {
	type key struct{ h, j, d, c int32 }
	idx := map[key]int{}
	var out []Aggregate
	for i := range s.Weight {
		k := key{s.Stratum[i], s.PSU[i], NoDomain, 0}
		if s.Domain != nil {
			k.d = s.Domain[i]
		}
		if s.Cell != nil {
			k.c = s.Cell[i]
		}
		g, ok := idx[k]
		if !ok {
			g = len(out)
			idx[k] = g
			out = append(out, Aggregate{Stratum: k.h, PSU: k.j, Domain: k.d, Cell: k.c, Vars: make([]VarSums, len(s.Vars))})
		}
		a := &out[g]
		w := s.Weight[i]
		a.Rows++
		a.SumW += w
		a.SumW2 += w * w
		for v := range s.Vars {
			y := s.Vars[v][i]
			if math.IsNaN(y) {
				continue
			}
			a.Vars[v].N++
			a.Vars[v].SumW += w
			a.Vars[v].SumWY += w * y
			a.Vars[v].SumWY2 += w * y * y
			a.Vars[v].SumY += y
			wy := w * y
			a.Vars[v].SumW2 += w * w
			a.Vars[v].SumW2Y += w * wy
			a.Vars[v].SumW2Y2 += wy * wy
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestRowsAndAggregatesAgree(t *testing.T) {
	g := loadGolden(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range g.Cases {
		c := &g.Cases[i]
		if c.Error != nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			s, d, _ := goldenSample(t, c)
			vars := make([]Variable, len(c.Vars))
			for v := range vars {
				vars[v] = Variable{Name: c.Vars[v], Kind: Rate}
				if !isBinary(s.Vars[v]) {
					vars[v].Kind = Mean
				}
			}
			for _, m := range []CIMethod{CILogit, CIBeta} {
				fromRows, err := EstimateSample(d, s, vars, Options{CI: m, Level: c.Level})
				if err != nil {
					t.Fatal(err)
				}
				fromAggs, err := EstimateAggregates(d, sqlGroupBy(s, rng), vars, Options{CI: m, Level: c.Level})
				if err != nil {
					t.Fatal(err)
				}
				if len(fromRows) != len(fromAggs) {
					t.Fatalf("%d vs %d estimates", len(fromRows), len(fromAggs))
				}
				for k := range fromRows {
					a, b := fromRows[k], fromAggs[k]
					if !sameFloat(a.Value, b.Value) || !sameFloat(a.SE, b.SE) || !sameFloat(a.CILow, b.CILow) ||
						!sameFloat(a.CIHigh, b.CIHigh) || !sameFloat(a.Deff, b.Deff) || a.N != b.N || a.DF != b.DF || a.Domain != b.Domain {
						t.Fatalf("estimate %d differs:\nrows %+v\naggs %+v", k, a, b)
					}
				}
			}
		})
	}
}

func TestCalibrationApplyMatchesReweight(t *testing.T) {
	// Calibrating the aggregates of base weights equals aggregating the
	// calibrated weights (up to rounding: a product is taken per row in
	// one case and per sum in the other).
	g := loadGolden(t)
	for i := range g.Cases {
		c := &g.Cases[i]
		if c.Calibration == nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			s, d, _ := goldenSample(t, c)
			base := *s
			base.Weight = slices.Clone(s.Weight)
			for i, g := range s.Cell {
				base.Weight[i] /= d.Calibration.Factor(g)
			}
			aggs, err := base.Aggregates()
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Calibration.Apply(aggs); err != nil {
				t.Fatal(err)
			}
			vars := rateVars(len(s.Vars))
			for v := range vars {
				if !isBinary(s.Vars[v]) {
					vars[v].Kind = Mean
				}
			}
			a, err := EstimateAggregates(d, aggs, vars, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := EstimateSample(d, s, vars, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for k := range a {
				if !closeTo(a[k].Value, b[k].Value, 1e-12) || !closeAbs(a[k].SE, b[k].SE, 1e-10, 1e-13*math.Max(1, math.Abs(a[k].Value))) {
					t.Fatalf("estimate %d: %v ± %v vs %v ± %v", k, a[k].Value, a[k].SE, b[k].Value, b[k].SE)
				}
			}
		})
	}
}

func TestDesignErrors(t *testing.T) {
	one := func(h, j int32, w float64) Aggregate {
		return Aggregate{Stratum: h, PSU: j, Domain: NoDomain, Rows: 1, SumW: w, Vars: []VarSums{{N: 1, SumW: w, SumWY: w, SumWY2: w, SumY: 1}}}
	}
	aggs := []Aggregate{one(0, 0, 1), one(0, 1, 2), one(1, 2, 3)}
	for _, c := range []struct {
		name string
		d    *Design
		aggs []Aggregate
		want string
	}{
		{"lonely fail names the stratum", &Design{Strata: []string{"东街", "西街"}}, aggs, "stratum 西街 has only one PSU"},
		{"lonely census is fine", &Design{Strata: []string{"a", "b"}, FPC: []float64{10, 1}}, aggs, ""},
		{"fpc below sample size", &Design{Strata: []string{"a", "b"}, FPC: []float64{1.5, 3}}, aggs, "more than 100% sampling"},
		{"fpc mixes counts and fractions", &Design{Strata: []string{"a", "b"}, FPC: []float64{10, 0.5}}, aggs, "mixes"},
		{"fpc negative", &Design{Strata: []string{"a", "b"}, FPC: []float64{-1, 0.5}}, aggs, "fpc of stratum a"},
		{"fpc length", &Design{Strata: []string{"a", "b"}, FPC: []float64{10}}, aggs, "fpc has 1 values for 2 strata"},
		{"PSU in two strata", &Design{LonelyPSU: LonelyRemove}, append(slices.Clone(aggs), one(1, 0, 1)), "nested"},
		{"stratum out of range", &Design{Strata: []string{"a"}, LonelyPSU: LonelyRemove}, aggs, "not in the design"},
		{"no rows", &Design{}, nil, "no responses"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := EstimateAggregates(c.d, c.aggs, rateVars(1), Options{})
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want an invalid error containing %q", err, c.want)
			}
		})
	}
}

func TestEstimateEdges(t *testing.T) {
	// All responses 1: the logit and beta intervals do not exist; the
	// Wald interval is the point.
	s := &Sample{Stratum: []int32{0, 0, 0, 0}, PSU: []int32{0, 0, 1, 1}, Weight: []float64{1, 2, 3, 4},
		Vars: [][]float64{{1, 1, 1, 1}, {math.NaN(), math.NaN(), math.NaN(), math.NaN()}}}
	for _, c := range []struct {
		ci     CIMethod
		lo, hi float64
	}{{CILogit, math.NaN(), math.NaN()}, {CIBeta, math.NaN(), math.NaN()}, {CIWald, 1, 1}} {
		est, err := EstimateSample(nil, s, rateVars(2), Options{CI: c.ci, MinN: 5})
		if err != nil {
			t.Fatal(err)
		}
		e := est[0]
		if e.Value != 1 || e.SE != 0 || !sameFloat(e.CILow, c.lo) || !sameFloat(e.CIHigh, c.hi) || !e.Small || e.DF != 1 {
			t.Fatalf("%v: %+v", c.ci, e)
		}
		if m := est[1]; m.N != 0 || !math.IsNaN(m.Value) || !math.IsNaN(m.SE) || m.Rows != 4 {
			t.Fatalf("all missing: %+v", m)
		}
	}
	if _, err := EstimateSample(nil, s, rateVars(2), Options{Level: 1.2}); err == nil {
		t.Fatal("level 1.2 accepted")
	}
}

func TestLogitIntervalAtOneDF(t *testing.T) {
	// R's confint.svyglm gives (0, NaN) at df = 1; the formula does not.
	lo, hi := logitCI(0.3, 0.05, 1, 0.95, tQuantile)
	t12 := 12.706204736174694 // qt(0.975, 1)
	h := t12 * 0.05 / (0.3 * 0.7)
	wantLo, wantHi := expit(math.Log(0.3/0.7)-h), expit(math.Log(0.3/0.7)+h)
	if !closeTo(lo, wantLo, 1e-9) || !closeTo(hi, wantHi, 1e-9) {
		t.Fatalf("got (%v, %v), want (%v, %v)", lo, hi, wantLo, wantHi)
	}
}

func TestQuantilesAgainstR(t *testing.T) {
	// Values from R 4.2: qt(p, df), qbeta(p, a, b).
	for _, c := range []struct{ got, want float64 }{
		{tQuantile(0.975, 1), 12.706204736174694},
		{tQuantile(0.975, 2), 4.302652729749462},
		{tQuantile(0.025, 24), -2.063898561628026},
		{tQuantile(0.95, 398), 1.6486911739598309},
		{betaQuantile(0.025, 12.3, 7.7), 0.39860085356606417},
		{betaQuantile(0.975, 0.5, 30.25), 0.080314636193048572},
	} {
		if !closeTo(c.got, c.want, 1e-10) {
			t.Errorf("got %.17g, want %.17g", c.got, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	a := Estimate{Value: 0.8, SE: 0.03, DF: 20}
	b := Estimate{Value: 0.7, SE: 0.04, DF: 30}
	d := Compare(a, b, 0.95)
	va, vb := 0.03*0.03, 0.04*0.04
	df := (va + vb) * (va + vb) / (va*va/20 + vb*vb/30)
	if !closeTo(d.Value, 0.1, 1e-12) || !closeTo(d.SE, 0.05, 1e-12) || !closeTo(d.DF, df, 1e-12) {
		t.Fatalf("%+v", d)
	}
	h := tQuantile(0.975, df) * 0.05
	if !closeTo(d.CILow, 0.1-h, 1e-12) || !closeTo(d.CIHigh, 0.1+h, 1e-12) {
		t.Fatalf("%+v", d)
	}
	if d := Compare(a, Estimate{Value: 0.5, DF: 0}, 0); !math.IsNaN(d.CILow) {
		t.Fatalf("df 0 gave an interval: %+v", d)
	}
}
