package sampling

import (
	"fmt"
	"math"
	"slices"
)

// Stratum is the allocation input for one street.
type Stratum struct {
	ID         int32 `json:"id"`
	Households int   `json:"households"` // N_h
	// Prior is the anticipated rate p_h, used by Neyman allocation and by
	// SampleSizes; 0 means unknown, and 0.5 (the most cautious) is used.
	Prior float64 `json:"prior,omitempty"`
	// Min is a lower bound on n_h for every method (at most N_h is used),
	// e.g. the n its own estimate needs from SampleSizes.
	Min int `json:"min,omitempty"`
}

// Method is an allocation rule.
type Method int

// Allocation methods (Cochran 1977, ch. 5; Lohr 2022, §3.4).
const (
	// AllocEqual gives every street the same n_h.
	AllocEqual Method = iota + 1
	// AllocProportional makes n_h proportional to N_h: a self-weighting
	// sample.
	AllocProportional
	// AllocNeyman makes n_h proportional to N_h·S_h with
	// S_h = sqrt(p_h(1−p_h)): the smallest variance of the district rate for
	// a given n (Neyman 1934; Cochran 1977, §5.5).
	AllocNeyman
	// AllocMinimum gives every street its Min, then splits what is left of n
	// proportionally to N_h on top of it.
	AllocMinimum
)

var methodNames = map[Method]string{
	AllocEqual: "equal", AllocProportional: "proportional", AllocNeyman: "neyman", AllocMinimum: "minimum",
}

// String returns the name ParseMethod accepts.
func (m Method) String() string { return nameOf(methodNames, m) }

// MarshalText encodes the method by name.
func (m Method) MarshalText() ([]byte, error) { return marshalName(methodNames, m) }

// UnmarshalText decodes a name that ParseMethod accepts.
func (m *Method) UnmarshalText(b []byte) error {
	return unmarshalName(methodNames, m, b, "allocation method")
}

// ParseMethod parses "equal", "proportional", "neyman" or "minimum"
// (case-insensitive).
func ParseMethod(s string) (Method, error) {
	var m Method
	err := m.UnmarshalText([]byte(s))
	return m, err
}

// Allocation is n_h for one street.
type Allocation struct {
	Stratum    int32 `json:"stratum"`
	Households int   `json:"households"`
	Size       int   `json:"size"` // n_h
	// TakeAll is set when the street is smaller than it would otherwise
	// get and is taken whole (Size == Households); the excess went to the
	// other streets.
	TakeAll bool `json:"take_all"`
}

// Allocations is the result of Allocate, in input order.
type Allocations []Allocation

// Sizes returns n_h by stratum, as StratifiedSRS.Sizes wants it.
func (a Allocations) Sizes() map[int32]int {
	m := make(map[int32]int, len(a))
	for _, x := range a {
		m[x.Stratum] = x.Size
	}
	return m
}

// PSUs returns ⌈n_h/m⌉ communities by stratum, as TwoStage.PSUs wants it.
func (a Allocations) PSUs(m int) map[int32]int {
	out := make(map[int32]int, len(a))
	for _, x := range a {
		out[x.Stratum] = PSUsFor(x.Size, m)
	}
	return out
}

// Total returns Σ n_h.
func (a Allocations) Total() int {
	n := 0
	for _, x := range a {
		n += x.Size
	}
	return n
}

