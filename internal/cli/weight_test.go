package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

func TestPopulationAndWeightCommands(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db, url := migrated(t, d)
			weighttest.New(t, db)
			db.Close()
			env := map[string]string{"DATABASE_URL": url}
			dir := t.TempDir()
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("街道,性别,人数\n街道1,男,10\n街道7,女,x\n"), 0o600)
			_, _, err := runCLI(t, env, "", "population", "import", bad, "--questionnaire", "weigh")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "line 3: street \"街道7\" is not in the frame") || !strings.Contains(err.Error(), "line 3: count \"x\"") {
				t.Fatalf("bad file: %v", err)
			}
			if n := strings.Count(err.Error(), "line 3: count"); n != 1 {
				t.Errorf("bad file: each problem once, not %d times: %v", n, err)
			}
			good := filepath.Join(dir, "人口.csv")
			os.WriteFile(good, []byte(weighttest.PopulationCSV()), 0o600)
			out, _, err := runCLI(t, env, "", "population", "import", good, "--questionnaire", "weigh")
			if err != nil || !strings.Contains(out, "as population 1: 12 counts by street × E1 × E2") {
				t.Fatalf("import = %q, %v", out, err)
			}
			if out, _, err := runCLI(t, env, "", "population", "list"); err != nil || !strings.Contains(out, "人口.csv") {
				t.Fatalf("list = %q, %v", out, err)
			}
			// Without --questionnaire: the questionnaire of the frame's
			// newest round (the database holds two).
			out, _, err = runCLI(t, env, "", "population", "import", good)
			if err != nil || !strings.Contains(out, "as population 2:") || !strings.Contains(out, "questionnaire weigh)") {
				t.Fatalf("import without --questionnaire = %q, %v", out, err)
			}
			_, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--trim", "500")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "trim") {
				t.Fatalf("bad trim: %v", err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--poststrata", "street*E1*E2", "--trim", "3")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"78 respondents", "nonresponse (street)", "poststratify", "DEFF (KISH)", "calibration check", "街道2 × E1=女 × E2=60岁及以上"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--trim", "1.5")
			if err != nil || !strings.Contains(out, "trimming breaks margin street × E") {
				t.Fatalf("trimming = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--bounds", "0.5,1.6")
			if err != nil || !strings.Contains(out, "calibrate to population 2 (raking, bounds [0.5, 1.6]) in") || !strings.Contains(out, "the final weights count people: each household's weight × its adults (E5)") {
				t.Fatalf("bounded calibration = %q, %v", out, err)
			}
			_, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--bounds", "0.9,1.1")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "cannot meet margin street × E") {
				t.Fatalf("bounds that cannot be met: %v", err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting")
			if err != nil || !strings.Contains(out, "rake to population 2 in") {
				t.Fatalf("default = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--again")
			if err != nil || !strings.Contains(out, "(run 5)") || !strings.Contains(out, "rake to population 2 in") {
				t.Fatalf("again = %q, %v", out, err)
			}
		})
	}
}

// round weight names the refused calibration answers and their remedies,
// takes one with --missing, and says in its report what it imputed.
func TestWeightMissingRemedy(t *testing.T) {
	d := storetest.Dialects(t)[0]
	db, url := migrated(t, d)
	weighttest.NewWith(t, db, weighttest.Options{RefuseAge: weighttest.RefusesAge})
	db.Close()
	env := map[string]string{"DATABASE_URL": url}
	pop := filepath.Join(t.TempDir(), "pop.csv")
	os.WriteFile(pop, []byte(weighttest.PopulationCSV()), 0o600)
	if _, _, err := runCLI(t, env, "", "population", "import", pop, "--questionnaire", "weigh"); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2")
	if ExitCode(err) != 2 || !strings.Contains(err.Error(), "6 responses cannot be calibrated") || !strings.Contains(err.Error(), "E2=hotdeck") {
		t.Fatalf("no remedy: %v", err)
	}
	for _, bad := range []string{"E2", "E2=mean", "E2=collapse:9"} {
		if _, _, err := runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--missing", bad); ExitCode(err) != 2 || !strings.Contains(err.Error(), "missing") {
			t.Errorf("--missing %s: %v", bad, err)
		}
	}
	out, _, err := runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--missing", "E2=collapse:3")
	if err != nil || !strings.Contains(out, "E2: 6 refused, don't-know or missing answers collapsed into category 3") {
		t.Fatalf("collapse = %q, %v", out, err)
	}
	out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--margins", "street*E1,street*E2", "--missing", "E2=hotdeck", "--seed", "3")
	if err != nil || !strings.Contains(out, "E2: 6 refused, don't-know or missing answers given a donor's answer (hot deck)") {
		t.Fatalf("hot deck = %q, %v", out, err)
	}
	// --epsilon says what R's rake means: a proportion of the sum of the
	// weights before raking, not of "the total" (issue 24).
	help, helpErr, err := runCLI(t, env, "", "round", "weight", "--help")
	if err != nil || !strings.Contains(help+helpErr, "below 1, a proportion of the sum of the weights before raking, as R's rake") {
		t.Errorf("round weight --help (%v):\n%s%s", err, help, helpErr)
	}
}
