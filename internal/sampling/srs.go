package sampling

import "slices"

// StratifiedSRS is design (a): in each street, n_h households by simple
// random sampling without replacement, plus r_h reserves. A street with
// N_h ≤ n_h is taken whole (StratumResult.TakeAll) and has no reserves.
type StratifiedSRS struct {
	Seed uint64 `json:"seed"`
	// Sizes gives n_h for every stratum of the frame (0 to skip one), e.g.
	// from Allocate via Allocations.Sizes.
	Sizes map[int32]int `json:"sizes"`
	// Reserves gives r_h; strata not listed get none.
	Reserves map[int32]int `json:"reserves,omitempty"`
}

// Probabilities returns π = min(n_h, N_h)/N_h for every unit.
func (d StratifiedSRS) Probabilities(units []Unit) ([]float64, error) {
	ix, err := buildIndex(units)
	if err != nil {
		return nil, err
	}
	if err := checkPlan(ix, d.Sizes, "sample size"); err != nil {
		return nil, err
	}
	pi := make([]float64, len(units))
	for _, s := range ix.strata {
		N := s.hi - s.lo
		p := float64(min(d.Sizes[s.id], N)) / float64(N)
		for _, u := range ix.order[s.lo:s.hi] {
			pi[u] = p
		}
	}
	return pi, nil
}

// Draw draws the sample. Within a stratum the first n_h + r_h positions of a
// partial Fisher–Yates shuffle of its households (in frame order) are taken:
// the first n_h are the main sample, the rest the reserves in rank order.
func (d StratifiedSRS) Draw(units []Unit) (*Sample, error) {
	ix, err := buildIndex(units)
	if err != nil {
		return nil, err
	}
	if err := checkPlan(ix, d.Sizes, "sample size"); err != nil {
		return nil, err
	}
	for id, r := range d.Reserves {
		if _, ok := d.Sizes[id]; !ok {
			return nil, errorf("reserves given for stratum %d, which is not in the frame", id)
		}
		if r < 0 {
			return nil, errorf("negative reserves %d for stratum %d", r, id)
		}
	}
	out := &Sample{Kind: KindStratifiedSRS, Seed: d.Seed}
	for _, s := range ix.strata {
		N := s.hi - s.lo
		n := d.Sizes[s.id]
		main := min(n, N)
		k := min(n+d.Reserves[s.id], N)
		if main == 0 {
			k = 0 // no reserves without a main sample
		}
		res := StratumResult{
			Stratum: s.id, Households: N, Communities: len(s.psus),
			Requested: n, Drawn: main, Reserves: k - main, TakeAll: n >= N,
		}
		out.Strata = append(out.Strata, res)
		if k == 0 {
			continue
		}
		// The index is private to this call, so shuffle it in place.
		hh := ix.order[s.lo:s.hi]
		newStream(d.Seed, tagSRS, s.id, 0).shuffleFirst(hh, k)
		slices.Sort(hh[:main])
		pi := float64(main) / float64(N)
		for i, u := range hh[:k] {
			rank := 0
			if i >= main {
				rank = i - main + 1
			}
			out.Selections = append(out.Selections, Selection{
				Unit: int(u), Stratum: s.id, Community: units[u].PSU, PSU: int64(u),
				Pi1: pi, Pi2: 1, Pi: pi, Weight: 1 / pi, Reserve: rank,
			})
		}
	}
	return out, nil
}
