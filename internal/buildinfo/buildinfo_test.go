package buildinfo

import "testing"

func TestName(t *testing.T) {
	for _, c := range []struct {
		b    Build
		want string
	}{
		{Build{Version: "dev", Go: "go1.26.8"}, "minyi dev (go1.26.8, schema 18)"},
		{Build{Version: "v1.2.0", Revision: "1a2b3c4d5e6f7a8b9c", Go: "go1.26.8"}, "minyi v1.2.0 (rev 1a2b3c4d5e6f, go1.26.8, schema 18)"},
		{Build{Version: "v1.2.0", Revision: "1a2b3c", Modified: true, Go: "go1.26.8"}, "minyi v1.2.0 (rev 1a2b3c+changes, go1.26.8, schema 18)"},
	} {
		if got := c.b.Name(18); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
	if b := Read(); b.Version == "" || b.Go == "" || b.Platform == "" {
		t.Errorf("Read() = %+v", b)
	}
}
