//go:build race

package servertest

// Under the race detector, which slows the pure-Go SQLite many times, the
// dashboard's browser test seeds smaller rounds (still 40-odd interviews a
// street in the round it checks).
const DashSampleN, DashOtherN = 320, 120

// RaceDetector says the tests run under the race detector: the crawl
// then reads the English pages as the admin only (every other role in
// Chinese), which halves the suite's slowest test.
const RaceDetector = true
