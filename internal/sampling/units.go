package sampling

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Unit is one household of the frame. A frame is a []Unit; a household is
// known by its index in that slice, which the caller maps back to its own id.
// The order of the slice is part of the frame: pass it in a stable order
// (e.g. by household id) so that the same seed gives the same sample.
type Unit struct {
	Stratum int32 // street id
	PSU     int32 // community id; (Stratum, PSU) identifies a community
	// Size is the number of persons in the household, 0 when unknown. The
	// designs do not use it; it travels with the frame for later
	// person-level weighting.
	Size int32
}

// Info describes one stratum of a frame.
type Info struct {
	Stratum     int32 `json:"stratum"`
	Households  int   `json:"households"`
	Communities int   `json:"communities"`
}

// Describe returns, for each stratum of the frame in ascending id order, its
// numbers of households and communities.
func Describe(units []Unit) ([]Info, error) {
	ix, err := buildIndex(units)
	if err != nil {
		return nil, err
	}
	out := make([]Info, len(ix.strata))
	for i, s := range ix.strata {
		out[i] = Info{Stratum: s.id, Households: s.hi - s.lo, Communities: len(s.psus)}
	}
	return out, nil
}

// Strata turns Describe's output into allocation input (no priors, no
// minimums).
func Strata(info []Info) []Stratum {
	out := make([]Stratum, len(info))
	for i, s := range info {
		out[i] = Stratum{ID: s.Stratum, Households: s.Households}
	}
	return out
}

// index groups the units of a frame by stratum and community.
type index struct {
	// order holds unit indexes grouped by stratum, then community, both in
	// ascending id order, and in frame order within a community.
	order  []int32
	strata []stratumGroup
}

type stratumGroup struct {
	id     int32
	lo, hi int // range of order
	psus   []psuGroup
}

type psuGroup struct {
	id     int32
	lo, hi int // range of order
}

func (p psuGroup) size() int { return p.hi - p.lo }

// buildIndex groups units in O(N) plus a sort of the distinct communities.
func buildIndex(units []Unit) (*index, error) {
	if len(units) == 0 {
		return nil, errors.New("sampling: the frame is empty")
	}
	if len(units) > math.MaxInt32 {
		return nil, fmt.Errorf("sampling: the frame has %d households, more than %d", len(units), math.MaxInt32)
	}
	key := func(u Unit) uint64 { return uint64(uint32(u.Stratum))<<32 | uint64(uint32(u.PSU)) }
	// Dense community number of each unit, in order of first appearance.
	dense := make([]int32, len(units))
	ids := make(map[uint64]int32)
	var keys []Unit
	var counts []int
	last, lastID := key(units[0])+1, int32(-1) // registers are usually grouped
	for i, u := range units {
		k := key(u)
		if k != last {
			id, ok := ids[k]
			if !ok {
				id = int32(len(keys))
				ids[k] = id
				keys = append(keys, Unit{Stratum: u.Stratum, PSU: u.PSU})
				counts = append(counts, 0)
			}
			last, lastID = k, id
		}
		dense[i] = lastID
		counts[lastID]++
	}
	// Rank communities by (stratum, community id).
	rank := make([]int32, len(keys))
	for i := range rank {
		rank[i] = int32(i)
	}
	slices.SortFunc(rank, func(a, b int32) int {
		ka, kb := keys[a], keys[b]
		if ka.Stratum != kb.Stratum {
			return cmpInt32(ka.Stratum, kb.Stratum)
		}
		return cmpInt32(ka.PSU, kb.PSU)
	})
	start := make([]int, len(keys)) // by dense id
	ix := &index{order: make([]int32, len(units))}
	pos := 0
	for _, d := range rank {
		k := keys[d]
		if n := len(ix.strata); n == 0 || ix.strata[n-1].id != k.Stratum {
			if n > 0 {
				ix.strata[n-1].hi = pos
			}
			ix.strata = append(ix.strata, stratumGroup{id: k.Stratum, lo: pos})
		}
		s := &ix.strata[len(ix.strata)-1]
		s.psus = append(s.psus, psuGroup{id: k.PSU, lo: pos, hi: pos + counts[d]})
		start[d] = pos
		pos += counts[d]
	}
	ix.strata[len(ix.strata)-1].hi = pos
	for i, d := range dense {
		ix.order[start[d]] = int32(i)
		start[d]++
	}
	return ix, nil
}

func cmpInt32(a, b int32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkPlan verifies that a per-stratum plan names exactly the strata of the
// frame, with non-negative values.
func checkPlan(ix *index, plan map[int32]int, what string) error {
	var missing []int32
	for _, s := range ix.strata {
		if _, ok := plan[s.id]; !ok {
			missing = append(missing, s.id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("sampling: no %s given for stratum %v (give 0 to skip a stratum)", what, missing)
	}
	known := make(map[int32]bool, len(ix.strata))
	for _, s := range ix.strata {
		known[s.id] = true
	}
	for id, v := range plan {
		if !known[id] {
			return fmt.Errorf("sampling: %s given for stratum %d, which is not in the frame", what, id)
		}
		if v < 0 {
			return fmt.Errorf("sampling: negative %s %d for stratum %d", what, v, id)
		}
	}
	return nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("sampling: "+format, args...)
}
