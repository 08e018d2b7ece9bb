package questionnaire

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Condition is a declarative test on the answers to earlier questions.
// Exactly one of its fields is set. In YAML:
//
//	show_if:
//	  all:
//	    - equals: {question: A1, value: 1}
//	    - not: {in: {question: C1, values: [7, 9]}}
//	    - between: {question: S1, min: 18, max: 65}
//	    - answered: B2
//
// The package documentation gives the exact semantics.
type Condition struct {
	All      []*Condition `json:"all,omitempty"`
	Any      []*Condition `json:"any,omitempty"`
	Not      *Condition   `json:"not,omitempty"`
	Equals   *Equals      `json:"equals,omitempty"`
	In       *In          `json:"in,omitempty"`
	Between  *Between     `json:"between,omitempty"`
	Answered string       `json:"answered,omitempty"`

	at at
}

// Equals holds when the answer to Question is Value (for multiple choice:
// when Value is among the selected codes).
type Equals struct {
	Question string `json:"question"`
	Value    int    `json:"value"`

	at at
}

// In holds when the answer to Question is one of Values (for multiple
// choice: when some selected code is).
type In struct {
	Question string `json:"question"`
	Values   []int  `json:"values"`

	at at
}

// Between holds when the integer answer to Question is within [Min, Max].
type Between struct {
	Question string `json:"question"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`

	at at
}

// maxConditionDepth bounds the nesting of all/any/not.
const maxConditionDepth = 16

var conditionOps = []string{"all", "any", "not", "equals", "in", "between", "answered"}

func (dc *decoder) condition(n *yaml.Node, path, ctx string, depth int) *Condition {
	c := &Condition{at: at{}}
	f := dc.mapping(n, path, ctx, "a condition")
	if f == nil {
		return c
	}
	record(c.at, f)
	if depth >= maxConditionDepth {
		dc.errorf(n, path, ctx, "condition nested deeper than %d levels", maxConditionDepth)
		return c
	}
	dc.only(f, path, ctx, conditionOps...)
	var ops []string
	for _, k := range f.keys {
		if slices.Contains(conditionOps, k) {
			ops = append(ops, k)
		}
	}
	switch {
	case len(ops) == 0 && len(f.keys) == 0:
		dc.errorf(n, path, ctx, "empty condition; use one of %s", strings.Join(conditionOps, ", "))
		return c
	case len(ops) > 1:
		dc.errorf(n, path, ctx, "a condition has exactly one operator, found %s (combine them with all or any)", strings.Join(ops, " and "))
		return c
	case len(ops) == 0:
		return c
	}
	op := ops[0]
	v, p := f.value[op], join(path, op)
	switch op {
	case "all", "any":
		list := []*Condition{}
		for i, e := range dc.sequence(v, p, ctx, op) {
			list = append(list, dc.condition(e, fmt.Sprintf("%s[%d]", p, i), ctx, depth+1))
		}
		if op == "all" {
			c.All = list
		} else {
			c.Any = list
		}
	case "not":
		c.Not = dc.condition(v, p, ctx, depth+1)
	case "answered":
		c.Answered = dc.str(v, p, ctx, "answered")
	case "equals":
		e := &Equals{at: at{}}
		if g := dc.comparison(v, p, ctx, op, e.at, "value"); g != nil {
			e.Question = dc.str(g.value["question"], join(p, "question"), ctx, "question")
			e.Value, _ = dc.whole(g.value["value"], join(p, "value"), ctx, "value")
		}
		c.Equals = e
	case "in":
		e := &In{at: at{}}
		if g := dc.comparison(v, p, ctx, op, e.at, "values"); g != nil {
			e.Question = dc.str(g.value["question"], join(p, "question"), ctx, "question")
			e.Values = dc.wholes(g.value["values"], join(p, "values"), ctx, "values", e.at)
		}
		c.In = e
	case "between":
		e := &Between{at: at{}}
		if g := dc.comparison(v, p, ctx, op, e.at, "min", "max"); g != nil {
			e.Question = dc.str(g.value["question"], join(p, "question"), ctx, "question")
			e.Min, _ = dc.whole(g.value["min"], join(p, "min"), ctx, "min")
			e.Max, _ = dc.whole(g.value["max"], join(p, "max"), ctx, "max")
		}
		c.Between = e
	}
	return c
}

// comparison reads the mapping of equals, in or between: question plus the
// given keys, all required. It returns nil when anything is missing.
func (dc *decoder) comparison(n *yaml.Node, path, ctx, op string, a at, keys ...string) *fields {
	f := dc.mapping(n, path, ctx, op)
	if f == nil {
		return nil
	}
	record(a, f)
	all := append([]string{"question"}, keys...)
	dc.only(f, path, ctx, all...)
	for _, k := range all {
		if !f.has(k) {
			dc.errorf(n, path, ctx, "%s needs %s", op, strings.Join(all, ", "))
			return nil
		}
	}
	return f
}

// refs calls fn for every question a condition names, with the position
// record and key of the reference.
func (c *Condition) refs(fn func(code string, a at, key string)) {
	if c == nil {
		return
	}
	for _, x := range c.All {
		x.refs(fn)
	}
	for _, x := range c.Any {
		x.refs(fn)
	}
	c.Not.refs(fn)
	switch {
	case c.Equals != nil:
		fn(c.Equals.Question, c.Equals.at, "question")
	case c.In != nil:
		fn(c.In.Question, c.In.at, "question")
	case c.Between != nil:
		fn(c.Between.Question, c.Between.at, "question")
	case c.Answered != "":
		fn(c.Answered, c.at, "answered")
	}
}

// holds evaluates c over seen, the visible non-absent answers so far.
func (c *Condition) holds(ix *index, seen map[string]Answer) bool {
	switch {
	case c == nil:
		return true
	case c.All != nil:
		for _, x := range c.All {
			if !x.holds(ix, seen) {
				return false
			}
		}
		return true
	case c.Any != nil:
		for _, x := range c.Any {
			if x.holds(ix, seen) {
				return true
			}
		}
		return false
	case c.Not != nil:
		return !c.Not.holds(ix, seen)
	case c.Equals != nil:
		return matchAny(ix, seen, c.Equals.Question, func(v int) bool { return v == c.Equals.Value })
	case c.In != nil:
		return matchAny(ix, seen, c.In.Question, func(v int) bool { return slices.Contains(c.In.Values, v) })
	case c.Between != nil:
		return matchAny(ix, seen, c.Between.Question, func(v int) bool { return c.Between.Min <= v && v <= c.Between.Max })
	case c.Answered != "":
		_, ok := seen[c.Answered]
		return ok
	}
	return false
}

// matchAny reports whether the answer to code satisfies ok: for a
// multiple-choice question some selected code must, otherwise the single
// number. Answers of the wrong shape match nothing.
func matchAny(ix *index, seen map[string]Answer, code string, ok func(int) bool) bool {
	a, found := seen[code]
	if !found {
		return false
	}
	q := ix.question(code)
	if q == nil {
		return false
	}
	if q.Type == TypeMultipleChoice {
		return a.Kind == AnswerList && slices.ContainsFunc(a.List, ok)
	}
	return a.Kind == AnswerNumber && ok(a.Number)
}
