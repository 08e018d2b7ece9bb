//go:build !race

package demo

const (
	raceShrink   = 1
	minResponses = 2000 // a few thousand
)
