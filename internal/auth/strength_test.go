package auth

import (
	"strings"
	"testing"
	"unicode"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/msgs"
)

// Issue 23 item 4: what 'user add' and 'user passwd' took before, and
// what they take.
func TestCheckPassword(t *testing.T) {
	for _, c := range []struct {
		pw, why string // why: a word of the English reason, "" for accepted
	}{
		{"1234567890", "too easy"},
		{"password123", "too easy"},
		{"qwertyuiop", "too easy"},
		{"aaaaaaaaaa", "too easy"},
		{"zhangzhang", "username"},
		{"一二三四", "at least 10 characters (this has 4)"},
		{"zhang-office-2026", "username"},
		{"张伟的办公室密码2026", "username"},
		{strings.Repeat("长", 25), "at most 72 bytes"},
		{"\xff\xfe-not-text-at-all", "valid text"},
		{"城关督导-Tk7q-2026", ""},
		{"tablet-Qm4x-harbour", ""},
		{"correct horse battery staple", ""},
	} {
		err := CheckPassword(c.pw, "zhang", "张伟")
		if c.why == "" {
			if err != nil {
				t.Errorf("%q refused: %v", c.pw, err)
			}
			continue
		}
		msg := apperr.FieldsOf(err)["password"]
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(msg, c.why) {
			t.Errorf("%q: %v (%q), want a field error saying %q", c.pw, err, msg, c.why)
		}
		if zh := msgs.Default().Localize(msg, "zh-CN"); zh.Code == "" || !strings.ContainsFunc(zh.Text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%q: the reason %q is not said in Chinese: %+v", c.pw, msg, zh)
		}
	}
}
