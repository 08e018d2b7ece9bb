package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestRoundAndAssignCommands(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db, url := migrated(t, d)
			fieldtest.New(t, db, fieldtest.Small) // frame, questionnaire "field", users; its own round uses sample "fieldtest"
			db.Close()
			env := map[string]string{"DATABASE_URL": url}
			dir := t.TempDir()
			run := func(args ...string) string {
				t.Helper()
				out, _, err := runCLI(t, env, "", args...)
				if err != nil {
					t.Fatalf("minyi %s: %v", strings.Join(args, " "), err)
				}
				return out
			}
			run("sample", "draw", "--name", "第二轮", "--n", "12", "--per-community", "3", "--reserves", "1", "--allocation", "equal", "--seed", "3")

			rule := filepath.Join(dir, "rule.yaml")
			os.WriteFile(rule, []byte("attempts: 4\nevening: 2\napproval: automatic\n"), 0o600)
			badRule := filepath.Join(dir, "bad.yaml")
			os.WriteFile(badRule, []byte("attempts: 4\nattemps: 2\n"), 0o600)
			_, _, err := runCLI(t, env, "", "round", "create", "--name", "R2", "--questionnaire", "field@1", "--sample", "第二轮", "--rule", badRule)
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "attemps") {
				t.Fatalf("bad rule: %v", err)
			}
			_, _, err = runCLI(t, env, "", "round", "create", "--name", "R2", "--questionnaire", "field@7", "--sample", "第二轮")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "questionnaire") {
				t.Fatalf("unknown version: %v", err)
			}
			// In a district in Asia/Kolkata, a rule file without time_zone
			// counts days and evenings there (checked below).
			out := run("round", "create", "--name", "R2", "--questionnaire", "field@1", "--sample", "第二轮", "--kind", "satisfaction", "--rule", rule, "--timezone", "Asia/Kolkata")
			if !strings.Contains(out, `created round "R2"`) || !strings.Contains(out, "status planned") {
				t.Fatalf("create = %q", out)
			}
			if _, _, err := runCLI(t, env, "", "round", "create", "--name", "R3", "--questionnaire", "field", "--sample", "第二轮"); ExitCode(err) != 1 || !strings.Contains(err.Error(), "already") {
				t.Fatalf("a sample fielded twice: %v", err)
			}
			// Households of street 1 to an interviewer of street 1, by street,
			// by community and from a file; not to one of street 2.
			if out := run("assign", "--round", "R2", "--interviewer", "int1a", "--street", "街道1"); !strings.Contains(out, "gave 6 households") {
				t.Fatalf("assign street = %q", out)
			}
			_, _, err = runCLI(t, env, "", "assign", "--round", "R2", "--interviewer", "int2a", "--street", "街道1")
			if ExitCode(err) != 2 || !strings.Contains(err.Error(), "another street") {
				t.Fatalf("cross-street assign: %v", err)
			}
			export := run("sample", "export", "第二轮")
			var units strings.Builder
			for i, line := range strings.Split(strings.TrimSpace(export), "\n") {
				if i == 0 || strings.HasPrefix(line, "街道1,") && !strings.Contains(line, ",1,") && len(units.String()) < 200 {
					units.WriteString(line + "\n")
				}
			}
			unitsFile := filepath.Join(dir, "units.csv")
			os.WriteFile(unitsFile, []byte(units.String()), 0o600)
			if out := run("assign", "--round", "R2", "--interviewer", "int1b", "--units", unitsFile); !strings.Contains(out, "households of round") {
				t.Fatalf("assign units = %q", out)
			}
			os.WriteFile(unitsFile, []byte("street,community,building,household\n街道9,社区,1栋,1\n"), 0o600)
			if _, _, err := runCLI(t, env, "", "assign", "--round", "R2", "--interviewer", "int1b", "--units", unitsFile); ExitCode(err) != 2 || !strings.Contains(err.Error(), ":2:") {
				t.Fatalf("unknown household: %v", err)
			}
			if out := run("round", "start", "R2"); !strings.Contains(out, "fieldwork") {
				t.Fatalf("start = %q", out)
			}
			if _, _, err := runCLI(t, env, "", "round", "start", "R2"); ExitCode(err) != 1 || !strings.Contains(err.Error(), "not planned") {
				t.Fatalf("start twice: %v", err)
			}
			out = run("round", "show", "R2", "--by", "interviewer")
			for _, want := range []string{"int1a", "int1b", "(unassigned)", "PENDING", "RR1", "total"} {
				if !strings.Contains(out, want) {
					t.Fatalf("show lacks %q:\n%s", want, out)
				}
			}
			out = run("round", "list")
			if !strings.Contains(out, "R2") || !strings.Contains(out, "2026Q4 模拟入户") || !strings.Contains(out, "field@1") {
				t.Fatalf("list = %q", out)
			}
			run("round", "close", "R2")
			if out := run("round", "reopen", "R2"); !strings.Contains(out, "fieldwork") {
				t.Fatalf("reopen = %q", out)
			}
			if _, _, err := runCLI(t, env, "", "round", "show", "nope"); ExitCode(err) != 1 || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("unknown round: %v", err)
			}
			if out := run("round", "resum", "R2"); !strings.Contains(out, "sums rebuilt") {
				t.Fatalf("resum = %q", out)
			}
			if _, _, err := runCLI(t, env, "", "round", "resum", "nope"); ExitCode(err) != 1 || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("resum of an unknown round: %v", err)
			}
			// Every change was audited, by the command line.
			db, err = store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.Reader().Get(&n, "SELECT COUNT(*) FROM audit_log WHERE via = 'cli' AND action IN ('round.create', 'round.start', 'round.close', 'round.reopen', 'assignment.assign', 'round.resum')"); err != nil || n != 7 {
				t.Fatalf("%d cli audit entries (%v), want 7", n, err)
			}
			// The rules keep the zone they were made in: the district's
			// (--timezone or MINYI_TIMEZONE) unless they name one.
			zoned := filepath.Join(dir, "zoned.yaml")
			os.WriteFile(zoned, []byte("attempts: 4\ntime_zone: Asia/Shanghai\n"), 0o600)
			env["MINYI_TIMEZONE"] = "Asia/Kolkata"
			run("sample", "draw", "--name", "第三轮", "--n", "6", "--per-community", "3", "--reserves", "0", "--allocation", "equal", "--seed", "4")
			run("sample", "draw", "--name", "第四轮", "--n", "6", "--per-community", "3", "--reserves", "0", "--allocation", "equal", "--seed", "5")
			run("round", "create", "--name", "R3", "--questionnaire", "field", "--sample", "第三轮", "--rule", zoned)
			run("round", "create", "--name", "R4", "--questionnaire", "field", "--sample", "第四轮")
			for name, want := range map[string]string{"R2": "Asia/Kolkata", "R3": "Asia/Shanghai", "R4": "Asia/Kolkata"} {
				var raw string
				if err := db.Reader().Get(&raw, db.Reader().Rebind("SELECT replacement_rule FROM rounds WHERE name = ?"), name); err != nil {
					t.Fatal(err)
				}
				var r fieldwork.Rule
				if err := json.Unmarshal([]byte(raw), &r); err != nil || r.TimeZone != want {
					t.Errorf("%s: rule %s (%v), want time_zone %s", name, raw, err, want)
				}
			}
		})
	}
}
