package msgs

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var han = regexp.MustCompile(`\p{Han}`)

// The catalog loads (same codes and parameters in every language), every
// Chinese text is translated, and each message the source can make is
// recognised: a sample of each format localises to a format that makes the
// same English, and its Chinese has the parameters in it.
func TestCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, zh := c.formats["en"], c.formats["zh-CN"]
	if len(en) < 300 {
		t.Fatalf("%d messages", len(en))
	}
	for code, f := range zh {
		if strings.HasPrefix(f, untranslated) || !han.MatchString(f) {
			t.Errorf("zh-CN %s is not translated: %q", code, f)
		}
	}
	for code, f := range en {
		sample, params := sampleOf(f)
		got := c.Localize(sample, "zh-CN")
		if got.Code == "" {
			t.Errorf("%s: %q is not recognised", code, sample)
			continue
		}
		if got.Code != code {
			// Another format may make the same text; then either is right.
			if other, _ := sampleOf(en[got.Code]); other != sample {
				if back := fmt.Sprintf(asStrings(en[got.Code]), toAny(got.Params)...); back != sample {
					t.Errorf("%s: %q recognised as %s (%q)", code, sample, got.Code, en[got.Code])
				}
			}
			continue
		}
		if len(got.Params) != len(params) {
			t.Errorf("%s: params %q, want %q", code, got.Params, params)
		}
		for _, p := range params {
			if !strings.Contains(got.Text, p) {
				t.Errorf("%s: the Chinese %q lacks the parameter %q", code, got.Text, p)
			}
		}
		if back := c.Localize(sample, "en"); back.Text != sample {
			t.Errorf("%s: English %q comes back as %q", code, sample, back.Text)
		}
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// sampleOf makes a message from a format with distinct parameters, and
// returns them as Params would say them.
func sampleOf(f string) (string, []string) {
	var args []any
	var params []string
	n := 0
	for _, m := range verbRE.FindAllStringSubmatch(f, -1) {
		if m[2] == "%" || m[1] != "" {
			continue
		}
		n++
		switch m[2] {
		case "d":
			args, params = append(args, 700+n), append(params, fmt.Sprint(700+n))
		case "q":
			s := fmt.Sprintf("样例%d", n)
			args, params = append(args, s), append(params, s)
		case "g", "f", "e":
			args, params = append(args, 0.25), append(params, fmt.Sprintf(m[0], 0.25))
		default:
			s := fmt.Sprintf("P%dX", n)
			args, params = append(args, s), append(params, s)
		}
	}
	return fmt.Sprintf(f, args...), params
}

// Messages inside messages are said in the language too; an unknown one
// stays as it came, without a code.
func TestLocalizeNested(t *testing.T) {
	c := Default()
	inner := "another frame import finished at the same time; try again"
	if c.Localize(inner, "zh-CN").Code == "" {
		t.Fatalf("%q is not in the catalog any more: pick another", inner)
	}
	outer := fmt.Sprintf("token create: %s", inner)
	got := c.Localize(outer, "zh-CN")
	if got.Code == "" || strings.Contains(got.Text, "another frame") || !han.MatchString(got.Text) {
		t.Errorf("nested: %+v", got)
	}
	if got.Params[0] != inner {
		t.Errorf("the parameter is the English message as it came: %q", got.Params)
	}
	unknown := c.Localize("something no one ever wrote", "zh-CN")
	if unknown.Code != "" || unknown.Text != "something no one ever wrote" {
		t.Errorf("unknown: %+v", unknown)
	}
}

func TestVerbCount(t *testing.T) {
	for f, want := range map[string]int{"": 0, "%d%%": 1, "%s %q %v": 3, "%[2]s of %[1]d": 2, "%.6g and %5.2f": 2, "100%% done": 0} {
		if got := verbCount(f); got != want {
			t.Errorf("verbCount(%q) = %d, want %d", f, got, want)
		}
	}
}
