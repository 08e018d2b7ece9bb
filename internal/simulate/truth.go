package simulate

import (
	"encoding/json"
	"io"
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Truth is the true value of every indicator in the district and in each
// street, with the model that produced it (TRUTH.json).
type Truth struct {
	Seed          uint64           `json:"seed"`
	Questionnaire string           `json:"questionnaire"`
	Households    int              `json:"households"`
	Indicators    []IndicatorTruth `json:"indicators"`
	Model         *Model           `json:"model"`
}

// IndicatorTruth is one indicator's true values.
type IndicatorTruth struct {
	ID       string        `json:"id"`
	Kind     string        `json:"kind"`
	Target   *float64      `json:"target,omitempty"`
	District float64       `json:"district"`
	Streets  []StreetValue `json:"streets"`
}

// StreetValue is a street's true value of an indicator.
type StreetValue struct {
	Street string  `json:"street"`
	Value  float64 `json:"value"`
}

// Street returns the true value of an indicator in a street (NaN if the
// street is unknown).
func (t IndicatorTruth) Street(name string) float64 {
	for _, s := range t.Streets {
		if s.Street == name {
			return s.Value
		}
	}
	return math.NaN()
}

// Indicator returns the truth of an indicator by id.
func (t *Truth) Indicator(id string) (IndicatorTruth, bool) {
	for _, x := range t.Indicators {
		if x.ID == id {
			return x, true
		}
	}
	return IndicatorTruth{}, false
}

// ComputeTruth computes the true values of the plan's indicators over the
// households of f: for each indicator Σ_h E[y·c] / Σ_h E[c], a
// household's expectation being the mean over its adults of their
// expectation under the model (see the package documentation).
func ComputeTruth(p *Plan, f *Frame) *Truth {
	nind := len(p.inds)
	// Weight of each respondent cell in each community: Σ_h 1/A_h over the
	// household's adults in that cell.
	cellW := make([][Cells]float64, len(f.Communities))
	for i, u := range f.Units {
		ad := f.Adults(i)
		for _, c := range ad {
			cellW[u.PSU][c] += 1 / float64(len(ad))
		}
	}
	num := make([][]float64, len(f.Streets)) // [street][indicator]
	den := make([][]float64, len(f.Streets))
	for s := range f.Streets {
		num[s], den[s] = make([]float64, nind), make([]float64, nind)
	}
	m, q := make([]float64, nind), make([]float64, nind)
	for ci, c := range f.Communities {
		off := p.Offsets(f.Streets[c.Street], c.Name)
		for cell := range Cells {
			w := cellW[ci][cell]
			if w == 0 {
				continue
			}
			p.expect(off, cell, m, q)
			for i := range nind {
				num[c.Street][i] += w * m[i] * q[i]
				den[c.Street][i] += w * q[i]
			}
		}
	}
	t := &Truth{Seed: p.Model.Seed, Questionnaire: p.Def.ID, Households: len(f.Units), Model: p.Model}
	for i, ip := range p.inds {
		it := IndicatorTruth{ID: ip.ind.ID, Kind: string(ip.ind.Kind), Target: ip.ind.Target}
		var n, d float64
		for s, name := range f.Streets {
			it.Streets = append(it.Streets, StreetValue{Street: name, Value: round6(num[s][i] / den[s][i])})
			n += num[s][i]
			d += den[s][i]
		}
		it.District = round6(n / d)
		t.Indicators = append(t.Indicators, it)
	}
	return t
}

// round6 keeps six decimals: the truth is a model quantity, and more
// digits would only make TRUTH.json harder to read.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// expect fills, for a respondent of cell in a community with the given
// offsets, each indicator's expected value when counted (m) and the
// probability that it counts (q).
func (p *Plan) expect(offsets []float64, cell int, m, q []float64) {
	for i, ip := range p.inds {
		m[i], q[i] = 0, 0
		switch {
		case ip.trait >= 0:
			tp := &p.traits[ip.trait]
			probs := tp.outcomeProbs(Propensity(tp.trait, offsets[ip.trait], cell))
			var s float64
			for o, pr := range probs {
				if v := ip.value[o]; v == v {
					q[i] += pr
					s += pr * v
				}
			}
			if q[i] > 0 {
				m[i] = s / q[i]
			}
		case ip.of != nil:
			m[i], q[i] = meanExpectation(ip.of, m, q)
		}
	}
}

// meanExpectation returns E[mean of the counted components | any counts]
// and P(any counts) for independent components with conditional means
// m[k] and probabilities q[k] of counting: E[mean·c] = Σ_k m_k q_k
// E[1/(1+X_k)], X_k the number of the other components that count (a
// Poisson-binomial count, by dynamic programming).
func meanExpectation(of []int, m, q []float64) (float64, float64) {
	none := 1.0
	for _, j := range of {
		none *= 1 - q[j]
	}
	any := 1 - none
	if any <= 0 {
		return 0, 0
	}
	var e float64
	dist := make([]float64, len(of)+1)
	for _, k := range of {
		for i := range dist {
			dist[i] = 0
		}
		dist[0] = 1
		n := 0
		for _, j := range of {
			if j == k {
				continue
			}
			n++
			for x := n; x >= 1; x-- {
				dist[x] = dist[x]*(1-q[j]) + dist[x-1]*q[j]
			}
			dist[0] *= 1 - q[j]
		}
		inv := 0.0
		for x := 0; x <= n; x++ {
			inv += dist[x] / float64(x+1)
		}
		e += m[k] * q[k] * inv
	}
	return e / any, any
}

// WriteJSON writes the truth, indented.
func (t *Truth) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// ReadTruth reads a TRUTH.json.
func ReadTruth(r io.Reader) (*Truth, error) {
	var t Truth
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&t); err != nil {
		return nil, apperr.New(apperr.Invalid, "not a TRUTH.json written by minyi simulate district: %v", err)
	}
	if t.Model == nil || len(t.Model.Traits) == 0 {
		return nil, apperr.New(apperr.Invalid, "TRUTH.json has no model")
	}
	return &t, nil
}
