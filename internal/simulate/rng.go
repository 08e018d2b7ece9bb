package simulate

import (
	"hash/fnv"
	"math/rand/v2"
)

// splitmix64 is the SplitMix64 output function (Steele, Lea and Flood
// 2014), used to derive independent stream seeds from one seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// mix hashes a seed and a list of integers into a stream seed.
func mix(seed uint64, parts ...uint64) uint64 {
	x := splitmix64(seed)
	for _, p := range parts {
		x = splitmix64(x ^ p)
	}
	return x
}

// hashString maps a name to 64 bits (FNV-1a), so that a stream can be
// keyed by names that do not depend on database ids.
func hashString(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

// Stream returns a reproducible random stream for a seed and a purpose:
// the same arguments give the same numbers on every machine (PCG, whose
// output math/rand/v2 specifies).
func Stream(seed uint64, parts ...uint64) *rand.Rand {
	x := mix(seed, parts...)
	return rand.New(rand.NewPCG(x, splitmix64(x^0xda942042e4dd58b5)))
}

// Stream purposes.
const (
	tagDistrict uint64 = 0x4449 // "DI"
	tagStreet   uint64 = 0x5354 // "ST"
	tagComm     uint64 = 0x434d // "CM"
	tagHouse    uint64 = 0x4848 // "HH"
	tagAnswer   uint64 = 0x414e // "AN"
	tagRep      uint64 = 0x5250 // "RP"
)

// pick returns an index drawn with the given weights (not necessarily
// normalised; at least one positive).
func pick(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// HashString maps names to 64 bits, to key a Stream by names.
func HashString(parts ...string) uint64 { return hashString(parts...) }
