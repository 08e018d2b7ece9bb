//go:build !race

package simround_test

const raceScale = 1
