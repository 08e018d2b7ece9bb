//go:build race

package demo

// Under the race detector, which slows the pure-Go SQLite some fifty
// times, the demo's samples are a tenth of their size and the time limit
// wider.
const (
	raceShrink   = 10
	raceSlowdown = 10
	minResponses = 150
)
