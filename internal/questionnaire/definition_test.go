package questionnaire_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// base is a small valid definition; the broken cases below change one
// thing in it, so their line numbers are easy to follow.
const base = `id: t
title: {zh-CN: 测试, en: Test}
sections:
  - id: s
    title: {zh-CN: 第一部分, en: Part one}
    questions:
      - code: A1
        type: single_choice
        label: {zh-CN: 知道吗？, en: "Aware?"}
        options:
          - {code: 1, label: {zh-CN: 知道, en: "Yes"}}
          - {code: 2, label: {zh-CN: 不知道, en: "No"}}
      - code: A2
        type: satisfaction
        label: {zh-CN: 满意吗？, en: "Satisfied?"}
        show_if: {equals: {question: A1, value: 1}}
      - code: A3
        type: integer
        label: {zh-CN: 年龄, en: Age}
        min: 18
        max: 99
indicators:
  - id: aware
    kind: rate
    label: {zh-CN: 知晓率, en: Awareness}
    question: A1
    positive: [1]
  - id: sat
    kind: rate
    label: {zh-CN: 满意率, en: Satisfaction}
    question: A2
    positive: [1, 2]
    dont_know: excluded
`

func TestBaseIsValid(t *testing.T) {
	if _, err := questionnaire.Parse("t.yaml", []byte(base)); err != nil {
		t.Fatal(err)
	}
}

// edit replaces old (which must occur exactly once) in base by new.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if strings.Count(base, old) != 1 {
		t.Fatalf("edit: %q occurs %d times in base", old, strings.Count(base, old))
	}
	return strings.Replace(base, old, new, 1)
}

