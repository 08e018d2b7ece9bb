package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestListingsInDistrictZone: a listing prints its times in the district's
// zone (--timezone / MINYI_TIMEZONE, Asia/Shanghai by default), as the
// pages do, not in the machine's; an unknown zone is refused by name.
func TestListingsInDistrictZone(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": storetest.URL(t, d)}
			if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
				t.Fatal(err)
			}
			register := filepath.Join(t.TempDir(), "register.csv")
			if err := os.WriteFile(register, []byte("街道,社区,门牌号\n城关街道,东门社区,1号\n城关街道,东门社区,2号\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCLI(t, env, "", "frame", "import", register); err != nil {
				t.Fatal(err)
			}
			imported := func(args ...string) time.Time {
				t.Helper()
				out, _, err := runCLI(t, env, "", append([]string{"frame", "list"}, args...)...)
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(strings.TrimSpace(out), "\n")
				f := strings.Fields(lines[len(lines)-1])
				at, err := time.Parse("2006-01-02 15:04", f[len(f)-2]+" "+f[len(f)-1])
				if err != nil {
					t.Fatalf("frame list %v: %v\n%s", args, err, out)
				}
				return at
			}
			utc := imported("--timezone", "UTC")
			if got := imported("--timezone", "Asia/Kolkata").Sub(utc); got != 5*time.Hour+30*time.Minute {
				t.Errorf("Kolkata's listing is %v after UTC's, want 5h30m", got)
			}
			if got := imported().Sub(utc); got != 8*time.Hour {
				t.Errorf("the default zone's listing is %v after UTC's, want Asia/Shanghai's 8h", got)
			}
			env["MINYI_TIMEZONE"] = "America/New_York"
			ny, _ := time.LoadLocation("America/New_York")
			_, off := time.Now().In(ny).Zone()
			if got := imported().Sub(utc); got != time.Duration(off)*time.Second {
				t.Errorf("MINYI_TIMEZONE=America/New_York: %v after UTC, want %v", got, time.Duration(off)*time.Second)
			}
			_, _, err := runCLI(t, env, "", "frame", "list", "--timezone", "Mars/Olympus")
			if err == nil || ExitCode(err) != 2 || !strings.Contains(err.Error(), "--timezone") {
				t.Errorf("an unknown zone: %v (exit %d), want exit 2 naming --timezone", err, ExitCode(err))
			}
		})
	}
}