// Allocate splits n households between strata. Every stratum gets between
// min(Min, N_h) and N_h; within these bounds n_h = base_h + λ·w_h, with the
// method's weight w_h (1, N_h, N_h·S_h, or N_h on top of base_h = Min for
// AllocMinimum, base_h = 0 otherwise) and λ chosen so the real shares sum to
// n. A stratum held at N_h is taken whole and its excess spread over the
// others, as Cochran (1977, ch. 5) does for a Neyman allocation that would
// need more than 100 per cent sampling.
//
// The real shares are rounded by largest remainder (Hamilton's method): each
// stratum gets the integer part, and the households still missing go one
// each to the largest fractional parts, earlier strata first on ties, never
// beyond N_h. The result sums exactly to n.
func Allocate(n int, strata []Stratum, method Method) (Allocations, error) {
	if len(strata) == 0 {
		return nil, errorf("no strata to allocate to")
	}
	if _, ok := methodNames[method]; !ok {
		return nil, errorf("unknown allocation method %v", method)
	}
	k := len(strata)
	lo, hi, base, w := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	var sumLo, sumHi, reach float64
	seen := make(map[int32]bool, k)
	for i, s := range strata {
		if seen[s.ID] {
			return nil, errorf("stratum %d listed twice", s.ID)
		}
		seen[s.ID] = true
		if s.Households < 0 || s.Min < 0 {
			return nil, errorf("stratum %d: negative households or minimum", s.ID)
		}
		p, err := prior(s.Prior)
		if err != nil {
			return nil, errorf("stratum %d: %v", s.ID, err)
		}
		N := float64(s.Households)
		lo[i], hi[i] = float64(min(s.Min, s.Households)), N
		switch method {
		case AllocEqual:
			w[i] = 1
		case AllocProportional:
			w[i] = N
		case AllocNeyman:
			w[i] = N * math.Sqrt(p*(1-p))
		case AllocMinimum:
			w[i], base[i] = N, lo[i]
		}
		if N == 0 {
			w[i] = 0
		}
		sumLo += lo[i]
		sumHi += hi[i]
		if w[i] > 0 {
			reach += hi[i]
		} else {
			reach += lo[i]
		}
	}
	switch {
	case n < 0:
		return nil, errorf("negative sample size %d", n)
	case float64(n) > sumHi:
		return nil, errorf("sample size %d exceeds the %v households of the frame", n, sumHi)
	case float64(n) < sumLo:
		return nil, errorf("sample size %d is smaller than the sum of the minimums, %v", n, sumLo)
	case float64(n) > reach:
		return nil, errorf("sample size %d cannot be reached: the strata with a positive weight hold only %v households", n, reach)
	}
	x := waterFill(float64(n), lo, hi, base, w)
	sizes := roundLargestRemainder(n, x, lo, hi)
	out := make(Allocations, k)
	for i, s := range strata {
		out[i] = Allocation{Stratum: s.ID, Households: s.Households, Size: sizes[i],
			TakeAll: s.Households > 0 && sizes[i] == s.Households}
	}
	return out, nil
}

// prior returns the anticipated rate, 0.5 when unknown.
func prior(p float64) (float64, error) {
	switch {
	case p == 0:
		return 0.5, nil
	case p > 0 && p < 1:
		return p, nil
	}
	return 0, fmt.Errorf("anticipated rate %v is not in (0, 1)", p)
}

// waterFill finds λ with Σ clamp(base_i + λ·w_i, lo_i, hi_i) = n by
// bisection (the sum is continuous and non-decreasing in λ) and returns the
// clamped shares.
func waterFill(n float64, lo, hi, base, w []float64) []float64 {
	share := func(lambda float64, x []float64) float64 {
		var sum float64
		for i := range x {
			x[i] = min(max(base[i]+lambda*w[i], lo[i]), hi[i])
			sum += x[i]
		}
		return sum
	}
	x := make([]float64, len(lo))
	var top float64 // at λ = top every stratum with a weight is at hi
	for i := range w {
		if w[i] > 0 {
			top = max(top, (hi[i]-base[i])/w[i])
		}
	}
	a, b := 0.0, top
	for range 200 {
		mid := (a + b) / 2
		if share(mid, x) < n {
			a = mid
		} else {
			b = mid
		}
		if b-a <= top*1e-15 {
			break
		}
	}
	share(b, x)
	return x
}

// roundLargestRemainder rounds x to integers between lo and hi summing to n.
func roundLargestRemainder(n int, x, lo, hi []float64) []int {
	out := make([]int, len(x))
	sum := 0
	for i, v := range x {
		// Tolerate the bisection's last bits: 299.9999999 is 300.
		out[i] = int(math.Floor(v + 1e-9))
		out[i] = min(max(out[i], int(lo[i])), int(hi[i]))
		sum += out[i]
	}
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	frac := func(i int) float64 { return x[i] - float64(out[i]) }
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := frac(a), frac(b)
		switch {
		case fa > fb:
			return -1
		case fa < fb:
			return 1
		}
		return 0
	})
	for sum < n { // give to the largest remainders
		for _, i := range order {
			if sum < n && out[i] < int(hi[i]) {
				out[i]++
				sum++
			}
		}
	}
	for sum > n { // take from the smallest remainders
		for j := len(order) - 1; j >= 0; j-- {
			if i := order[j]; sum > n && out[i] > int(lo[i]) {
				out[i]--
				sum--
			}
		}
	}
	return out
}
