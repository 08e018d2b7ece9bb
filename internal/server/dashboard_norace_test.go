//go:build !race

package server_test

// The households the dashboard tests' two rounds draw (see seedDashboard).
const dashSampleN, dashOtherN = 420, 420

// raceDetector says the tests run under the race detector (see
// dashboard_race_test.go).
const raceDetector = false
