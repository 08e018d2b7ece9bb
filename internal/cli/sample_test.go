package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestFrameAndSampleCommands(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var b strings.Builder
			b.WriteString("街道,社区,门牌号\n")
			for i := range 600 {
				fmt.Fprintf(&b, "街道%d,社区%d,%d号\n", i%3, i%12, i)
			}
			file := filepath.Join(dir, "register.csv")
			os.WriteFile(file, []byte(b.String()), 0o600)
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("街道,社区,门牌号\nA,B,1\nA,,2\n"), 0o600)

			_, _, err := runCLI(t, env, "", "frame", "import", bad)
			if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "line 3") {
				t.Fatalf("bad frame: %v", err)
			}
			out, _, err := runCLI(t, env, "", "frame", "import", file)
			if err != nil || !strings.Contains(out, "frame version 1: 600 households in 12 communities of 3 streets") {
				t.Fatalf("frame import = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "sample", "draw", "--name", "q4", "--n", "60", "--per-community", "10", "--seed", "99")
			if err != nil || !strings.Contains(out, "seed 99: 60 households") {
				t.Fatalf("sample draw = %q, %v", out, err)
			}
			exp1, _, err := runCLI(t, env, "", "sample", "export", "q4")
			if err != nil || strings.Count(exp1, "\n") != 61 {
				t.Fatalf("export = %q, %v", exp1, err)
			}
			// the same seed again gives the same households
			if _, _, err := runCLI(t, env, "", "sample", "draw", "--name", "q4-again", "--n", "60", "--per-community", "10", "--seed", "99"); err != nil {
				t.Fatal(err)
			}
			exp2, _, _ := runCLI(t, env, "", "sample", "export", "q4-again")
			if exp1 != exp2 {
				t.Fatal("same seed, different export")
			}
			out, _, err = runCLI(t, env, "", "sample", "show", "q4")
			if err != nil || !strings.Contains(out, "街道0") {
				t.Fatalf("show = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "sample", "size", "--margin", "0.05")
			if err != nil || !strings.Contains(out, "385 interviews") && !strings.Contains(out, "interviews") {
				t.Fatalf("size = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "sample", "size", "--margin", "0.05", "--no-frame")
			if err != nil || !strings.Contains(out, "n0 = 384.15, n = 384.15 → 385 interviews") {
				t.Fatalf("size without frame = %q, %v", out, err)
			}
			_, _, err = runCLI(t, env, "", "sample", "draw", "--name", "x", "--n", "10", "--seed", "-3")
			if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "--seed") {
				t.Fatalf("bad seed: %v", err)
			}
		})
	}
}
