//go:build !race

package server

// The households the dashboard tests' two rounds draw (see seedDashboard).
const dashSampleN, dashOtherN = 420, 420
