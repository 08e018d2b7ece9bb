package stats

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// The golden file is written by testdata/golden.R (R survey 4.1); see there
// for the designs and the exact R calls.

type goldenFile struct {
	RVersion      string       `json:"r_version"`
	SurveyVersion string       `json:"survey_version"`
	Cases         []goldenCase `json:"cases"`
	Compare       []goldenDiff `json:"compare"`
}

// goldenDiff is a difference between two rounds (independent samples).
type goldenDiff struct {
	Variable string  `json:"variable"`
	Domain   *string `json:"domain"`
	A, B     struct {
		Est num `json:"est"`
		SE  num `json:"se"`
		DF  int `json:"df"`
	}
	Est num   `json:"est"`
	SE  num   `json:"se"`
	DF  num   `json:"df"`
	CI  []num `json:"ci"`
}

type goldenMargin struct {
	Var        string             `json:"var"`
	Population map[string]float64 `json:"population"`
}

type goldenCase struct {
	Name        string   `json:"name"`
	Data        string   `json:"data"`
	Strata      string   `json:"strata"`
	Cluster     string   `json:"cluster"`
	Weight      string   `json:"weight"`
	FPC         *string  `json:"fpc"`
	Cluster2    *string  `json:"cluster2"` // two stages without replacement: p1, p2 set
	P1          string   `json:"p1"`
	P2          string   `json:"p2"`
	By          string   `json:"by"`
	Level       float64  `json:"level"`
	Lonely      string   `json:"lonely"`
	Vars        []string `json:"vars"`
	Error       *string  `json:"error"`
	Calibration *struct {
		Type    string         `json:"type"`
		Epsilon float64        `json:"epsilon"`
		MaxIt   int            `json:"maxit"`
		Margins []goldenMargin `json:"margins"`
	} `json:"calibration"`
	CalibratedWeights []float64      `json:"calibrated_weights"`
	Results           []goldenResult `json:"results"`
	Composite         *struct {
		Weights map[string]float64 `json:"weights"`
		Results []goldenResult     `json:"results"`
	} `json:"composite"`
	Trim *struct {
		Lower  float64   `json:"lower"`
		Upper  float64   `json:"upper"`
		Once   []float64 `json:"once"`
		Strict []float64 `json:"strict"`
	} `json:"trim"`
}

// num is a JSON number that may be null (R NA/NaN).
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = num(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = num(f)
	return err
}

type goldenResult struct {
	Variable  string  `json:"variable"`
	Domain    *string `json:"domain"`
	N         int64   `json:"n"`
	NRow      int64   `json:"nrow"`
	DF        int     `json:"df"`
	Est       num     `json:"est"`
	SE        num     `json:"se"`
	Deff      num     `json:"deff"`
	SumW      num     `json:"sumw"`
	Total     num     `json:"total"`
	TotalSE   num     `json:"total_se"`
	TotalDeff num     `json:"total_deff"`
	Wald      []num   `json:"wald"`
	Logit     []num   `json:"logit"`
	LogitD    []num   `json:"logitd"`
	Asin      []num   `json:"asin"`
	AsinD     []num   `json:"asind"`
	Beta      []num   `json:"beta"`
}

func loadGolden(t testing.TB) *goldenFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// table is a CSV file read into columns of strings.
type table struct {
	cols map[string][]string
	n    int
}

func readTable(t testing.TB, name string) *table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tb := &table{cols: map[string][]string{}, n: len(recs) - 1}
	for j, h := range recs[0] {
		col := make([]string, 0, tb.n)
		for _, r := range recs[1:] {
			col = append(col, r[j])
		}
		tb.cols[h] = col
	}
	return tb
}

func (tb *table) col(t testing.TB, name string) []string {
	t.Helper()
	c, ok := tb.cols[name]
	if !ok {
		t.Fatalf("no column %q", name)
	}
	return c
}

