package request

import "testing"

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{256 << 20: "256 MB", 8 << 20: "8 MB", 1536: "1.5 KB", 900: "900 bytes", 3 << 19: "1.5 MB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
