package glossary_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/glossary"
	"github.com/minyi-survey/minyi/web"
)

// TestEveryTermInEveryLanguage checks that each term has its name, plain
// words and formula in every language, that no help.ID string is left over
// from a term that is gone, and that every group has its heading.
func TestEveryTermInEveryLanguage(t *testing.T) {
	pages, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range glossary.Terms() {
		if seen[id] {
			t.Errorf("term %s is listed twice", id)
		}
		seen[id] = true
	}
	for _, lang := range web.Languages {
		var strs map[string]string
		if err := json.Unmarshal(pages.StringsJSON(lang), &strs); err != nil {
			t.Fatal(err)
		}
		for _, id := range glossary.Terms() {
			for _, part := range glossary.Parts {
				if s := strs["help."+id+"."+part]; strings.TrimSpace(s) == "" {
					t.Errorf("%s: term %s has no %s (help.%s.%s)", lang, id, part, id, part)
				}
			}
		}
		for _, g := range glossary.Groups {
			if strs["help.group."+g.ID] == "" {
				t.Errorf("%s: group %s has no heading", lang, g.ID)
			}
		}
		for k := range strs {
			rest, ok := strings.CutPrefix(k, "help.")
			if !ok {
				continue
			}
			id, part, _ := strings.Cut(rest, ".")
			if part != "" && id != "group" && !glossary.Has(id) {
				t.Errorf("%s: string %s belongs to no term of the glossary", lang, k)
			}
		}
	}
}

// termUse finds the uses of the term partial in a template.
var termUse = regexp.MustCompile(`template "term" \(dict [^)]*"ID" "([^"]*)"`)

// TestTermUsesNameTerms checks that every use of the "term" partial in the
// templates names a term of the glossary (a typo would link nowhere), and
// that the pages use the partial at all.
func TestTermUsesNameTerms(t *testing.T) {
	uses := 0
	err := filepath.WalkDir("../../web/templates", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range termUse.FindAllStringSubmatch(string(b), -1) {
			uses++
			if !glossary.Has(m[1]) {
				t.Errorf("%s: term %q is not in the glossary", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if uses < 20 {
		t.Errorf("the templates use the term partial %d times; the pages' terms are not linked", uses)
	}
}
