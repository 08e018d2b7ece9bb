package questionnaire

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	langRE     = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	sectionRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	codeRE     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)
	identRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	maxIDLen   = 64
	maxTextLen = 10000
)

// index gives fast access to the questions and indicators of a definition.
// Where codes or ids are duplicated (a definition that failed Check) the
// first one wins.
type index struct {
	questions  []*Question
	pos        map[string]int // question code → position in questions
	section    []*Section     // section of each question
	indicators map[string]*Indicator
}

func buildIndex(d *Definition) *index {
	ix := &index{pos: map[string]int{}, indicators: map[string]*Indicator{}}
	for _, s := range d.Sections {
		if s == nil {
			continue
		}
		for _, q := range s.Questions {
			if q == nil {
				continue
			}
			if _, dup := ix.pos[q.Code]; !dup {
				ix.pos[q.Code] = len(ix.questions)
			}
			ix.questions = append(ix.questions, q)
			ix.section = append(ix.section, s)
		}
	}
	for _, ind := range d.Indicators {
		if ind != nil && ix.indicators[ind.ID] == nil {
			ix.indicators[ind.ID] = ind
		}
	}
	return ix
}

func (ix *index) question(code string) *Question {
	if i, ok := ix.pos[code]; ok {
		return ix.questions[i]
	}
	return nil
}

// index returns the index built by Check, or a fresh one for a definition
// that was not checked (without storing it, so reads stay race-free).
func (d *Definition) index() *index {
	if d.ix != nil {
		return d.ix
	}
	return buildIndex(d)
}

// Questions returns all questions in interview order.
func (d *Definition) Questions() []*Question { return d.index().questions }

// Question returns the question with the given code, or nil.
func (d *Definition) Question(code string) *Question { return d.index().question(code) }

// Indicator returns the indicator with the given id, or nil.
func (d *Definition) Indicator(id string) *Indicator { return d.index().indicators[id] }

// Check fills in defaults (languages, the built-in options of yes_no and
// satisfaction questions, max_length, refused: excluded) and checks the
// whole definition, returning Problems or nil. Parse calls it; call it
// yourself on a Definition built in Go.
func (d *Definition) Check() error {
	probs := d.check(&problemList{file: d.file})
	if len(probs) > 0 {
		return probs.sorted()
	}
	return nil
}

// check applies defaults and adds every semantic problem to l. On success it
// stores the index and the resolved scales.
func (d *Definition) check(l *problemList) Problems {
	d.applyDefaults()
	c := &checker{problemList: l, d: d, ix: buildIndex(d)}
	c.definition()
	if len(c.probs) == 0 {
		d.ix = c.ix
		for _, ind := range d.Indicators {
			ind.scale = c.scales[ind.ID]
		}
	}
	return c.probs
}

func (d *Definition) applyDefaults() {
	if d.Languages == nil {
		d.Languages = slices.Clone(defaultLanguages)
	}
	codes := map[string]*Question{}
	for _, s := range d.Sections {
		if s == nil {
			continue
		}
		for _, q := range s.Questions {
			if q == nil {
				continue
			}
			if codes[q.Code] == nil {
				codes[q.Code] = q
			}
			if q.Options == nil {
				q.Options = builtinOptions(q.Type)
				for _, o := range q.Options {
					for lang := range o.Label {
						if !slices.Contains(d.Languages, lang) {
							delete(o.Label, lang)
						}
					}
				}
			}
			if q.Type == TypeText && q.MaxLength == 0 {
				q.MaxLength = defaultMaxLength
			}
		}
	}
	for _, ind := range d.Indicators {
		if ind == nil || ind.Kind == KindMean || ind.Refused != "" {
			continue
		}
		if q := codes[ind.Question]; q != nil && q.special(SpecialRefused) != nil {
			ind.Refused = Exclude
		}
	}
}

type checker struct {
	*problemList
	d      *Definition
	ix     *index
	scales map[string]Scale
}

