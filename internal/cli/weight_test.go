package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

func TestPopulationAndWeightCommands(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			weighttest.New(t, db)
			db.Close()
			env := map[string]string{"DATABASE_URL": url}
			dir := t.TempDir()
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("街道,性别,人数\n街道1,男,10\n街道7,女,x\n"), 0o600)
			_, _, err = runCLI(t, env, "", "population", "import", bad, "--questionnaire", "weigh")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "line 3: street \"街道7\" is not in the frame") || !strings.Contains(err.Error(), "line 3: count \"x\"") {
				t.Fatalf("bad file: %v", err)
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
			_, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--trim", "500")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "trim") {
				t.Fatalf("bad trim: %v", err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--poststrata", "street*E1*E2", "--trim", "3")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"84 respondents", "nonresponse (street)", "poststratify", "DEFF (KISH)", "calibration check", "街道2 × E1=女 × E2=60岁及以上"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting")
			if err != nil || !strings.Contains(out, "rake to population 1 in") {
				t.Fatalf("default = %q, %v", out, err)
			}
			out, _, err = runCLI(t, env, "", "round", "weight", "weighting", "--again")
			if err != nil || !strings.Contains(out, "(run 3)") || !strings.Contains(out, "rake to population 1 in") {
				t.Fatalf("again = %q, %v", out, err)
			}
		})
	}
}
