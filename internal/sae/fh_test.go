package sae

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// golden is one case of testdata/fh_golden.json, written by testdata/fh.R.
type golden struct {
	Name       string      `json:"name"`
	Note       string      `json:"note"`
	Y          []float64   `json:"y"`
	Psi        []float64   `json:"psi"`
	X          [][]float64 `json:"x"`
	SigmaV2    float64     `json:"sigmav2"`
	Raw        float64     `json:"raw"`
	Iterations int         `json:"iterations"`
	Converged  bool        `json:"converged"`
	Beta       []float64   `json:"beta"`
	BetaCov    [][]float64 `json:"beta_cov"`
	Gamma      []float64   `json:"gamma"`
	Synthetic  []float64   `json:"synthetic"`
	EBLUP      []float64   `json:"eblup"`
	G1         []float64   `json:"g1"`
	G2         []float64   `json:"g2"`
	G3         []float64   `json:"g3"`
	MSE        []float64   `json:"mse"`
}

func readGolden(t *testing.T) []golden {
	t.Helper()
	b, err := os.ReadFile("testdata/fh_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []golden
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// The REML fit, EBLUPs and MSEs equal the R transcription of
// sae::eblupFH / mseFH (testdata/fh.R) to 1e-8, σ²ᵥ truncated at 0 or not,
// with and without a continuous covariate, on unbalanced areas.
func TestFayHerriotMatchesR(t *testing.T) {
	const tol = 1e-8
	cases := readGolden(t)
	if len(cases) < 5 {
		t.Fatalf("%d golden cases, want 5", len(cases))
	}
	truncated, positive := 0, 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			fit, err := FayHerriot(Input{Y: c.Y, Psi: c.Psi, X: c.X})
			if err != nil {
				t.Fatal(err)
			}
			if !c.Converged {
				t.Fatal("R did not converge on a golden case")
			}
			if fit.Iterations != c.Iterations {
				t.Errorf("iterations %d, R %d", fit.Iterations, c.Iterations)
			}
			if fit.Truncated != (c.Raw <= 0) {
				t.Errorf("truncated %v, R's last iterate %v", fit.Truncated, c.Raw)
			}
			if fit.Truncated {
				truncated++
			} else {
				positive++
			}
			near(t, "sigma_v^2", []float64{fit.SigmaV2}, []float64{c.SigmaV2}, tol)
			near(t, "beta", fit.Beta, c.Beta, tol)
			for r := range c.BetaCov {
				near(t, "beta_cov", fit.BetaCov[r], c.BetaCov[r], tol)
			}
			near(t, "gamma", fit.Gamma, c.Gamma, tol)
			near(t, "synthetic", fit.Synthetic, c.Synthetic, tol)
			near(t, "eblup", fit.EBLUP, c.EBLUP, tol)
			near(t, "g1", fit.G1, c.G1, tol)
			near(t, "g2", fit.G2, c.G2, tol)
			near(t, "g3", fit.G3, c.G3, tol)
			near(t, "mse", fit.MSE, c.MSE, tol)
		})
	}
	if truncated < 2 || positive < 3 {
		t.Errorf("golden cases: %d with σ²ᵥ > 0, %d truncated; want 3 and 2", positive, truncated)
	}
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Errorf("%s[%d] = %.15g, R %.15g (diff %.3g)", what, i, got[i], want[i], d)
		}
	}
}

// The checks refuse what the model cannot carry, each with its reason.
func TestFayHerriotChecks(t *testing.T) {
	x := func(m int) [][]float64 {
		out := make([][]float64, m)
		for i := range out {
			out[i] = []float64{1, float64(i % 2)}
		}
		return out
	}
	ys := func(m int) []float64 {
		out := make([]float64, m)
		for i := range out {
			out[i] = 0.5 + 0.1*math.Sin(float64(i))
		}
		return out
	}
	ps := func(m int, v float64) []float64 {
		out := make([]float64, m)
		for i := range out {
			out[i] = v
		}
		return out
	}
	zeroVar := ps(8, 0.01)
	zeroVar[3] = 0
	nanY := ys(8)
	nanY[2] = math.NaN()
	collinear := x(8)
	for i := range collinear {
		collinear[i] = append(collinear[i], 2*collinear[i][1])
	}
	for name, tc := range map[string]struct {
		in   Input
		want Reason
	}{
		"too few areas":  {Input{Y: ys(4), Psi: ps(4, 0.01), X: x(4)}, ReasonTooFewAreas},
		"no areas":       {Input{}, ReasonTooFewAreas},
		"zero variance":  {Input{Y: ys(8), Psi: zeroVar, X: x(8)}, ReasonBadVariance},
		"no estimate":    {Input{Y: nanY, Psi: ps(8, 0.01), X: x(8)}, ReasonBadEstimate},
		"collinear":      {Input{Y: ys(8), Psi: ps(8, 0.01), X: collinear}, ReasonCollinear},
		"lengths differ": {Input{Y: ys(8), Psi: ps(7, 0.01), X: x(8)}, ReasonShape},
	} {
		_, err := FayHerriot(tc.in)
		if got := ReasonOf(err); got != tc.want {
			t.Errorf("%s: reason %q (%v), want %q", name, got, err, tc.want)
		}
	}
	// Enough areas, fine data: no error.
	if _, err := FayHerriot(Input{Y: ys(8), Psi: ps(8, 0.01), X: x(8)}); err != nil {
		t.Errorf("a good input: %v", err)
	}
}

// The trace identities equal the m×m computation sae::eblupFH does.
func TestScoreEqualsFullMatrices(t *testing.T) {
	in := Input{Y: []float64{0.3, 0.5, 0.45, 0.7, 0.62, 0.2}, Psi: []float64{0.01, 0.02, 0.015, 0.03, 0.01, 0.05},
		X: [][]float64{{1, 0, 2}, {1, 1, 3}, {1, 0, 1}, {1, 1, 5}, {1, 0, 4}, {1, 1, 2}}}
	w := &work{in: in, m: 6, p: 3}
	if err := w.at(0.02); err != nil {
		t.Fatal(err)
	}
	s, f := w.score()
	// P = V⁻¹ − V⁻¹XQX'V⁻¹, formed.
	m := 6
	P := make([][]float64, m)
	for i := range m {
		P[i] = make([]float64, m)
		for j := range m {
			var q float64
			for r := range 3 {
				for c := range 3 {
					q += in.X[i][r] * w.q.At(r, c) * in.X[j][c]
				}
			}
			P[i][j] = -w.vi[i] * q * w.vi[j]
			if i == j {
				P[i][j] += w.vi[i]
			}
		}
	}
	var trP, trPP, pyy float64
	py := make([]float64, m)
	for i := range m {
		trP += P[i][i]
		for j := range m {
			trPP += P[i][j] * P[j][i]
			py[i] += P[i][j] * in.Y[j]
		}
		pyy += py[i] * py[i]
	}
	near(t, "score", []float64{s}, []float64{-0.5*trP + 0.5*pyy}, 1e-12)
	near(t, "information", []float64{f}, []float64{0.5 * trPP}, 1e-12)
}
