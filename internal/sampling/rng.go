package sampling

import (
	"math/bits"
	"math/rand/v2"
)

// Stream purposes, hashed into every stream's seed so that streams for
// different purposes never coincide.
const (
	tagSRS    uint64 = 0x5352 // "SR"
	tagStage1 uint64 = 0x5031 // "P1"
	tagStage2 uint64 = 0x5032 // "P2"
	tagPPS    uint64 = 0x5050 // "PP", SystematicPPS on its own
)

// splitmix64 is the SplitMix64 output function (Steele, Lea and Flood 2014),
// a bijection on uint64 with good avalanche, used to derive stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng is a reproducible random stream.
type rng struct {
	src *rand.PCG
}

// newStream returns the stream for one purpose, stratum and community.
func newStream(seed, tag uint64, stratum, psu int32) rng {
	x := splitmix64(seed)
	x = splitmix64(x ^ tag)
	x = splitmix64(x ^ uint64(uint32(stratum)))
	x = splitmix64(x ^ uint64(uint32(psu)))
	return rng{src: rand.NewPCG(x, splitmix64(x^0xda942042e4dd58b5))}
}

// uint64n returns a uniform integer in [0, n), n > 0, by Lemire's
// multiply-and-reject method: exact, and usually one 64-bit draw.
func (r rng) uint64n(n uint64) uint64 {
	hi, lo := bits.Mul64(r.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.src.Uint64(), n)
		}
	}
	return hi
}

// intn returns a uniform integer in [0, n), n > 0.
func (r rng) intn(n int) int { return int(r.uint64n(uint64(n))) }

// shuffleFirst puts a uniformly random ordered selection of k elements of s
// in s[:k] (partial Fisher–Yates, Knuth's Algorithm P stopped after k steps).
func (r rng) shuffleFirst(s []int32, k int) {
	for i := 0; i < k && i < len(s)-1; i++ {
		j := i + r.intn(len(s)-i)
		s[i], s[j] = s[j], s[i]
	}
}
