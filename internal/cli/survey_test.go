package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/surveys"
)

func TestSurveyCommands(t *testing.T) {
	shipped, err := fs.ReadFile(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A questionnaire of its own: migrate up installs the shipped ones.
	shipped = []byte(strings.Replace(string(shipped), "id: wenming-household", "id: wenming-test", 1))
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v1 := write("wenming-test.yaml", string(shipped))
	v2 := write("changed.yaml", strings.Replace(string(shipped), "target: 0.90", "target: 0.92", 1))
	broken := write("broken.yaml", "id: b\ntitle: {zh-CN: 坏, en: Broken}\nsections:\n  - id: s\n    title: {zh-CN: 部分}\n    questions: []\n")

	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			run := func(args ...string) (string, string, error) {
				t.Helper()
				return runCLI(t, env, "", args...)
			}
			must := func(args ...string) string {
				t.Helper()
				out, errb, err := run(args...)
				if err != nil {
					t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, errb)
				}
				return out
			}
			if out := must("migrate", "up"); !strings.Contains(out, "installed questionnaire wenming-household version 1") ||
				!strings.Contains(out, "installed questionnaire window-service version 1") {
				t.Fatalf("migrate up = %q", out)
			}
			if out := must("migrate", "up"); strings.Contains(out, "installed") {
				t.Fatalf("second migrate up installs again: %q", out)
			}

			// validate needs no database and is registered.
			if out := must("survey", "validate", v1); !strings.Contains(out, "ok "+v1) {
				t.Fatalf("validate = %q", out)
			}

			// A broken file: every problem on stderr with its line, exit 2.
			_, errb, err := run("survey", "import", broken)
			if ExitCode(err) != 2 || !strings.Contains(errb, broken+":5:") || !strings.Contains(err.Error(), "nothing was stored") {
				t.Fatalf("import broken: %v\n%s", err, errb)
			}
			if out := must("survey", "list"); strings.Count(out, "\n") != 3 || strings.Contains(out, "\nb ") {
				t.Fatalf("list after a failed import = %q", out)
			}

			out := must("survey", "import", v1)
			d1, _ := questionnaire.Parse("x", shipped)
			hash, _ := d1.ContentHash()
			if !strings.Contains(out, "draft of wenming-test") || !strings.Contains(out, hash) {
				t.Fatalf("import = %q", out)
			}
			out = must("survey", "list", "--lang", "en")
			if !regexp.MustCompile(`wenming-test +- +yes`).MatchString(out) || !strings.Contains(out, "Household survey") {
				t.Fatalf("list with a draft = %q", out)
			}
			if out := must("survey", "show", "wenming-test@draft"); !strings.Contains(out, "wenming-test · draft") {
				t.Fatalf("show draft = %q", out)
			}
			_, _, err = run("survey", "show", "wenming-test")
			if !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), "no published version") {
				t.Fatalf("show latest before publishing: %v", err)
			}

			if out := must("survey", "publish", "wenming-test"); !strings.Contains(out, "published wenming-test version 1") {
				t.Fatalf("publish = %q", out)
			}
			if _, _, err := run("survey", "publish", "wenming-test"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("publish without a draft: %v", err)
			}
			if _, _, err := run("survey", "import", v1); !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "identical to published version 1") {
				t.Fatalf("identical import: %v", err)
			}
			must("survey", "import", v2)
			if out := must("survey", "publish", "wenming-test"); !strings.Contains(out, "version 2") {
				t.Fatalf("second publish = %q", out)
			}

			// Text listing in either language.
			zh := must("survey", "show", "wenming-test")
			for _, want := range []string{
				"version 2", "创建省级文明县城入户调查问卷", "== 甄别问题 [screening]", "1. S1  请问您是否年满18周岁？",
				"若 S1 = 2（否），结束访问（不符合调查条件）", "仅当 A1 = 1（知道） 时显示",
				"8  不了解  [don't know]", "9  拒答  [refused]", // built-in satisfaction options
				"7  都没有参加  [exclusive]", "integer 0–100, required",
				"awareness  知晓率 · rate (awareness) · target 92%", "target 85%",
			} {
				if !strings.Contains(zh, want) {
					t.Errorf("show (zh-CN) lacks %q", want)
				}
			}
			en := must("survey", "show", "wenming-test@1", "--lang", "en")
			for _, want := range []string{
				"version 1", "Household survey on the provincial civilized county-town campaign",
				"ends the interview (not eligible) if S1 = 2 (No)", "shown if A1 = 1 (Yes, I know)",
				"awareness  Awareness rate · rate (awareness) · target 90%",
			} {
				if !strings.Contains(en, want) {
					t.Errorf("show (en) lacks %q", want)
				}
			}
			if t.Failed() {
				t.Logf("zh-CN:\n%s\nen:\n%s", zh, en)
			}

			// JSON is the stored canonical definition of that version.
			js := must("survey", "show", "wenming-test@1", "--format", "json")
			canonical, _ := d1.CanonicalJSON()
			if strings.TrimSpace(js) != string(canonical) || !json.Valid([]byte(js)) {
				t.Fatalf("show json = %.200q", js)
			}

			for _, tt := range []struct {
				args []string
				kind apperr.Kind
			}{
				{[]string{"survey", "show", "nope"}, apperr.NotFound},
				{[]string{"survey", "show", "wenming-test@7"}, apperr.NotFound},
				{[]string{"survey", "show", "wenming-test@seven"}, apperr.Invalid},
				{[]string{"survey", "show", "wenming-test", "--format", "xml"}, apperr.Invalid},
				{[]string{"survey", "publish", "nope"}, apperr.NotFound},
				{[]string{"survey", "import"}, apperr.Invalid},
				{[]string{"survey", "import", filepath.Join(dir, "missing.yaml")}, apperr.Invalid},
				{[]string{"survey", "frobnicate"}, apperr.Invalid},
				{[]string{"survey"}, apperr.Invalid},
			} {
				if _, _, err := run(tt.args...); !apperr.Is(err, tt.kind) {
					t.Errorf("%s: %v, want %v", strings.Join(tt.args, " "), err, tt.kind)
				}
			}
		})
	}
}
