//go:build race

package server

// Under the race detector, which slows the pure-Go SQLite many times, the
// dashboard's browser test seeds smaller rounds (still 40-odd interviews a
// street in the round it checks).
const dashSampleN, dashOtherN = 320, 120