func (tb *table) floats(t testing.TB, name string) []float64 {
	t.Helper()
	c := tb.col(t, name)
	out := make([]float64, len(c))
	for i, s := range c {
		if s == "NA" || s == "" {
			out[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("column %s row %d: %v", name, i+1, err)
		}
		out[i] = v
	}
	return out
}

func isBinary(y []float64) bool {
	for _, v := range y {
		if v == v && v != 0 && v != 1 {
			return false
		}
	}
	return true
}

// goldenSample builds the sample and design of a golden case, calibrating
// the weights as the case says. Domain labels are sorted, so domain ids
// follow R's sort order.
func goldenSample(t testing.TB, c *goldenCase) (*Sample, *Design, []string) {
	t.Helper()
	tb := readTable(t, c.Data)
	s := &Sample{Stratum: make([]int32, tb.n), PSU: make([]int32, tb.n), Weight: tb.floats(t, c.Weight)}
	strata, psus := NewIndex(), NewIndex()
	for i, h := range tb.col(t, c.Strata) {
		s.Stratum[i] = strata.ID(h)
		s.PSU[i] = psus.ID(h + "\x00" + tb.col(t, c.Cluster)[i])
	}
	d := &Design{Strata: strata.Labels()}
	d.LonelyPSU, _ = ParseLonelyPSU(c.Lonely)
	if c.FPC != nil {
		d.FPC = make([]float64, strata.Len())
		for i, v := range tb.floats(t, *c.FPC) {
			d.FPC[s.Stratum[i]] = v
		}
	}
	if c.Cluster2 != nil {
		p1, p2 := tb.floats(t, c.P1), tb.floats(t, c.P2)
		d.PSUs = make([]PSUProb, psus.Len())
		for i, j := range s.PSU {
			d.PSUs[j] = PSUProb{First: p1[i], Second: p2[i]}
		}
	}
	var doms []string
	if c.By != "" {
		by := tb.col(t, c.By)
		for _, v := range by {
			if v != "NA" && !slices.Contains(doms, v) {
				doms = append(doms, v)
			}
		}
		slices.Sort(doms)
		s.Domain = make([]int32, tb.n)
		for i, v := range by {
			s.Domain[i] = int32(slices.Index(doms, v))
		}
	}
	for _, v := range c.Vars {
		s.Vars = append(s.Vars, tb.floats(t, v))
	}
	if cal := c.Calibration; cal != nil {
		// Cells are the joint combinations of the margin variables.
		cells := NewIndex()
		s.Cell = make([]int32, tb.n)
		for i := 0; i < tb.n; i++ {
			key := ""
			for _, m := range cal.Margins {
				key += tb.col(t, m.Var)[i] + "\x00"
			}
			s.Cell[i] = cells.ID(key)
		}
		cellW := make([]float64, cells.Len())
		for i, g := range s.Cell {
			cellW[g] += s.Weight[i]
		}
		var margins []Margin
		for _, m := range cal.Margins {
			names := make([]string, 0, len(m.Population))
			for k := range m.Population {
				names = append(names, k)
			}
			slices.Sort(names)
			mg := Margin{Name: m.Var, Level: make([]int32, cells.Len())}
			for _, n := range names {
				mg.Population = append(mg.Population, m.Population[n])
			}
			for i := 0; i < tb.n; i++ {
				mg.Level[s.Cell[i]] = int32(slices.Index(names, tb.col(t, m.Var)[i]))
			}
			margins = append(margins, mg)
		}
		var err error
		switch cal.Type {
		case "poststratify":
			// Post-strata are the cells themselves.
			pop := make([]float64, cells.Len())
			for g := range pop {
				pop[g] = margins[0].Population[margins[0].Level[g]]
			}
			d.Calibration, err = PostStratify(cellW, pop)
		case "rake":
			d.Calibration, err = Rake(cellW, margins, RakeOptions{Epsilon: cal.Epsilon, MaxIter: cal.MaxIt})
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Calibration.Reweight(s.Weight, s.Cell); err != nil {
			t.Fatal(err)
		}
	}
	return s, d, doms
}

// closeTo reports whether got is within rel (relative, with an absolute
// floor for values that are zero up to rounding) of want. A null in the
// golden file (R NA, NaN or ±Inf) matches NaN or ±Inf.
func closeTo(got, want, rel float64) bool {
	return closeAbs(got, want, rel, 1e-14)
}

func closeAbs(got, want, rel, abs float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got) || math.IsInf(got, 0)
	}
	if math.IsNaN(got) {
		return false
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

func TestGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) == 0 {
		t.Fatal("no golden cases")
	}
	for i := range g.Cases {
		c := &g.Cases[i]
		t.Run(c.Name, func(t *testing.T) {
			s, d, doms := goldenSample(t, c)
			vars := make([]Variable, len(c.Vars))
			totals := make([]Variable, len(c.Vars))
			for v, name := range c.Vars {
				vars[v] = Variable{Name: name, Kind: Mean}
				if isBinary(s.Vars[v]) {
					vars[v].Kind = Rate
				}
				totals[v] = Variable{Name: name, Kind: Total}
			}
			if c.Error != nil {
				_, err := EstimateSample(d, s, vars, Options{})
				if err == nil {
					t.Fatalf("no error; R says %q", *c.Error)
				}
				return
			}
			if c.CalibratedWeights != nil {
				for i, w := range c.CalibratedWeights {
					if !closeTo(s.Weight[i], w, 1e-9) {
						t.Fatalf("calibrated weight %d: got %v, R %v", i+1, s.Weight[i], w)
					}
				}
			}
			byMethod := map[CIMethod][]Estimate{}
			for _, m := range []CIMethod{CIAsin, CILogit, CIBeta, CIWald} {
				est, err := EstimateSample(d, s, vars, Options{Level: c.Level, CI: m})
				if err != nil {
					t.Fatal(err)
				}
				byMethod[m] = est
			}
			dflt, err := EstimateSample(d, s, vars, Options{Level: c.Level})
			if err != nil {
				t.Fatal(err)
			}
			tot, err := EstimateSample(d, s, totals, Options{Level: c.Level})
			if err != nil {
				t.Fatal(err)
			}
			find := func(es []Estimate, r goldenResult) Estimate {
				for _, e := range es {
					dl := ""
					if e.Domain != NoDomain {
						dl = doms[e.Domain]
					}
					if e.Variable == r.Variable && ((r.Domain == nil && e.Domain == NoDomain) || (r.Domain != nil && *r.Domain == dl && e.Domain != NoDomain)) {
						return e
					}
				}
				t.Fatalf("no estimate for %s in %v", r.Variable, r.Domain)
				return Estimate{}
			}
			if n := len(byMethod[CIWald]); n != len(c.Results) {
				t.Errorf("%d estimates, R has %d", n, len(c.Results))
			}
			for _, r := range c.Results {
				name := r.Variable + "/" + "all"
				if r.Domain != nil {
					name = r.Variable + "/" + *r.Domain
				}
				e := find(byMethod[CILogit], r)
				check := func(what string, got, want, tol float64) {
					t.Helper()
					if !closeTo(got, want, tol) {
						t.Errorf("%s %s: got %.15g, R %.15g", name, what, got, want)
					}
				}
				if e.N != r.N || e.DF != r.DF {
					t.Errorf("%s: n %d df %d, R n %d df %d", name, e.N, e.DF, r.N, r.DF)
				}
				if r.N == 0 {
					// R returns 0 ± 0 for a domain without any value; there
					// is no estimate.
					if !math.IsNaN(e.Value) || !math.IsNaN(e.SE) {
						t.Errorf("%s: empty cell gave %v ± %v", name, e.Value, e.SE)
					}
					continue
				}
				check("estimate", e.Value, float64(r.Est), 1e-9)
				// A zero standard error (a domain inside one PSU) comes out
				// as rounding noise of the size of the estimate × 1e-16.
				if !closeAbs(e.SE, float64(r.SE), 1e-9, 1e-13*math.Max(1, math.Abs(e.Value))) {
					t.Errorf("%s se: got %.15g, R %.15g", name, e.SE, float64(r.SE))
				}
				check("deff", e.Deff, float64(r.Deff), 1e-6)
				check("sum of weights", e.SumW, float64(r.SumW), 1e-9)
				// R keeps every row in a subset of a calibrated or pps design.
				if d.Calibration == nil && d.PSUs == nil && e.Rows != r.NRow {
					t.Errorf("%s: rows %d, R nrow %d", name, e.Rows, r.NRow)
				}
				te := find(tot, r)
				check("total", te.Value, float64(r.Total), 1e-9)
				if !closeAbs(te.SE, float64(r.TotalSE), 1e-9, 1e-13*math.Max(1, math.Abs(te.Value))) {
					t.Errorf("%s total se: got %.15g, R %.15g", name, te.SE, float64(r.TotalSE))
				}
				check("total deff", te.Deff, float64(r.TotalDeff), 1e-6)

				w := find(byMethod[CIWald], r)
				check("wald low", w.CILow, float64(r.Wald[0]), 1e-6)
				check("wald high", w.CIHigh, float64(r.Wald[1]), 1e-6)
				if e.Kind != Rate {
					check("mean interval low", e.CILow, float64(r.Wald[0]), 1e-6)
					check("mean interval high", e.CIHigh, float64(r.Wald[1]), 1e-6)
					continue
				}
				lo, hi := float64(r.Logit[0]), float64(r.Logit[1])
				switch {
				case e.Value == 0 || e.Value == 1:
					lo, hi = math.NaN(), math.NaN() // no logit interval
				case r.DF == 1 || math.IsNaN(lo) || math.IsNaN(hi):
					// R's confint.svyglm breaks down; use R's direct formula.
					lo, hi = float64(r.LogitD[0]), float64(r.LogitD[1])
				}
				check("logit low", e.CILow, lo, 1e-6)
				check("logit high", e.CIHigh, hi, 1e-6)
				// The engine's default is logit (R svyciprop's).
				if dl := find(dflt, r); !sameFloat(dl.CILow, e.CILow) || !sameFloat(dl.CIHigh, e.CIHigh) {
					t.Errorf("%s: the default interval (%v, %v) is not the logit one (%v, %v)", name, dl.CILow, dl.CIHigh, e.CILow, e.CIHigh)
				}
				// The arcsine interval (a round's): R's wherever its angle
				// stays within [0, π/2]; there minyi's direct formula.
				a := find(byMethod[CIAsin], r)
				lo, hi = float64(r.Asin[0]), float64(r.Asin[1])
				if e.Value == 0 || e.Value == 1 {
					lo, hi = math.NaN(), math.NaN() // no arcsine interval
				} else if !closeTo(lo, float64(r.AsinD[0]), 1e-12) || !closeTo(hi, float64(r.AsinD[1]), 1e-12) {
					lo, hi = float64(r.AsinD[0]), float64(r.AsinD[1])
				}
				check("asin low", a.CILow, lo, 1e-6)
				check("asin high", a.CIHigh, hi, 1e-6)
				b := find(byMethod[CIBeta], r)
				check("beta low", b.CILow, float64(r.Beta[0]), 1e-6)
				check("beta high", b.CIHigh, float64(r.Beta[1]), 1e-6)
			}
			if c.Composite != nil {
				cw := make([]float64, len(c.Vars))
				for k, name := range c.Vars {
					cw[k] = c.Composite.Weights[name]
				}
				aggs, err := s.Aggregates()
				if err != nil {
					t.Fatal(err)
				}
				ce, err := EstimateComposite(d, aggs, Composite{Name: "index", Weights: cw}, Options{Level: c.Level})
				if err != nil {
					t.Fatal(err)
				}
				if len(ce) != len(c.Composite.Results) {
					t.Fatalf("%d composite estimates, R has %d", len(ce), len(c.Composite.Results))
				}
				for i, r := range c.Composite.Results {
					e := ce[i]
					if !closeTo(e.Value, float64(r.Est), 1e-9) || !closeTo(e.SE, float64(r.SE), 1e-9) || e.DF != r.DF {
						t.Errorf("composite %d: got %v ± %v (df %d), R %v ± %v (df %d)", i, e.Value, e.SE, e.DF, r.Est, r.SE, r.DF)
					}
				}
			}
			if tr := c.Trim; tr != nil {
				for _, strict := range []bool{false, true} {
					want := tr.Once
					if strict {
						want = tr.Strict
					}
					got, _, err := TrimWeights(s.Weight, tr.Lower, tr.Upper, strict)
					if err != nil {
						t.Fatal(err)
					}
					for i := range want {
						if !closeTo(got[i], want[i], 1e-9) {
							t.Fatalf("trim (strict %v) weight %d: got %v, R %v", strict, i+1, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

// TestGoldenCompare checks differences between two rounds drawn without
// replacement (wor_cert minus wor_plain), each estimated by minyi, against
// R's svymean on each round and the Welch–Satterthwaite combination.
func TestGoldenCompare(t *testing.T) {
	g := loadGolden(t)
	if len(g.Compare) == 0 {
		t.Fatal("no comparisons in the golden file")
	}
	estimates := func(name string) ([]Estimate, []string) {
		for i := range g.Cases {
			c := &g.Cases[i]
			if c.Name != name {
				continue
			}
			s, d, doms := goldenSample(t, c)
			vars := make([]Variable, len(c.Vars))
			for v, n := range c.Vars {
				vars[v] = Variable{Name: n, Kind: Mean}
			}
			est, err := EstimateSample(d, s, vars, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return est, doms
		}
		t.Fatalf("no case %s", name)
		return nil, nil
	}
	ea, da := estimates("wor_cert")
	eb, db := estimates("wor_plain")
	find := func(es []Estimate, doms []string, v string, dom *string) Estimate {
		for _, e := range es {
			if e.Variable != v {
				continue
			}
			if (dom == nil && e.Domain == NoDomain) || (dom != nil && e.Domain != NoDomain && doms[e.Domain] == *dom) {
				return e
			}
		}
		t.Fatalf("no estimate of %s in %v", v, dom)
		return Estimate{}
	}
	for _, r := range g.Compare {
		a, b := find(ea, da, r.Variable, r.Domain), find(eb, db, r.Variable, r.Domain)
		name := r.Variable
		if r.Domain != nil {
			name += "/" + *r.Domain
		}
		if !closeTo(a.Value, float64(r.A.Est), 1e-9) || !closeTo(a.SE, float64(r.A.SE), 1e-9) || a.DF != r.A.DF ||
			!closeTo(b.Value, float64(r.B.Est), 1e-9) || !closeTo(b.SE, float64(r.B.SE), 1e-9) || b.DF != r.B.DF {
			t.Errorf("%s: rounds %v ± %v (%d), %v ± %v (%d); R %v ± %v (%d), %v ± %v (%d)", name,
				a.Value, a.SE, a.DF, b.Value, b.SE, b.DF, r.A.Est, r.A.SE, r.A.DF, r.B.Est, r.B.SE, r.B.DF)
		}
		d := Compare(a, b, 0.95)
		if !closeTo(d.Value, float64(r.Est), 1e-9) || !closeTo(d.SE, float64(r.SE), 1e-9) || !closeTo(d.DF, float64(r.DF), 1e-9) ||
			!closeTo(d.CILow, float64(r.CI[0]), 1e-9) || !closeTo(d.CIHigh, float64(r.CI[1]), 1e-9) {
			t.Errorf("%s: difference %v ± %v df %v [%v, %v]; R %v ± %v df %v [%v, %v]", name,
				d.Value, d.SE, d.DF, d.CILow, d.CIHigh, r.Est, r.SE, r.DF, r.CI[0], r.CI[1])
		}
	}
}
