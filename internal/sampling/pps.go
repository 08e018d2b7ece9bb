package sampling

import (
	"math"
	"slices"
)

// Order is the order of the list in systematic PPS.
type Order int

// Orders; see the package documentation.
const (
	// OrderRandom shuffles the list before the systematic pass
	// (randomised systematic PPS).
	OrderRandom Order = iota
	// OrderSorted keeps the list in ascending community id.
	OrderSorted
)

var orderNames = map[Order]string{OrderRandom: "random", OrderSorted: "sorted"}

// String returns "random" or "sorted".
func (o Order) String() string { return nameOf(orderNames, o) }

// MarshalText encodes the order by name.
func (o Order) MarshalText() ([]byte, error) { return marshalName(orderNames, o) }

// UnmarshalText decodes "random" or "sorted" (case-insensitive).
func (o *Order) UnmarshalText(b []byte) error { return unmarshalName(orderNames, o, b, "order") }

// PPSResult is the outcome of SystematicPPS.
type PPSResult struct {
	// Selected are the indexes of the units drawn, ascending.
	Selected []int `json:"selected"`
	// Pi is the inclusion probability of every unit; it sums to
	// min(n, number of units with a positive size).
	Pi []float64 `json:"pi"`
	// Certain marks the units taken with certainty (π = 1).
	Certain []bool `json:"certain"`
	// Certainty counts them.
	Certainty int `json:"certainty"`
	// Interval is T'/a', the size per draw of the systematic pass after the
	// certainty units were removed; 0 when no systematic pass was needed.
	Interval float64 `json:"interval"`
}

// SystematicPPS draws n of the units whose measures of size are sizes, with
// probability proportional to size, without replacement: certainty units
// first, then one systematic pass (see the package documentation). Units of
// size 0 are never drawn. When n is at least the number of units with a
// positive size, all of them are taken. The seed determines the draw.
func SystematicPPS(sizes []int, n int, order Order, seed uint64) (PPSResult, error) {
	if n < 0 {
		return PPSResult{}, errorf("negative number of draws %d", n)
	}
	var total int64
	for i, s := range sizes {
		if s < 0 {
			return PPSResult{}, errorf("negative size %d for unit %d", s, i)
		}
		total += int64(s)
		if total > math.MaxInt64/int64(max(n, 1)) {
			return PPSResult{}, errorf("sizes too large: their total times n overflows")
		}
	}
	p := planPPS(sizes, n)
	sel := p.draw(sizes, order, newStream(seed, tagPPS, 0, 0))
	res := PPSResult{Pi: p.pi, Certain: p.certain, Certainty: p.certainty, Selected: make([]int, len(sel))}
	for i, v := range sel {
		res.Selected[i] = int(v)
	}
	if p.rest > 0 {
		res.Interval = float64(p.total) / float64(p.rest)
	}
	return res, nil
}

// ppsPlan is the deterministic part of systematic PPS: which units are
// certain, and the draws and total size left for the systematic pass.
type ppsPlan struct {
	pi        []float64
	certain   []bool
	certainty int
	rest      int   // a': draws left for the systematic pass
	total     int64 // T': total size of the units left
}

// planPPS removes certainty units until none is left: a unit with
// a·M_i ≥ T (its size at least the interval T/a) is certain. Removing all
// such units at once is the same as removing the largest one at a time: if
// a unit qualifies, it still does after a larger one is removed.
func planPPS(sizes []int, n int) ppsPlan {
	p := ppsPlan{pi: make([]float64, len(sizes)), certain: make([]bool, len(sizes))}
	a := n
	for {
		positive, total := 0, int64(0)
		for i, s := range sizes {
			if s > 0 && !p.certain[i] {
				positive++
				total += int64(s)
			}
		}
		if a >= positive { // everything left is taken
			for i, s := range sizes {
				if s > 0 && !p.certain[i] {
					p.certain[i] = true
					p.certainty++
				}
			}
			a, total = 0, 0
		}
		removed := 0
		if a > 0 {
			for i, s := range sizes {
				if s > 0 && !p.certain[i] && int64(a)*int64(s) >= total {
					p.certain[i] = true
					p.certainty++
					removed++
				}
			}
		}
		if removed == 0 {
			p.rest, p.total = a, total
			break
		}
		a -= removed
	}
	for i, s := range sizes {
		switch {
		case p.certain[i]:
			p.pi[i] = 1
		case s > 0 && p.rest > 0:
			p.pi[i] = float64(p.rest) * float64(s) / float64(p.total)
		}
	}
	return p
}

// draw returns the indexes of the selected units, ascending. With a' draws
// left and total T', unit i covers [a'·C_{i−1}, a'·C_i) of [0, a'·T') and the
// points u + k·T', k = 0…a'−1, u uniform on {0, …, T'−1}, select the units
// they fall in: unit i is hit with probability a'·M_i/T' < 1, at most once.
func (p ppsPlan) draw(sizes []int, order Order, r rng) []int32 {
	var sel []int32
	var list []int32
	for i, s := range sizes {
		switch {
		case p.certain[i]:
			sel = append(sel, int32(i))
		case s > 0:
			list = append(list, int32(i))
		}
	}
	if p.rest == 0 {
		return sel
	}
	if order == OrderRandom {
		r.shuffleFirst(list, len(list))
	}
	a, T := int64(p.rest), p.total
	point := int64(r.uint64n(uint64(T)))
	var c int64
	hits := int64(0)
	for _, i := range list {
		c += a * int64(sizes[i])
		if hits < a && point < c {
			sel = append(sel, i)
			hits++
			point += T
		}
	}
	slices.Sort(sel)
	return sel
}
