// Package sampling owns the sample designs of minyi: drawing households from
// a frame, allocating a total sample to streets, and computing the sample
// size a target precision needs. It is pure: frames come in as a slice of
// Unit with compact integer ids, samples go out as plain values.
//
// # Designs
//
// Both designs stratify by street (街道). Each household drawn carries its
// stratum, its PSU (the cluster an estimator must use), its first- and
// second-stage inclusion probabilities π1 and π2, the overall π = π1·π2 and
// the base weight 1/π.
//
// StratifiedSRS draws n_h households by simple random sampling without
// replacement in each street: π = n_h/N_h (Cochran 1977, §5.1; Lohr 2022,
// §3.2). The household is its own PSU.
//
// TwoStage draws, in each street, a_h communities (社区) with probability
// proportional to their number of households by systematic PPS, then m
// households by SRS in each selected community (Cochran 1977, §§9A.6, 11.9;
// Lohr 2022, §6.2). Communities at least as large as the sampling interval
// are taken with certainty (π1 = 1) and removed, repeatedly, before the
// systematic pass; for the others π1 = a'·M_i/T', with a' the draws left and
// T' the households left. Then π2 = m/M_i and π = a'·m/T' for every household
// outside certainty communities: the design is self-weighting there. A
// community with M_i ≤ m households is taken whole (π2 = 1).
//
// # Systematic PPS
//
// The pass works in exact integer arithmetic: with the list in its chosen
// order and cumulative sizes C_i, unit i covers [a'·C_{i−1}, a'·C_i) and the
// points u, u+T', …, u+(a'−1)·T' are taken with u uniform on {0, …, T'−1}.
// Each unit is hit with probability exactly a'·M_i/T' and at most once. With
// OrderRandom (the default) the list is shuffled first (randomised systematic
// PPS, Hartley and Rao 1962): every pair of communities can be drawn
// together, and the usual with-replacement variance approximation is
// reasonable. OrderSorted keeps the list in community-id order, which gives
// implicit stratification when ids follow geography, at the price of some
// pairs never being drawn together.
//
// # Reserves
//
// Reserve (replacement) households are drawn in the same operation: the
// first n + r positions of one random permutation of the stratum (SRS) or of
// the selected community (two-stage) are taken; the first n are the main
// sample and the next r, in their drawn order, are the reserves of rank
// 1, 2, …, r. So main ∪ reserves is an SRS of n + r, the main sample is an SRS
// of n, and each household has probability (n+r)/N of being in either list,
// n/N of being in the main sample and 1/N of holding any given reserve rank.
// A reserve carries the π and weight of the main households of its stratum or
// community: released under the round's rule, it takes the place of a
// non-responding household, and the achieved sample is analysed as the
// designed one.
//
// # Reproducibility
//
// A uint64 seed and the frame determine the sample exactly, on every machine
// and Go version. Every random stream is a PCG generator (math/rand/v2 PCG,
// whose output is specified) seeded with SplitMix64 hashes of (seed, purpose,
// stratum id, community id): one stream per street for SRS and for the first
// stage, one per selected community for the second stage. So a street's
// sample does not depend on the other streets, on map iteration or on
// goroutine order. Integers in [0, n) are drawn from the 64-bit output with
// Lemire's multiply-and-reject method, implemented here rather than taken from
// math/rand/v2 so that no library change can alter a sample. SRS is a partial
// Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2P) of the
// stratum's households in frame order; callers must therefore pass the frame
// in a stable order, for example by household id.
//
// # Allocation and sample size
//
// Allocate splits a total n between streets: equally, proportionally to
// households, by Neyman allocation N_h·sqrt(p_h(1−p_h)) (Cochran 1977, §5.5),
// or as a minimum per street with the rest proportional; every stratum's
// Min is a lower bound for all methods and its household count an upper
// bound, and rounding keeps the total exact. SampleSize gives the n for a
// margin of error e on a rate: n0 = z²·p(1−p)/e²·deff, n = n0/(1+(n0−1)/N)
// (Cochran 1977, eqs. 4.2–4.3), and n divided by the response rate to issue.
//
// References: W. G. Cochran, Sampling Techniques, 3rd ed., Wiley 1977.
// S. L. Lohr, Sampling: Design and Analysis, 3rd ed., CRC 2022.
// H. O. Hartley and J. N. K. Rao, Sampling with unequal probabilities and
// without replacement, Ann. Math. Statist. 33 (1962). L. Kish, Survey
// Sampling, Wiley 1965. D. Lemire, Fast random integer generation in an
// interval, ACM TOMACS 29 (2019).
package sampling
