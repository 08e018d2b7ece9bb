package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Command-line text a database would refuse is refused before any command
// runs, naming the flag, with exit code 2.
func TestArgsTextChecked(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"sample", "draw", "--name", "a\x00b", "--n", "10"}, "--name"},
		{[]string{"sample", "draw", "--name=a\x1bb", "--n", "10"}, "--name"},
		{[]string{"sample", "show", "bad\xff"}, "argument 3"},
		{[]string{"frame", "import", "f\x00.csv"}, "argument 3"},
	} {
		_, _, err := runCLI(t, map[string]string{}, "", tc.args...)
		if ExitCode(err) != 2 || apperr.FieldsOf(err)[tc.field] == "" {
			t.Errorf("%q: %v (exit %d), want exit 2 naming %s", tc.args, err, ExitCode(err), tc.field)
		}
	}
}

// A register with a NUL cell is refused with its line on both databases,
// and no error the CLI prints carries a driver's text.
func TestRegisterTextAndDriverMessages(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			bad := filepath.Join(dir, "nul.csv")
			os.WriteFile(bad, []byte("街道,社区,门牌号\nA,B,1\nA,B\x00,2\n"), 0o600)
			_, _, err := runCLI(t, env, "", "frame", "import", bad)
			if ExitCode(err) != 2 || !strings.Contains(Message(err), "line 3") || strings.Contains(Message(err), "pq:") {
				t.Fatalf("register with NUL: %q (exit %d)", Message(err), ExitCode(err))
			}
			good := filepath.Join(dir, "ok.csv")
			os.WriteFile(good, []byte("街道,社区,门牌号\nA,B,1\nA,B,2\nA,C,3\n"), 0o600)
			if _, _, err := runCLI(t, env, "", "frame", "import", good); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCLI(t, env, "", "sample", "draw", "--name", "Wave", "--n", "2", "--design", "stratified-srs", "--seed", "1"); err != nil {
				t.Fatal(err)
			}
			// A duplicate (in another case) is a conflict from the unique
			// index: the driver's text stays hidden.
			_, _, err = runCLI(t, env, "", "sample", "draw", "--name", "WAVE", "--n", "2", "--design", "stratified-srs", "--seed", "1")
			msg := Message(err)
			if !apperr.Is(err, apperr.Conflict) || !strings.Contains(msg, "already exists") {
				t.Fatalf("duplicate sample: %v", err)
			}
			for _, leak := range []string{"pq:", "constraint", "UNIQUE", "duplicate key", "samples"} {
				if strings.Contains(msg, leak) {
					t.Errorf("message %q shows driver text %q", msg, leak)
				}
			}
		})
	}
}

func TestMessageHidesDriverCause(t *testing.T) {
	err := apperr.Wrap(apperr.Internal, &pq.Error{Code: "22021", Message: "invalid byte sequence for encoding \"UTF8\": 0x00"}, "import frame")
	if msg := Message(err); strings.Contains(msg, "0x00") || strings.Contains(msg, "pq") || !strings.Contains(msg, "import frame") {
		t.Fatalf("Message = %q", msg)
	}
	plain := apperr.Wrap(apperr.Invalid, os.ErrNotExist, "cannot open --data x.csv")
	if msg := Message(plain); !strings.Contains(msg, "file does not exist") {
		t.Fatalf("Message of a safe cause = %q, want the cause kept", msg)
	}
}