// text checks a Text field: present when required, one non-empty entry per
// declared language and none for other languages.
func (c *checker) text(a at, path, key, ctx string, t Text, required bool) {
	if len(t) == 0 {
		if required {
			c.add(a, path, key, "%s%s is required", prefix(ctx), key)
		}
		return
	}
	for _, lang := range c.d.Languages {
		if strings.TrimSpace(t[lang]) == "" {
			c.add(a, path, key, "%s%s missing for language %s", prefix(ctx), key, lang)
		}
	}
	for _, lang := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(c.d.Languages, lang) {
			c.add(a, path, key+"."+lang, "%s%s in undeclared language %q (languages: %s)", prefix(ctx), key, lang, strings.Join(c.d.Languages, ", "))
		} else if n := len([]rune(t[lang])); n > maxTextLen {
			c.add(a, path, key+"."+lang, "%s%s in %s is %d characters long; the limit is %d", prefix(ctx), key, lang, n, maxTextLen)
		}
	}
}

func prefix(ctx string) string {
	if ctx == "" {
		return ""
	}
	return ctx + ": "
}

func (c *checker) definition() {
	d := c.d
	switch {
	case d.ID == "":
		c.add(d.at, "", "id", "id is required")
	case len(d.ID) > maxIDLen || !slugRE.MatchString(d.ID):
		c.add(d.at, "", "id", "id %q must be a slug of at most %d lower-case letters, digits and hyphens", clip(d.ID), maxIDLen)
	}
	if len(d.Languages) == 0 {
		c.add(d.at, "", "languages", "languages must list at least one language")
	}
	for i, lang := range d.Languages {
		key := fmt.Sprintf("languages[%d]", i)
		if !langRE.MatchString(lang) {
			c.add(d.at, "", key, "language %q is not a language tag such as zh-CN or en", clip(lang))
		} else if slices.Index(d.Languages, lang) < i {
			c.add(d.at, "", key, "language %s listed twice", lang)
		}
	}
	c.text(d.at, "", "title", "", d.Title, true)
	c.text(d.at, "", "intro", "", d.Intro, false)
	if len(d.Sections) == 0 {
		c.add(d.at, "", "sections", "at least one section is required")
	}
	seenSection := map[string]string{}
	seenCode := map[string]*Question{}
	gi := 0 // position of the next question in interview order
	for si, s := range d.Sections {
		path := fmt.Sprintf("sections[%d]", si)
		if s == nil {
			continue
		}
		ctx := "section " + orElse(s.ID, path)
		switch {
		case s.ID == "":
			c.add(s.at, path, "id", "%s: id is required", ctx)
		case !sectionRE.MatchString(s.ID):
			c.add(s.at, path, "id", "%s: id must be letters, digits, '-' or '_'", ctx)
		case seenSection[s.ID] != "":
			c.add(s.at, path, "id", "%s: duplicate section id (first: %s)", ctx, seenSection[s.ID])
		default:
			seenSection[s.ID] = path
		}
		c.text(s.at, path, "title", ctx, s.Title, true)
		if len(s.Questions) == 0 {
			c.add(s.at, path, "questions", "%s: needs at least one question", ctx)
		}
		c.condition(s.ShowIf, s.at, path, "show_if", ctx, gi, "", false)
		for qj, q := range s.Questions {
			if q == nil {
				continue
			}
			c.question(q, fmt.Sprintf("%s.questions[%d]", path, qj), gi, seenCode)
			gi++
		}
	}
	c.indicators()
	c.composite()
}

