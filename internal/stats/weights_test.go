package stats

import (
	"math"
	"strings"
	"testing"
)

func TestAdjustNonresponse(t *testing.T) {
	for _, c := range []struct {
		name      string
		w         []float64
		class     []int32
		responded []bool
		want      []float64
		err       string
	}{
		{
			name: "two classes", w: []float64{10, 10, 20, 5, 5, 5}, class: []int32{0, 0, 0, 1, 1, 1},
			responded: []bool{true, false, true, true, true, false},
			// class 0: 40/30; class 1: 15/10
			want: []float64{10 * 40.0 / 30, 0, 20 * 40.0 / 30, 7.5, 7.5, 0},
		},
		{
			name: "class without respondents", w: []float64{1, 1, 1}, class: []int32{0, 1, 1},
			responded: []bool{false, true, true}, err: "class 0 has no respondent",
		},
		{name: "zero weight", w: []float64{0, 1}, class: []int32{0, 0}, responded: []bool{true, true}, err: "not a positive number"},
		{name: "lengths", w: []float64{1, 1}, class: []int32{0}, responded: []bool{true, true}, err: "2 weights, 1 classes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := AdjustNonresponse(c.w, c.class, c.responded)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want error %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sumIn, sumOut float64
			for i := range got {
				if !closeTo(got[i], c.want[i], 1e-14) {
					t.Fatalf("weight %d: got %v, want %v", i, got[i], c.want[i])
				}
				sumIn += c.w[i]
				sumOut += got[i]
			}
			if !closeTo(sumIn, sumOut, 1e-14) {
				t.Fatalf("total weight %v became %v", sumIn, sumOut)
			}
		})
	}
}

func TestTrimWeights(t *testing.T) {
	for _, c := range []struct {
		name         string
		w            []float64
		lower, upper float64
		strict       bool
		want         []float64
		err          string
	}{
		{name: "nothing outside", w: []float64{1, 2, 3}, lower: 0, upper: 5, want: []float64{1, 2, 3}},
		{name: "one above", w: []float64{1, 2, 9}, lower: 0, upper: 5, want: []float64{3, 4, 5}},
		{name: "one below, one above", w: []float64{0.5, 2, 3, 10}, lower: 1, upper: 6, want: []float64{1, 3.75, 4.75, 6}},
		// Redistribution pushes 4.6 over 5; strict repeats until none is.
		{name: "strict repeats", w: []float64{1, 2, 4.6, 11}, lower: 0, upper: 5, strict: true},
		{name: "strict impossible", w: []float64{1, 4.6, 11}, lower: 0, upper: 5, strict: true, err: "did not settle"},
		{name: "all outside", w: []float64{10, 20}, lower: 0, upper: 5, err: "every weight is outside"},
		{name: "bad bounds", w: []float64{1}, lower: 3, upper: 2, err: "not an interval"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _, err := TrimWeights(c.w, c.lower, c.upper, c.strict)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want error %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sumIn, sumOut float64
			for i := range got {
				sumIn += c.w[i]
				sumOut += got[i]
				if got[i] < c.lower-1e-12 || (c.strict && got[i] > c.upper+1e-12) {
					t.Fatalf("weight %d = %v outside [%v, %v]", i, got[i], c.lower, c.upper)
				}
			}
			if !closeTo(sumIn, sumOut, 1e-14) {
				t.Fatalf("total %v became %v", sumIn, sumOut)
			}
			if c.strict {
				return // the sum and the bounds are what strict promises
			}
			for i := range got {
				if !closeTo(got[i], c.want[i], 1e-14) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestRakeAndPostStratify(t *testing.T) {
	// Cells: (age, sex) = (0,0) (0,1) (1,0) (1,1).
	cellW := []float64{10, 20, 30, 40}
	age := Margin{Name: "age", Level: []int32{0, 0, 1, 1}, Population: []float64{50, 70}}
	sex := Margin{Name: "sex", Level: []int32{0, 1, 0, 1}, Population: []float64{55, 65}}

	c, err := Rake(cellW, []Margin{age, sex}, RakeOptions{Epsilon: 1e-12, MaxIter: 200})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, 4)
	for g := range w {
		w[g] = cellW[g] * c.Factor(int32(g))
	}
	for _, m := range []Margin{age, sex} {
		got := make([]float64, 2)
		for g, l := range m.Level {
			got[l] += w[g]
		}
		for l := range got {
			if !closeTo(got[l], m.Population[l], 1e-9) {
				t.Fatalf("margin %s level %d: %v, want %v", m.Name, l, got[l], m.Population[l])
			}
		}
	}
	if c.Passes() < 2 {
		t.Fatalf("raking took %d passes", c.Passes())
	}

	// Raking on one margin is post-stratification.
	one, err := Rake(cellW, []Margin{{Name: "cell", Level: []int32{0, 1, 2, 3}, Population: []float64{1, 2, 3, 4}}}, RakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := PostStratify(cellW, []float64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	for g := range cellW {
		if !closeTo(one.Factor(int32(g)), ps.Factor(int32(g)), 1e-15) {
			t.Fatalf("cell %d: rake %v, postStratify %v", g, one.Factor(int32(g)), ps.Factor(int32(g)))
		}
	}

	for _, e := range []struct {
		name string
		run  func() error
		want string
	}{
		{"rake does not converge", func() error {
			_, err := Rake(cellW, []Margin{age, sex}, RakeOptions{Epsilon: 1e-15, MaxIter: 2})
			return err
		}, "did not converge after 2 passes"},
		{"rake level without responses", func() error {
			_, err := Rake(cellW, []Margin{{Name: "x", Level: []int32{0, 0, 0, 0}, Population: []float64{1, 5}}}, RakeOptions{})
			return err
		}, "level 1 has a population of 5 but no responses"},
		{"rake level without population", func() error {
			_, err := Rake(cellW, []Margin{{Name: "x", Level: []int32{0, 1, 0, 1}, Population: []float64{1, 0}}}, RakeOptions{})
			return err
		}, "has responses but no population"},
		{"post-stratum without responses", func() error {
			_, err := PostStratify([]float64{1, 0}, []float64{1, 1})
			return err
		}, "no responses"},
		{"post-stratum without population", func() error {
			_, err := PostStratify([]float64{1, 1}, []float64{1, 0})
			return err
		}, "no population"},
		{"post-stratum NaN", func() error {
			_, err := PostStratify([]float64{1, 1}, []float64{1, math.NaN()})
			return err
		}, "population NaN"},
	} {
		t.Run(e.name, func(t *testing.T) {
			if err := e.run(); err == nil || !strings.Contains(err.Error(), e.want) {
				t.Fatalf("got %v, want %q", err, e.want)
			}
		})
	}
}
