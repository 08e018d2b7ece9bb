//go:build race

package simround_test

// raceScale shrinks the largest test under the race detector, which makes
// the pure-Go SQLite some fifty times slower (as the standard library's
// tests do with race.Enabled).
const raceScale = 4