func (c *checker) question(q *Question, path string, gi int, seen map[string]*Question) {
	ctx := "question " + orElse(q.Code, path)
	switch first := seen[q.Code]; {
	case q.Code == "":
		c.add(q.at, path, "code", "%s: code is required", ctx)
	case !codeRE.MatchString(q.Code):
		c.add(q.at, path, "code", "%s: code must start with a letter and hold only letters, digits and '_' (at most 32)", ctx)
	case first != nil:
		c.add(q.at, path, "code", "%s: duplicate question code (first at line %d)", ctx, first.at.get("").line)
	default:
		seen[q.Code] = q
	}
	switch {
	case q.Type == "":
		c.add(q.at, path, "type", "%s: type is required", ctx)
	case !slices.Contains(questionTypes, q.Type):
		c.add(q.at, path, "type", "%s: unknown type %q (known: %s)", ctx, q.Type, joinAny(questionTypes))
	}
	c.text(q.at, path, "label", ctx, q.Label, true)
	c.text(q.at, path, "help", ctx, q.Help, false)
	if !slices.Contains(questionTypes, q.Type) {
		// Without a known type, nothing below can be judged.
		c.condition(q.ShowIf, q.at, path, "show_if", ctx, gi, q.Code, false)
		return
	}
	notFor := func(key string) {
		c.add(q.at, path, key, "%s: %s is not used by %s questions", ctx, key, q.Type)
	}
	if q.Type.IsChoice() {
		c.options(q, path, ctx)
	} else if q.Options != nil {
		notFor("options")
	}
	if q.Type == TypeInteger {
		switch {
		case q.Min == nil || q.Max == nil:
			c.add(q.at, path, "", "%s: an integer question needs min and max", ctx)
		case *q.Min > *q.Max:
			c.add(q.at, path, "min", "%s: min %d is greater than max %d", ctx, *q.Min, *q.Max)
		}
	} else {
		if q.Min != nil {
			notFor("min")
		}
		if q.Max != nil {
			notFor("max")
		}
	}
	if q.Type == TypeText {
		if q.MaxLength < 0 || q.MaxLength > maxTextLen {
			c.add(q.at, path, "max_length", "%s: max_length must be between 1 and %d", ctx, maxTextLen)
		}
	} else if q.MaxLength != 0 {
		notFor("max_length")
	}
	c.condition(q.ShowIf, q.at, path, "show_if", ctx, gi, q.Code, false)
	if e := q.EndIf; e != nil {
		ectx, epath := ctx+": end_if", join(path, "end_if")
		if e.When == nil {
			c.add(e.at, epath, "when", "%s: when is required", ectx)
		}
		c.condition(e.When, e.at, epath, "when", ectx, gi, q.Code, true)
		switch {
		case e.Disposition == "":
			c.add(e.at, epath, "disposition", "%s: disposition is required", ectx)
		case !slices.Contains(dispositions, e.Disposition):
			c.add(e.at, epath, "disposition", "%s: unknown disposition %q (known: %s)", ectx, e.Disposition, joinAny(dispositions))
		}
		c.text(e.at, epath, "message", ectx, e.Message, false)
	}
}

func (c *checker) options(q *Question, path, ctx string) {
	if len(q.Options) < 2 {
		c.add(q.at, path, "options", "%s: a %s question needs at least two options", ctx, q.Type)
	}
	seen := map[int]bool{}
	specials := map[Special]bool{}
	for i, o := range q.Options {
		if o == nil {
			continue
		}
		opath := fmt.Sprintf("%s.options[%d]", path, i)
		octx := fmt.Sprintf("%s: option %d", ctx, o.Code)
		switch {
		case o.Code < 0:
			c.add(o.at, opath, "code", "%s: option codes must not be negative", octx)
		case seen[o.Code]:
			c.add(o.at, opath, "code", "%s: duplicate option code %d", ctx, o.Code)
		}
		seen[o.Code] = true
		c.text(o.at, opath, "label", octx, o.Label, true)
		if o.Exclusive && q.Type != TypeMultipleChoice {
			c.add(o.at, opath, "exclusive", "%s: exclusive is only for multiple-choice options", octx)
		}
		switch o.Special {
		case "":
		case SpecialDontKnow, SpecialRefused:
			if specials[o.Special] {
				c.add(o.at, opath, "special", "%s: only one option may be %s", octx, o.Special)
			}
			specials[o.Special] = true
			if q.Type == TypeMultipleChoice && !o.Exclusive {
				c.add(o.at, opath, "special", "%s: a %s option of a multiple-choice question must be exclusive", octx, o.Special)
			}
		default:
			c.add(o.at, opath, "special", "%s: unknown special %q", octx, o.Special)
		}
	}
}

