package dashboard

import (
	"testing"
	"time"
)

// The report's methods name the district's zone with its offset, half-hour
// and western zones included.
func TestZoneOf(t *testing.T) {
	at := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ zone, offset string }{
		{"Asia/Shanghai", "UTC+08:00"},
		{"Asia/Kolkata", "UTC+05:30"},
		{"America/St_Johns", "UTC-03:30"},
		{"UTC", "UTC+00:00"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		name, offset := zoneOf(at.In(loc))
		if name != tc.zone || offset != tc.offset {
			t.Errorf("zoneOf in %s = %q, %q; want %q, %q", tc.zone, name, offset, tc.zone, tc.offset)
		}
	}
}
