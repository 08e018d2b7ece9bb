//go:build !race

package demo

const (
	raceShrink   = 1
	raceSlowdown = 1
)
