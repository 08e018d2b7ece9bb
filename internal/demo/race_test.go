//go:build race

package demo

// Under the race detector, which slows the pure-Go SQLite some fifty
// times, the demo's samples are a tenth of their size.
const (
	raceShrink   = 10
	minResponses = 150
)
