//go:build !race

package servertest

// The households the dashboard tests' two rounds draw (see SeedDashboard).
const DashSampleN, DashOtherN = 420, 420

// RaceDetector says the tests run under the race detector (see
// race.go).
const RaceDetector = false
