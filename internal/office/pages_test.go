package office

import (
	"os"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
)

// TestRuleExample keeps the rule box's placeholder equal to the example
// rule file.
func TestRuleExample(t *testing.T) {
	b, err := os.ReadFile("../../surveys/examples/rule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != ruleExample {
		t.Errorf("ruleExample differs from surveys/examples/rule.yaml:\n%s", b)
	}
	if _, err := fieldwork.ParseRule([]byte(ruleExample)); err != nil {
		t.Errorf("the example rule does not parse: %v", err)
	}
}