func TestBrokenDefinitions(t *testing.T) {
	tests := []struct {
		name string
		src  func(t *testing.T) string
		want []string // every problem, formatted file:line:col: message
	}{
		{"unknown key", func(t *testing.T) string {
			return edit(t, "        type: integer\n", "        type: integer\n        lable: {zh-CN: 年龄, en: Age}\n")
		}, []string{
			"t.yaml:19:9: question A3: unknown key \"lable\" (known: code, type, label, help, required, options, min, max, max_length, show_if, end_if)",
		}},
		{"duplicate question code", func(t *testing.T) string { return edit(t, "code: A3", "code: A1") }, []string{
			"t.yaml:17:15: question A1: duplicate question code (first at line 7)",
		}},
		{"duplicate option code", func(t *testing.T) string {
			return edit(t, "{code: 2, label: {zh-CN: 不知道", "{code: 1, label: {zh-CN: 不知道")
		}, []string{
			"t.yaml:12:20: question A1: duplicate option code 1",
		}},
		{"condition on a later question", func(t *testing.T) string { return edit(t, "question: A1, value: 1}}", "question: A3, value: 30}}") }, []string{
			"t.yaml:16:38: question A2: condition refers to later question A3",
		}},
		{"condition on an unknown question", func(t *testing.T) string { return edit(t, "question: A1, value: 1}}", "question: B9, value: 1}}") }, []string{
			"t.yaml:16:38: question A2: condition refers to unknown question B9",
		}},
		{"condition on a code the question lacks", func(t *testing.T) string { return edit(t, "question: A1, value: 1}}", "question: A1, value: 3}}") }, []string{
			"t.yaml:16:49: question A2: condition: 3 is not an option of A1",
		}},
		{"condition on the question itself", func(t *testing.T) string { return edit(t, "question: A1, value: 1}}", "question: A2, value: 1}}") }, []string{
			"t.yaml:16:38: question A2: condition refers to the question itself",
		}},
		{"between on a choice question", func(t *testing.T) string {
			return edit(t, "{equals: {question: A1, value: 1}}", "{between: {question: A1, min: 1, max: 2}}")
		}, []string{
			"t.yaml:16:39: question A2: between works on integer questions; A1 is single_choice",
		}},
		{"two operators in one condition", func(t *testing.T) string {
			return edit(t, "{equals: {question: A1, value: 1}}", "{equals: {question: A1, value: 1}, answered: A1}")
		}, []string{
			"t.yaml:16:18: question A2: a condition has exactly one operator, found equals and answered (combine them with all or any)",
		}},
		{"cycle in means", func(t *testing.T) string {
			return base + "  - {id: m1, kind: mean, label: {zh-CN: 甲, en: A}, of: [aware, m2]}\n  - {id: m2, kind: mean, label: {zh-CN: 乙, en: B}, of: [m1]}\n"
		}, []string{
			"t.yaml:35:57: indicator m2: cycle in of: m1 → m2 → m1",
		}},
		{"indicator on a missing question", func(t *testing.T) string { return edit(t, "question: A2\n", "question: A9\n") }, []string{
			"t.yaml:31:15: indicator sat: question A9 does not exist",
		}},
		{"indicator with a code the question lacks", func(t *testing.T) string { return edit(t, "positive: [1]\n", "positive: [1, 5]\n") }, []string{
			"t.yaml:27:19: indicator aware: code 5 is not an option of A1",
		}},
		{"don't-know treatment not said", func(t *testing.T) string { return edit(t, "    dont_know: excluded\n", "") }, []string{
			"t.yaml:28:5: indicator sat: question A2 has a don't-know option (8); say dont_know: negative or dont_know: excluded",
		}},
		{"label missing for a language", func(t *testing.T) string { return edit(t, "{zh-CN: 年龄, en: Age}", "{zh-CN: 年龄}") }, []string{
			"t.yaml:19:16: question A3: label missing for language en",
		}},
		{"label in an undeclared language", func(t *testing.T) string {
			return edit(t, "{zh-CN: 年龄, en: Age}", "{zh-CN: 年龄, en: Age, fr: Âge}")
		}, []string{
			"t.yaml:19:41: question A3: label in undeclared language \"fr\" (languages: zh-CN, en)",
		}},
		{"bad type", func(t *testing.T) string { return edit(t, "type: integer", "type: number") }, []string{
			"t.yaml:18:15: question A3: unknown type \"number\" (known: single_choice, multiple_choice, yes_no, satisfaction, integer, text)",
		}},
		{"integer range min greater than max", func(t *testing.T) string { return edit(t, "min: 18", "min: 100") }, []string{
			"t.yaml:20:14: question A3: min 100 is greater than max 99",
		}},
		{"wrong kind of value", func(t *testing.T) string {
			return edit(t, "        type: integer\n", "        type: integer\n        required: yes\n")
		}, []string{
			"t.yaml:19:19: question A3: required must be true or false, not the text \"yes\"",
		}},
		{"duplicate key", func(t *testing.T) string { return edit(t, "        min: 18\n", "        min: 18\n        min: 20\n") }, []string{
			"t.yaml:21:9: question A3: duplicate key \"min\" (first at line 20)",
		}},
		{"exclusive on a single choice", func(t *testing.T) string {
			return edit(t, "{code: 2, label: {zh-CN: 不知道, en: \"No\"}}", "{code: 2, label: {zh-CN: 不知道, en: \"No\"}, exclusive: true}")
		}, []string{
			"t.yaml:12:65: question A1: option 2: exclusive is only for multiple-choice options",
		}},
		{"alias", func(t *testing.T) string {
			return edit(t, "title: {zh-CN: 测试, en: Test}", "title: &t {zh-CN: 测试, en: Test}\nintro: *t")
		}, []string{
			"t.yaml:3:8: anchors and aliases (*t) are not supported",
		}},
		{"composite weights", func(t *testing.T) string {
			return base + "composite:\n  label: {zh-CN: 综合, en: Composite}\n  weights: {aware: 0.5, sat: 0.4, nope: 0.1}\n"
		}, []string{
			"t.yaml:36:12: composite: weights sum to 0.9, not 1",
			"t.yaml:36:35: composite: weights: unknown indicator nope",
		}},
		{"score without points for a code", func(t *testing.T) string {
			return base + "  - {id: pts, kind: score, label: {zh-CN: 得分, en: Points}, question: A2, scores: {1: 100, 2: 80, 3: 60}, dont_know: excluded}\n"
		}, []string{
			"t.yaml:34:82: indicator pts: codes 4, 5 have no score; add their points or exclude them",
		}},
		{"syntax error", func(t *testing.T) string { return edit(t, "{zh-CN: 年龄, en: Age}", "{zh-CN: 年龄, en: Age") }, []string{
			"t.yaml:19: did not find expected ',' or '}'",
		}},
		{"NUL byte in the text", func(t *testing.T) string { return edit(t, "title: {zh-CN: 测试", "title: {zh-CN: 测\x00试") }, []string{
			"t.yaml:2:17: the line contains a control character (only tab and line breaks are allowed)",
		}},
		{"invalid UTF-8", func(t *testing.T) string { return edit(t, "id: t\n", "id: t\xff\n") }, []string{
			"t.yaml:1:6: the line is not valid UTF-8 text",
		}},
		{"escaped control character", func(t *testing.T) string { return edit(t, "id: t\n", "id: \"t\\u0000\"\n") }, []string{
			"t.yaml:1:5: the value contains a control character (only tab and line breaks are allowed)",
		}},
		{"many problems at once", func(t *testing.T) string {
			s := edit(t, "id: t\n", "id: T t\nversion: 2\n")
			s = strings.Replace(s, "code: A3", "code: A1", 1)
			return strings.Replace(s, "positive: [1, 2]", "positive: [1, 8]", 1)
		}, []string{
			"t.yaml:1:5: id \"T t\" must be a slug of at most 64 lower-case letters, digits and hyphens",
			"t.yaml:2:1: unknown key \"version\" (known: id, title, intro, languages, sections, indicators, composite)",
			"t.yaml:18:15: question A1: duplicate question code (first at line 8)",
			"t.yaml:33:19: indicator sat: code 8 is the don't-know option; it cannot be positive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := questionnaire.Parse("t.yaml", []byte(tt.src(t)))
			var probs questionnaire.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("err = %v, want Problems", err)
			}
			got := make([]string, len(probs))
			for i, p := range probs {
				got[i] = p.String()
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
