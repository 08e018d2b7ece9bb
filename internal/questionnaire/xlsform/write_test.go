package xlsform_test

import (
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
)

// conditions holds the shapes of condition whose export could be read back
// as another shape: each must come back as it was.
const conditions = `
id: shapes
title: {zh-CN: 形状, en: Shapes}
sections:
  - id: one
    title: {zh-CN: 一, en: One}
    questions:
      - {code: A, type: single_choice, required: true, label: {zh-CN: 甲, en: A}, options: [{code: 1, label: {zh-CN: 是, en: "Yes"}}, {code: 2, label: {zh-CN: 否, en: "No"}}, {code: 3, label: {zh-CN: 不定, en: Unsure}}]}
      - {code: M, type: multiple_choice, label: {zh-CN: 多, en: M}, options: [{code: 1, label: {zh-CN: 一, en: One}}, {code: 2, label: {zh-CN: 二, en: Two}}, {code: 9, label: {zh-CN: 拒答, en: Refused}, exclusive: true, special: refused}]}
      - {code: N, type: integer, min: -5, max: 50, label: {zh-CN: 数, en: N}}
      - {code: Y, type: yes_no, label: {zh-CN: 是否, en: Y/N}}
      - {code: Q1, type: text, label: {zh-CN: 问, en: Q}, show_if: {any: [{equals: {question: A, value: 1}}, {equals: {question: A, value: 2}}]}}
      - {code: Q2, type: text, label: {zh-CN: 问, en: Q}, show_if: {in: {question: A, values: [3, 1]}}}
      - {code: Q3, type: text, label: {zh-CN: 问, en: Q}, show_if: {all: [{equals: {question: A, value: 1}}]}}
      - {code: Q4, type: text, label: {zh-CN: 问, en: Q}, show_if: {any: [{equals: {question: M, value: 1}}, {equals: {question: M, value: 2}}]}}
      - {code: Q5, type: text, label: {zh-CN: 问, en: Q}, show_if: {in: {question: M, values: [1, 2]}}}
      - {code: Q6, type: text, label: {zh-CN: 问, en: Q}, show_if: {not: {answered: Q1}}}
      - {code: Q7, type: text, label: {zh-CN: 问, en: Q}, show_if: {between: {question: N, min: -3, max: 7}}}
      - {code: Q8, type: text, label: {zh-CN: 问, en: Q}, show_if: {any: [{in: {question: A, values: [1, 2]}}, {equals: {question: A, value: 3}}, {all: [{between: {question: N, min: 0, max: 1}}, {not: {equals: {question: Y, value: 8}}}]}]}}
      - {code: Q9, type: text, label: {zh-CN: 问, en: Q}, show_if: {in: {question: A, values: [2]}}}
      - {code: Q10, type: text, label: {zh-CN: 问, en: Q}, show_if: {in: {question: N, values: [7]}}}
      - {code: Q11, type: text, label: {zh-CN: 问, en: Q}, show_if: {between: {question: N, min: 7, max: 7}}}
      - {code: Q12, type: text, label: {zh-CN: 问, en: Q}, show_if: {not: {in: {question: N, values: [-2]}}}}
      - {code: Q13, type: text, label: {zh-CN: 问, en: Q}, show_if: {in: {question: N, values: [3, 5]}}}
      - code: Z
        type: integer
        min: 0
        max: 3
        label: {zh-CN: 末, en: Last}
        end_if: {when: {any: [{equals: {question: Z, value: 0}}, {not: {answered: Q9}}]}, disposition: complete}
`

func TestRoundTripConditionShapes(t *testing.T) {
	d, err := questionnaire.Parse("shapes.yaml", []byte(conditions))
	if err != nil {
		t.Fatal(err)
	}
	data, err := xlsform.Write(d, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := xlsform.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := d.CanonicalJSON()
	got, _ := res.Definition.CanonicalJSON()
	if string(got) != string(want) {
		for _, q := range d.Questions() {
			g := res.Definition.Question(q.Code)
			a, _ := jsonOf(q.ShowIf), 0
			b := jsonOf(g.ShowIf)
			if a != b {
				t.Errorf("%s: got %s, want %s", q.Code, b, a)
			}
		}
		t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
	}
}
