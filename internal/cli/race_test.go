//go:build race

package cli

// raceEnabled tells whether the test binary runs with the race detector.
const raceEnabled = true