// condition checks cond, found at key of a under path. gi is the position
// of the question it belongs to (for a section: of its first question);
// self is that question's code ("" for a section); selfOK allows references
// to it (end rules).
func (c *checker) condition(cond *Condition, a at, path, key, ctx string, gi int, self string, selfOK bool) {
	if cond == nil {
		return
	}
	path = join(path, key)
	n := 0
	for _, set := range []bool{cond.All != nil, cond.Any != nil, cond.Not != nil, cond.Equals != nil, cond.In != nil, cond.Between != nil, cond.Answered != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		c.add(cond.at, path, "", "%s: a condition needs exactly one of %s", ctx, strings.Join(conditionOps, ", "))
		return
	}
	// ref resolves a reference to an earlier question.
	ref := func(code string, a at, opPath, key string) *Question {
		i, ok := c.ix.pos[code]
		switch {
		case code == "":
			c.add(a, opPath, key, "%s: condition names no question", ctx)
		case !ok:
			c.add(a, opPath, key, "%s: condition refers to unknown question %s", ctx, code)
		case i == gi && self != "" && !selfOK:
			c.add(a, opPath, key, "%s: condition refers to the question itself", ctx)
		case i > gi || (i == gi && self == ""):
			c.add(a, opPath, key, "%s: condition refers to later question %s", ctx, code)
		default:
			return c.ix.questions[i]
		}
		return nil
	}
	value := func(q *Question, v int, a at, opPath, key string) {
		switch {
		case q.Type.IsChoice() && q.Option(v) == nil:
			c.add(a, opPath, key, "%s: condition: %d is not an option of %s", ctx, v, q.Code)
		case q.Type == TypeInteger && q.Min != nil && q.Max != nil && (v < *q.Min || v > *q.Max):
			c.add(a, opPath, key, "%s: condition: %d is outside the range %d to %d of %s", ctx, v, *q.Min, *q.Max, q.Code)
		}
	}
	textOnly := func(q *Question, a at, opPath, op string) bool {
		if q.Type == TypeText {
			c.add(a, opPath, "question", "%s: %s cannot test text question %s; use answered", ctx, op, q.Code)
			return true
		}
		return false
	}
	switch {
	case cond.All != nil || cond.Any != nil:
		op, list := "all", cond.All
		if cond.Any != nil {
			op, list = "any", cond.Any
		}
		if len(list) == 0 {
			c.add(cond.at, path, op, "%s: %s needs at least one condition", ctx, op)
		}
		for i, x := range list {
			c.condition(x, cond.at, path, fmt.Sprintf("%s[%d]", op, i), ctx, gi, self, selfOK)
		}
	case cond.Not != nil:
		c.condition(cond.Not, cond.at, path, "not", ctx, gi, self, selfOK)
	case cond.Answered != "":
		ref(cond.Answered, cond.at, path, "answered")
	case cond.Equals != nil:
		e, p := cond.Equals, join(path, "equals")
		if q := ref(e.Question, e.at, p, "question"); q != nil && !textOnly(q, e.at, p, "equals") {
			value(q, e.Value, e.at, p, "value")
		}
	case cond.In != nil:
		e, p := cond.In, join(path, "in")
		if len(e.Values) == 0 {
			c.add(e.at, p, "values", "%s: in needs at least one value", ctx)
		}
		if q := ref(e.Question, e.at, p, "question"); q != nil && !textOnly(q, e.at, p, "in") {
			for i, v := range e.Values {
				value(q, v, e.at, p, fmt.Sprintf("values[%d]", i))
			}
		}
	case cond.Between != nil:
		e, p := cond.Between, join(path, "between")
		if e.Min > e.Max {
			c.add(e.at, p, "min", "%s: between: min %d is greater than max %d", ctx, e.Min, e.Max)
		}
		if q := ref(e.Question, e.at, p, "question"); q != nil && q.Type != TypeInteger {
			c.add(e.at, p, "question", "%s: between works on integer questions; %s is %s", ctx, q.Code, q.Type)
		}
	}
}
