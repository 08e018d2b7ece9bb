package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/accounts/accountstest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/surveys"
)

// auditCount counts the audit entries with that action and object id.
func auditCount(t *testing.T, db *store.DB, action, object string) int {
	t.Helper()
	es, err := db.AuditLog(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action && e.ObjectID == object {
			if e.Via != "cli" {
				t.Errorf("%s %s: via %q, want cli", action, object, e.Via)
			}
			n++
		}
	}
	return n
}

// TestCLIChangesAreAudited: every command that changes state leaves exactly
// one audit entry (via cli) when it succeeds and none when it fails, because
// the entry is written in the change's transaction.
func TestCLIChangesAreAudited(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := storetest.URL(t, d)
			env := map[string]string{"DATABASE_URL": url}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dir := t.TempDir()
			var b strings.Builder
			b.WriteString("街道,社区,门牌号\n")
			for i := range 200 {
				fmt.Fprintf(&b, "城关街道,社区%d,%d号\n", i%5, i)
			}
			register := filepath.Join(dir, "register.csv")
			bad := filepath.Join(dir, "bad.csv")
			def := filepath.Join(dir, "window-service.yaml")
			src, _ := surveys.FS.ReadFile("window-service.yaml")
			src = []byte(strings.Replace(string(src), "id: window-service", "id: window-test", 1)) // migrate up installed the shipped one
			accountsList, badAccounts := filepath.Join(dir, "accounts.csv"), filepath.Join(dir, "bad-accounts.csv")
			list := accountstest.List(50, "城关街道")
			bad2 := accountstest.List(50, "城关街道", "无此街道")
			for f, text := range map[string]string{register: b.String(), bad: "街道,社区,门牌号\nA,,1\n", def: string(src),
				accountsList: string(accountstest.CSV(list, true)), badAccounts: string(accountstest.CSV(bad2, true))} {
				if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			steps := []struct {
				args           []string
				ok             bool
				action, object string
			}{
				{[]string{"frame", "import", bad}, false, "frame.import", "1"},
				{[]string{"frame", "import", register}, true, "frame.import", "1"},
				{[]string{"sample", "draw", "--name", "q4", "--n", "20", "--per-community", "10", "--seed", "7"}, true, "sample.draw", "q4"},
				{[]string{"sample", "draw", "--name", "q4", "--n", "20", "--per-community", "10", "--seed", "8"}, false, "sample.draw", "q4"},
				{[]string{"survey", "publish", "window-test"}, false, "survey.publish", "window-test"},
				{[]string{"survey", "import", def}, true, "survey.import", "window-test"},
				{[]string{"survey", "publish", "window-test"}, true, "survey.publish", "window-test"},
				{[]string{"survey", "import", def}, false, "survey.import", "window-test"}, // identical to version 1
				{[]string{"survey", "publish", "window-test"}, false, "survey.publish", "window-test"},
				{[]string{"user", "add", "--username", "wangfang", "--role", "supervisor", "--street", "城关街道"}, true, "user.create", "wangfang"},
				{[]string{"user", "add", "--username", "wangfang", "--role", "analyst"}, false, "user.create", "wangfang"},
				{[]string{"user", "passwd", "wangfang"}, true, "user.passwd", "wangfang"},
				{[]string{"user", "set-role", "wangfang", "--role", "interviewer"}, true, "user.update", "wangfang"},
				{[]string{"user", "set-role", "wangfang", "--role", "supervisor", "--street", "no such street"}, false, "user.update", "wangfang"},
				{[]string{"user", "disable", "wangfang"}, true, "user.disable", "wangfang"},
				{[]string{"user", "enable", "wangfang"}, true, "user.enable", "wangfang"},
				{[]string{"user", "enable", "nobody"}, false, "user.enable", "nobody"},
				{[]string{"user", "import", badAccounts}, false, "user.import", ""},
				{[]string{"user", "import", accountsList, "--base-url", "https://minyi.example.gov.cn"}, true, "user.import", ""},
				{[]string{"user", "import", accountsList}, false, "user.import", ""}, // every username taken now
			}
			for _, st := range steps {
				before := auditCount(t, db, st.action, st.object)
				_, _, err := runCLI(t, env, "", st.args...)
				if (err == nil) != st.ok {
					t.Fatalf("%s: err = %v, want success %v", strings.Join(st.args, " "), err, st.ok)
				}
				want := before
				if st.ok {
					want++
				}
				if got := auditCount(t, db, st.action, st.object); got != want {
					t.Errorf("%s: %d %s entries for %s, want %d", strings.Join(st.args, " "), got, st.action, st.object, want)
				}
			}
		})
	}
}

// TestUserImport: 'minyi user import' prints each account's one-time
// password and login link once, and names a bad line.
func TestUserImport(t *testing.T) {
	url := storetest.URL(t, store.SQLite)
	env := map[string]string{"DATABASE_URL": url, "MINYI_BASE_URL": "https://minyi.example.gov.cn"}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.Street(t, db, "城关街道")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "名单.xlsx"), filepath.Join(dir, "bad.csv")
	list := accountstest.List(12, "城关街道")
	os.WriteFile(good, accountstest.XLSX(list), 0o600)
	os.WriteFile(bad, []byte("姓名,账号,角色,街道\n王芳,wf,校长,城关街道\n"), 0o600)
	if _, _, err := runCLI(t, env, "", "user", "import", bad); err == nil || !strings.Contains(err.Error(), "line 2, role") || ExitCode(err) != 2 {
		t.Errorf("bad list: %v (exit %d)", err, ExitCode(err))
	}
	out, _, err := runCLI(t, env, "", "user", "import", good)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "https://minyi.example.gov.cn/login/code/"); n != 12 || !strings.Contains(out, "created 12 accounts") || !strings.Contains(out, list[1][0]) {
		t.Errorf("output:\n%s", out)
	}
}
