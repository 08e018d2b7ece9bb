package textcheck

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestField(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"城关街道", ""},
		{"a\tb\nc\r\n", ""},
		{"", ""},
		{"a\x00b", MsgControl},
		{"\x1b[31m", MsgControl},
		{"del\x7f", MsgControl},
		{"c1\u0085", MsgControl},
		{"bad\xff", MsgInvalidUTF8},
		{"\xe5\x9f", MsgInvalidUTF8}, // a truncated 城
		{"\ufffd is a real character", ""},
	} {
		if got := Field(tc.in); got != tc.want {
			t.Errorf("Field(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: "  南湖街道 ", want: "南湖街道"},
		{in: "Cafe\u0301", want: "Café"}, // decomposed é becomes one code point
		{in: "admin\u202e", bad: true},
		{in: "\u2066x\u2069", bad: true},
		{in: "a\u200fb", bad: true},
		{in: "two\nlines", bad: true},
		{in: "tab\there", bad: true},
		{in: "nul\x00", bad: true},
		{in: "\xff", bad: true},
	} {
		got, err := Name(tc.in)
		if tc.bad != (err != nil) || got != tc.want {
			t.Errorf("Name(%q) = %q, %v; want %q, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
	if Fold("ADMIN") != Fold("admin") || Fold("Cafe\u0301") != Fold("CAFÉ") {
		t.Error("Fold does not make look-alikes equal")
	}
}

func TestPathName(t *testing.T) {
	ok := []string{"2026Q4 模拟入户", "round-1_a.b", "样本（第一轮）", "wave (2)", "a·b", "सर्वेक्षण", strings.Repeat("长", 100)}
	for _, s := range ok {
		if _, err := PathName(s); err != nil {
			t.Errorf("PathName(%q): %v", s, err)
		}
	}
	bad := []string{"", "  ", "a/b", "../x", "..", ".hidden", `a\b`, "a?b", "a#b", "a%2Fb", "a;b", "a&b", "a+b",
		strings.Repeat("长", 101), "x\u202ey", "nul\x00", "\u0301a"}
	for _, s := range bad {
		if n, err := PathName(s); err == nil {
			t.Errorf("PathName(%q) = %q, want an error", s, n)
		}
	}
}

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		body, path, problem string
	}{
		{`{"name":"ok","n":3,"priors":{"南湖":0.8}}`, "", ""},
		{`{"name":"a\u0000b"}`, "name", MsgControl},
		{`{"name":"tab\tand\nline\r"}`, "", ""},
		{`{"n":1,"priors":{"南\u001f湖":0.8}}`, "priors.南\x1f湖", MsgControl},
		{`{"priors":{"a":0.5},"name":"\u0007"}`, "name", MsgControl},
		{`{"list":["ok",{"x":"\u0001"}]}`, "list[1].x", MsgControl},
		{`["a","\u0002"]`, "[1]", MsgControl},
		{"{\"name\":\"bad\xff\"}", "name", MsgInvalidUTF8},
		{"{\"a\":[1,2],\"b\":{\"c\":\"\xc3\"}}", "b.c", MsgInvalidUTF8},
		{`{"name":`, "", ""}, // malformed: left to the decoder
	} {
		path, problem := JSON([]byte(tc.body))
		if path != tc.path || problem != tc.problem {
			t.Errorf("JSON(%q) = %q, %q; want %q, %q", tc.body, path, problem, tc.path, tc.problem)
		}
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"a":"b\u0000"}`))
	f.Add([]byte("{\"a\":[\"\xff\"]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		path, problem := JSON(b) // must not panic
		if problem == "" && path != "" {
			t.Fatalf("path %q without a problem", path)
		}
	})
}

// Field's byte scan agrees with the rune-by-rune definition: a control
// character is unicode.IsControl other than tab, LF and CR.
func FuzzField(f *testing.F) {
	for _, s := range []string{"城关\u0085", "a\x00", "\xc2\x9f", "\xc2\xa0", "ok\r\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := ""
		if !utf8.ValidString(s) {
			want = MsgInvalidUTF8
		} else if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
			want = MsgControl
		}
		if got := Field(s); got != want {
			t.Fatalf("Field(%q) = %q, want %q", s, got, want)
		}
	})
}
