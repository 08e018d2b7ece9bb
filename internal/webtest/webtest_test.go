package webtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Skip and Fatal instead of acting.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped = toString(args)
}
func (r *recorder) Fatal(args ...any)    { r.failed = toString(args) }
func (r *recorder) Skipf(string, ...any) { r.skipped = "skipf" }

func toString(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if s, ok := a.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

func TestChromiumLookup(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "my-chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	saved := browsers
	t.Cleanup(func() { browsers = saved })
	browsers = []string{filepath.Join(t.TempDir(), "none")}

	cases := []struct {
		name, env, ci   string
		want            string
		skipped, failed bool
	}{
		{"named by MINYI_CHROMIUM", fake, "", fake, false, false},
		{"none, not in CI: skip saying so", "", "", "", true, false},
		{"none, in CI: fail", "", "true", "", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("MINYI_CHROMIUM", c.env)
			t.Setenv("CI", c.ci)
			r := &recorder{TB: t}
			got := Chromium(r)
			if got != c.want || (r.skipped != "") != c.skipped || (r.failed != "") != c.failed {
				t.Errorf("Chromium = %q, skipped %q, failed %q", got, r.skipped, r.failed)
			}
			if c.skipped && !strings.Contains(r.skipped, "no chromium found") {
				t.Errorf("the skip does not say why: %q", r.skipped)
			}
		})
	}
}
