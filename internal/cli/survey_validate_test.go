package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/surveys"
)

func TestSurveyValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	shipped, err := fs.ReadFile(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := write("good.yaml", string(shipped))
	broken := write("broken.yaml", `id: b
title: {zh-CN: 坏, en: Broken}
sections:
  - id: s
    title: {zh-CN: 部分, en: Part}
    questions:
      - code: A1
        type: yes_no
        label: {zh-CN: 问题}
        show_if: {equals: {question: B1, value: 1}}
      - code: B1
        type: integer
        label: {zh-CN: 年龄, en: Age}
        min: 9
        max: 1
        colour: red
`)
	missing := filepath.Join(dir, "missing.yaml")

	tests := []struct {
		name       string
		args       []string
		wantErr    bool
		wantStdout []string
		wantStderr []string
	}{
		{"valid file", []string{good}, false,
			[]string{"ok " + good + " (wenming-household, 19 questions, 13 indicators)"}, nil},
		{"all problems of all files", []string{broken, good, missing}, true,
			[]string{"ok " + good + " ("},
			[]string{
				broken + ":9:16: question A1: label missing for language en",
				broken + ":10:38: question A1: condition refers to later question B1",
				broken + ":14:14: question B1: min 9 is greater than max 1",
				broken + ":16:9: question B1: unknown key \"colour\"",
				missing + ": no such file or directory",
			}},
		{"no files", nil, true, nil, nil},
		{"unknown flag", []string{"-x", good}, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := surveyValidate(context.Background(), &Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}, tt.args)
			if tt.wantErr {
				if !apperr.Is(err, apperr.Invalid) || ExitCode(err) != 2 {
					t.Errorf("err = %v, want an Invalid error (exit code 2)", err)
				}
			} else if err != nil {
				t.Errorf("err = %v", err)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if len(tt.wantStderr) > 0 {
				if got := strings.Count(stderr.String(), "\n"); got != len(tt.wantStderr) {
					t.Errorf("stderr has %d lines, want %d:\n%s", got, len(tt.wantStderr), stderr.String())
				}
			}
		})
	}
}
