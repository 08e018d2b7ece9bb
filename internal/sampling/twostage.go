package sampling

import "slices"

// TwoStage is design (b): in each street, a_h communities by systematic PPS
// on their household counts, then PerPSU households by SRS in each selected
// community, plus ReservesPerPSU reserves from the same community.
//
// A street asking for at least as many communities as it has takes them all
// (π1 = 1, StratumResult.TakeAll). A community with at most PerPSU households
// is taken whole (π2 = 1, counted in StratumResult.SmallPSUs) and has no
// reserves; one with fewer than PerPSU + ReservesPerPSU gives what it has.
// Communities with no households are not in the frame and cannot be drawn.
type TwoStage struct {
	Seed uint64 `json:"seed"`
	// PSUs gives a_h, the communities to draw, for every stratum of the
	// frame (0 to skip one); see PSUsFor and Allocations.PSUs.
	PSUs map[int32]int `json:"psus"`
	// PerPSU is m, the households drawn in each selected community.
	PerPSU int `json:"per_psu"`
	// ReservesPerPSU is r, the reserves drawn in each selected community.
	ReservesPerPSU int `json:"reserves_per_psu,omitempty"`
	// Order is the order of the communities in the systematic pass.
	Order Order `json:"order"`
	// Exact, when set, gives n_h, the main sample of each stratum, and
	// makes the draw take exactly that many: the selected communities are
	// visited by ascending id and each takes min(m, M_i, what is left), so
	// the last one (or more, when communities are small) takes fewer than m.
	// π1 is unchanged; π2 of a community is the households it took over
	// M_i, given the communities drawn. The base weight 1/(π1·π2) keeps the
	// Horvitz–Thompson estimator unbiased: conditional on the first stage,
	// each household of community i is taken with probability π2, whatever
	// the other communities drawn (Särndal, Swensson and Wretman 1992,
	// §4.3, second-stage designs that need not be invariant). PSUs[h] must
	// be ⌈n_h/m⌉. Without Exact every selected community takes m.
	Exact map[int32]int `json:"exact,omitempty"`
}

func (d TwoStage) check(ix *index) error {
	if d.PerPSU < 1 {
		return errorf("households per community must be at least 1, got %d", d.PerPSU)
	}
	if d.ReservesPerPSU < 0 {
		return errorf("negative reserves per community %d", d.ReservesPerPSU)
	}
	if d.Order != OrderRandom && d.Order != OrderSorted {
		return errorf("unknown order %v", d.Order)
	}
	if err := checkPlan(ix, d.PSUs, "number of communities"); err != nil {
		return err
	}
	for id, n := range d.Exact {
		if n < 0 || PSUsFor(n, d.PerPSU) != d.PSUs[id] {
			return errorf("stratum %d: an exact sample of %d households at %d per community needs %d communities, not %d",
				id, n, d.PerPSU, PSUsFor(n, d.PerPSU), d.PSUs[id])
		}
	}
	return nil
}

// psuSizes returns the household counts of a stratum's communities.
func psuSizes(s stratumGroup) []int {
	sizes := make([]int, len(s.psus))
	for i, p := range s.psus {
		sizes[i] = p.size()
	}
	return sizes
}

// Probabilities returns π = π1·min(m, M_i)/M_i for every unit. An Exact
// design has no such fixed π (a community's π2 depends on which others
// are drawn): it is an error, and each drawn household carries its own.
func (d TwoStage) Probabilities(units []Unit) ([]float64, error) {
	if len(d.Exact) > 0 {
		return nil, errorf("an exact two-stage design has no fixed inclusion probabilities: use those of the drawn households")
	}
	ix, err := buildIndex(units)
	if err != nil {
		return nil, err
	}
	if err := d.check(ix); err != nil {
		return nil, err
	}
	pi := make([]float64, len(units))
	for _, s := range ix.strata {
		plan := planPPS(psuSizes(s), d.PSUs[s.id])
		for i, p := range s.psus {
			M := p.size()
			v := plan.pi[i] * float64(min(d.PerPSU, M)) / float64(M)
			for _, u := range ix.order[p.lo:p.hi] {
				pi[u] = v
			}
		}
	}
	return pi, nil
}

// Draw draws the sample.
func (d TwoStage) Draw(units []Unit) (*Sample, error) {
	ix, err := buildIndex(units)
	if err != nil {
		return nil, err
	}
	if err := d.check(ix); err != nil {
		return nil, err
	}
	out := &Sample{Kind: KindTwoStage, Seed: d.Seed}
	m, r := d.PerPSU, d.ReservesPerPSU
	for _, s := range ix.strata {
		a := d.PSUs[s.id]
		sizes := psuSizes(s)
		plan := planPPS(sizes, a)
		sel := plan.draw(sizes, d.Order, newStream(d.Seed, tagStage1, s.id, 0))
		res := StratumResult{
			Stratum: s.id, Households: s.hi - s.lo, Communities: len(s.psus),
			Requested: a * m, PSUsRequested: a, PSUsDrawn: len(sel),
			Certainty: plan.certainty, TakeAll: a >= len(s.psus),
		}
		left, exact := d.Exact[s.id]
		if exact {
			res.Requested = left
		}
		if plan.rest > 0 {
			res.Interval = float64(plan.total) / float64(plan.rest)
		}
		for _, i := range sel {
			p := s.psus[i]
			M := p.size()
			main := min(m, M)
			if main == M {
				res.SmallPSUs++
			}
			if exact {
				main = min(main, left)
				left -= main
			}
			k := min(main+r, M)
			res.Drawn += main
			res.Reserves += k - main
			hh := ix.order[p.lo:p.hi]
			newStream(d.Seed, tagStage2, s.id, p.id).shuffleFirst(hh, k)
			slices.Sort(hh[:main])
			pi1 := plan.pi[i]
			pi2 := float64(main) / float64(M)
			for j, u := range hh[:k] {
				rank := 0
				if j >= main {
					rank = j - main + 1
				}
				out.Selections = append(out.Selections, Selection{
					Unit: int(u), Stratum: s.id, Community: p.id, PSU: int64(p.id),
					Pi1: pi1, Pi2: pi2, Pi: pi1 * pi2, Weight: 1 / (pi1 * pi2), Reserve: rank,
				})
			}
		}
		out.Strata = append(out.Strata, res)
	}
	return out, nil
}

// PSUsFor returns the communities needed for n households at m per
// community: ⌈n/m⌉.
func PSUsFor(n, m int) int {
	if n <= 0 || m <= 0 {
		return 0
	}
	return (n + m - 1) / m
}

// ClusterDeff is Kish's design effect of a cluster sample with m households
// per cluster and intra-cluster correlation icc: 1 + (m−1)·icc (Kish 1965,
// ch. 5), for planning two-stage samples with SampleSize.
func ClusterDeff(m int, icc float64) float64 {
	if m <= 1 {
		return 1
	}
	return 1 + float64(m-1)*icc
}
