package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestExportCommand(t *testing.T) {
	db, url := migrated(t, store.SQLite)
	storetest.SeedRound(t, db, 300, 3, 9)
	db.Close()
	env := map[string]string{"DATABASE_URL": url}
	dir := t.TempDir()

	out := filepath.Join(dir, "responses.csv")
	if _, _, err := runCLI(t, env, "", "export", "responses", "--round", "seeded round", "-o", out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if !bytes.HasPrefix(b, []byte("\ufeffresponse_id,")) || bytes.Count(b, []byte("\n")) != 301 {
		t.Fatalf("responses.csv: %d lines, starts %q", bytes.Count(b, []byte("\n")), b[:min(len(b), 20)])
	}
	stdout, _, err := runCLI(t, env, "", "export", "summary", "--round", "seeded round", "--no-bom")
	if err != nil || !strings.HasPrefix(stdout, "indicator,label,kind,level") || !strings.Contains(stdout, "知晓率") {
		t.Fatalf("summary to stdout (%v): %q", err, stdout[:min(len(stdout), 80)])
	}
	xl := filepath.Join(dir, "codebook.xlsx")
	if _, _, err := runCLI(t, env, "", "export", "codebook", "--round", "seeded round", "--format", "xlsx", "-o", xl); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("codebook", "E2"); v != "您是否知道创城" {
		t.Fatalf("codebook E2 = %q", v)
	}
	f.Close()

	// Bad input: a clear error, and an earlier file is left as it was.
	for _, args := range [][]string{
		{"export", "answers", "--round", "seeded round", "-o", out},
		{"export", "responses", "--round", "seeded round", "--format", "ods", "-o", out},
		{"export", "responses", "-o", out},
		{"export", "responses", "--round", "nope", "-o", out},
	} {
		if _, _, err := runCLI(t, env, "", args...); err == nil || ExitCode(err) == 0 {
			t.Fatalf("%v: no error", args)
		}
	}
	if b2, _ := os.ReadFile(out); !bytes.Equal(b, b2) {
		t.Fatal("a failed export changed the earlier file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("temporary files left: %v", entries)
	}
}
