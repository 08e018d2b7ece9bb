package office

import (
	"os"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
)

// TestRuleExample keeps the example rule file one that parses.
func TestRuleExample(t *testing.T) {
	b, err := os.ReadFile("../../surveys/examples/rule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fieldwork.ParseRule(b); err != nil {
		t.Errorf("the example rule does not parse: %v", err)
	}
}
