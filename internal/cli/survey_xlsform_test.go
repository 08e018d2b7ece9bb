package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestSurveyXLSForm(t *testing.T) {
	dir := t.TempDir()
	notXLSX := filepath.Join(dir, "q.xlsx")
	if err := os.WriteFile(notXLSX, []byte("id: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			run := func(args ...string) (string, string, error) {
				t.Helper()
				return runCLI(t, env, "", args...)
			}
			if _, errb, err := run("migrate", "up"); err != nil {
				t.Fatalf("migrate up: %v\n%s", err, errb)
			}
			// The export of a shipped version imports back to the same
			// hash: identical to the published version, so nothing to import.
			xl := filepath.Join(dir, string(d)+"-wenming.xlsx")
			if _, errb, err := run("survey", "export-xlsform", "wenming-household@1", "-o", xl); err != nil || !strings.Contains(errb, "wrote wenming-household version 1") {
				t.Fatalf("export: %v\n%s", err, errb)
			}
			if _, _, err := run("survey", "import-xlsform", xl); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "identical to published version 1") {
				t.Fatalf("import of the export: %v", err)
			}
			// Not a workbook: the problem on stderr, exit 2, nothing stored.
			_, errb, err := run("survey", "import-xlsform", notXLSX, "--lang", "en")
			if ExitCode(err) != 2 || !strings.Contains(errb, "not an XLSX workbook") || !strings.Contains(err.Error(), "nothing was stored") {
				t.Fatalf("import of a YAML file: %v\n%s", err, errb)
			}
			_, errb, _ = run("survey", "import-xlsform", notXLSX, "--lang", "zh-CN")
			if !strings.Contains(errb, "不是 XLSX 工作簿") {
				t.Fatalf("problems in Chinese: %s", errb)
			}
			// The example: a draft, with the codes given to yes and no.
			out, errb, err := run("survey", "import-xlsform", "../../surveys/examples/xlsform-example.xlsx")
			if err != nil || !strings.Contains(out, "draft of street-satisfaction") || !strings.Contains(out, `choice "yes" of list yes_no (choices row 2) has code 1`) {
				t.Fatalf("import of the example: %v\n%s\n%s", err, out, errb)
			}
			if out, _, err := run("survey", "show", "street-satisfaction@draft", "--lang", "en"); err != nil || !strings.Contains(out, "Street residents' satisfaction survey") {
				t.Fatalf("show: %v\n%s", err, out)
			}
		})
	}
}
