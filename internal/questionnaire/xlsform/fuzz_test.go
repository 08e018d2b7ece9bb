package xlsform

import (
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// FuzzConvert feeds arbitrary expressions to the tokenizer, parser and
// conversion: an error or a condition, never a panic; and a condition it
// returns renders to text that converts to the same condition.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{
		"${A} = 1", "${A} != '' and not(${N} > 3)", "selected(${M}, '2') or selected(${M}, '9')",
		"(${A} = 1) or (${A} = 2)", "${N} >= -3 and ${N} <= 7", "string-length(${A}) > 0", "true() and ${A} = 1",
		"${", "'", "((", "${A} = = 1", "today() > 3", "（${A} = 1）", ". >= 1 and . <= 9",
	} {
		f.Add(s)
	}
	lo, hi := -5, 50
	a := &questionnaire.Question{Code: "A", Type: questionnaire.TypeSingleChoice, Options: []*questionnaire.Option{{Code: 1}, {Code: 2}, {Code: 3}}}
	m := &questionnaire.Question{Code: "M", Type: questionnaire.TypeMultipleChoice, Options: []*questionnaire.Option{{Code: 1}, {Code: 2}, {Code: 9}}}
	n := &questionnaire.Question{Code: "N", Type: questionnaire.TypeInteger, Min: &lo, Max: &hi}
	d := &questionnaire.Definition{Sections: []*questionnaire.Section{{Questions: []*questionnaire.Question{a, m, n}}}}
	names := func(q *questionnaire.Question) map[string]int {
		out := map[string]int{}
		for _, o := range q.Options {
			out[itoa(o.Code)] = o.Code
		}
		return out
	}
	sc := &scope{questions: map[string]*qinfo{"A": {q: a, names: names(a)}, "M": {q: m, names: names(m)}, "N": {q: n}}, later: map[string]bool{"Z": true}, self: "N", selfOK: true}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := sc.convert(src)
		_, _, _ = rangeConstraint(src)
		_, _ = lengthConstraint(src)
		if err != nil || c == nil {
			return
		}
		text := render(c, d)
		back, err := sc.convert(text)
		if err != nil {
			t.Fatalf("%q → %q does not convert: %v", src, text, err)
		}
		if a, b := jsonText(c), jsonText(back); a != b {
			t.Fatalf("%q → %q: %s, back %s", src, text, a, b)
		}
	})
}
