package web

import "testing"

func TestByteSize(t *testing.T) {
	for v, want := range map[int64]string{0: "0 B", 512: "512 B", 1536: "1.5 KiB", 1700000: "1.6 MiB", 2 << 30: "2.0 GiB"} {
		if got := byteSize(v); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", v, got, want)
		}
	}
}
