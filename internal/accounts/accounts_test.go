package accounts

import (
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// TestCheck: the checks that need no database, each as a field error.
func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		n     New
		field string // "" = valid
	}{
		{"analyst", New{Username: "li.wei", Role: "analyst"}, ""},
		{"supervisor with street", New{Username: "wangfang", Role: "supervisor", Street: "城关街道", DisplayName: "王芳"}, ""},
		{"interviewer with street", New{Username: "zhang_3", Role: "interviewer", Street: "S1"}, ""},
		{"interviewer without street", New{Username: "zhang", Role: "interviewer"}, "street"},
		{"supervisor without street", New{Username: "zhao", Role: "supervisor"}, "street"},
		{"admin with street", New{Username: "root", Role: "admin", Street: "城关街道"}, "street"},
		{"unknown role", New{Username: "x1", Role: "boss"}, "role"},
		{"space in username", New{Username: "x y", Role: "analyst"}, "username"},
		{"chinese username", New{Username: "王芳", Role: "analyst"}, "username"},
		{"short username", New{Username: "x", Role: "analyst"}, "username"},
		{"long username", New{Username: strings.Repeat("a", 65), Role: "analyst"}, "username"},
		{"control in name", New{Username: "li", Role: "analyst", DisplayName: "李\x00伟"}, "display_name"},
		{"blank name", New{Username: "li", Role: "analyst", DisplayName: "   "}, "display_name"},
		{"long name", New{Username: "li", Role: "analyst", DisplayName: strings.Repeat("王", 65)}, "display_name"},
	}
	for _, tt := range tests {
		err := tt.n.Check()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[tt.field] == "" {
			t.Errorf("%s: err = %v, want a field error on %s", tt.name, err, tt.field)
		}
	}
}
