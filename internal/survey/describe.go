package survey

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// phrases are the words of a skip rule in one language. The definition's own
// texts (labels) come from the definition; these are only the glue.
type phrases struct {
	and, or            string
	not                string // format with the negated condition
	equals, includes   string // format: code, value
	in, includesAny    string // format: code, list of values
	between            string // format: code, min, max
	answered           string // format: code
	listSep            string
	option             string // format: code, label
	shownIf            string
	sectionShownIf     string
	ends               string // format: disposition, condition
	dispositions       map[questionnaire.Disposition]string
	open, close, quote string
}

var phrasesByLang = map[string]*phrases{
	"zh-CN": {
		and: " 且 ", or: " 或 ", not: "非（%s）",
		equals: "%s = %s", includes: "%s 含 %s",
		in: "%s 为 %s 之一", includesAny: "%s 含 %s 中任一项",
		between: "%s 在 %d 至 %d 之间", answered: "%s 已回答",
		listSep: "、", option: "%d（%s）",
		shownIf: "仅当 %s 时显示", sectionShownIf: "本部分仅当 %s 时显示",
		ends: "若 %[2]s，结束访问（%[1]s）",
		dispositions: map[questionnaire.Disposition]string{
			questionnaire.DispositionNotEligible: "不符合调查条件",
			questionnaire.DispositionRefusal:     "拒访",
			questionnaire.DispositionComplete:    "访问完成",
		},
		open: "（", close: "）",
	},
	"en": {
		and: " and ", or: " or ", not: "not (%s)",
		equals: "%s = %s", includes: "%s includes %s",
		in: "%s is one of %s", includesAny: "%s includes any of %s",
		between: "%s between %d and %d", answered: "%s answered",
		listSep: ", ", option: "%d (%s)",
		shownIf: "shown if %s", sectionShownIf: "section shown if %s",
		ends: "ends the interview (%s) if %s",
		dispositions: map[questionnaire.Disposition]string{
			questionnaire.DispositionNotEligible: "not eligible",
			questionnaire.DispositionRefusal:     "refusal",
			questionnaire.DispositionComplete:    "complete",
		},
		open: "(", close: ")",
	},
}

func phrasesFor(lang string) *phrases {
	if p, ok := phrasesByLang[lang]; ok {
		return p
	}
	return phrasesByLang["zh-CN"]
}

// TextIn returns t in lang, or else in the first of the definition's
// languages that t has, or "".
func TextIn(d *questionnaire.Definition, t questionnaire.Text, lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	for _, l := range d.Languages {
		if s, ok := t[l]; ok {
			return s
		}
	}
	return ""
}

// DescribeCondition writes a condition in words in lang (zh-CN or en), e.g.
// "A1 = 1 (Yes, I know) and not (E3 between 18 and 65)". Option codes are
// followed by their label when the question has that option.
func DescribeCondition(d *questionnaire.Definition, c *questionnaire.Condition, lang string) string {
	return describe(d, c, phrasesFor(lang), lang, false)
}

func describe(d *questionnaire.Definition, c *questionnaire.Condition, p *phrases, lang string, nested bool) string {
	switch {
	case c == nil:
		return ""
	case len(c.All) > 0 || len(c.Any) > 0:
		parts, sep := c.All, p.and
		if len(c.Any) > 0 {
			parts, sep = c.Any, p.or
		}
		if len(parts) == 1 {
			return describe(d, parts[0], p, lang, nested)
		}
		words := make([]string, len(parts))
		for i, part := range parts {
			words[i] = describe(d, part, p, lang, true)
		}
		s := strings.Join(words, sep)
		if nested {
			s = p.open + s + p.close
		}
		return s
	case c.Not != nil:
		return fmt.Sprintf(p.not, describe(d, c.Not, p, lang, false))
	case c.Equals != nil:
		q := d.Question(c.Equals.Question)
		format := p.equals
		if q != nil && q.Type == questionnaire.TypeMultipleChoice {
			format = p.includes
		}
		return fmt.Sprintf(format, c.Equals.Question, optionText(d, q, c.Equals.Value, p, lang))
	case c.In != nil:
		q := d.Question(c.In.Question)
		format := p.in
		if q != nil && q.Type == questionnaire.TypeMultipleChoice {
			format = p.includesAny
		}
		vals := make([]string, len(c.In.Values))
		for i, v := range c.In.Values {
			vals[i] = optionText(d, q, v, p, lang)
		}
		return fmt.Sprintf(format, c.In.Question, strings.Join(vals, p.listSep))
	case c.Between != nil:
		return fmt.Sprintf(p.between, c.Between.Question, c.Between.Min, c.Between.Max)
	case c.Answered != "":
		return fmt.Sprintf(p.answered, c.Answered)
	}
	return ""
}

// optionText is the code, with the option's label when q has that option.
func optionText(d *questionnaire.Definition, q *questionnaire.Question, code int, p *phrases, lang string) string {
	if q != nil {
		if o := q.Option(code); o != nil {
			if l := TextIn(d, o.Label, lang); l != "" {
				return fmt.Sprintf(p.option, code, l)
			}
		}
	}
	return strconv.Itoa(code)
}

// DescribeShowIf writes a question's show_if, e.g. "shown if A1 = 1 (Yes)";
// "" when there is none.
func DescribeShowIf(d *questionnaire.Definition, c *questionnaire.Condition, lang string) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(phrasesFor(lang).shownIf, DescribeCondition(d, c, lang))
}

// DescribeSectionShowIf writes a section's show_if; "" when there is none.
func DescribeSectionShowIf(d *questionnaire.Definition, c *questionnaire.Condition, lang string) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(phrasesFor(lang).sectionShownIf, DescribeCondition(d, c, lang))
}

// DescribeEnd writes an end rule, e.g. "ends the interview (not eligible) if
// S1 = 2 (No)"; "" when there is none.
func DescribeEnd(d *questionnaire.Definition, r *questionnaire.EndRule, lang string) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf(phrasesFor(lang).ends, DispositionText(r.Disposition, lang), DescribeCondition(d, r.When, lang))
}

// DispositionText names a disposition in lang.
func DispositionText(disp questionnaire.Disposition, lang string) string {
	if s, ok := phrasesFor(lang).dispositions[disp]; ok {
		return s
	}
	return string(disp)
}

// TargetText writes an indicator's target: a percentage for a proportion
// (0.9 → "90%"), points otherwise (85 → "85"); "" without a target.
func TargetText(ind *questionnaire.Indicator) string {
	if ind.Target == nil {
		return ""
	}
	return formatTarget(*ind.Target, ind.Scale())
}

// CompositeTargetText writes the target of the definition's composite index
// on the scale of the indicators it combines; "" without one.
func CompositeTargetText(d *questionnaire.Definition) string {
	c := d.Composite
	if c == nil || c.Target == nil {
		return ""
	}
	scale := questionnaire.ScaleProportion
	for id := range c.Weights {
		if ind := d.Indicator(id); ind != nil {
			scale = ind.Scale() // the same for all: Check refuses a mix
			break
		}
	}
	return formatTarget(*c.Target, scale)
}

func formatTarget(v float64, scale questionnaire.Scale) string {
	if scale == questionnaire.ScaleProportion {
		// Rounded: 0.9·100 is 90.00000000000001 in binary floating point.
		return strconv.FormatFloat(math.Round(v*1e6)/1e4, 'f', -1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// CodesText lists option codes with their labels in lang, e.g.
// "1 (Satisfied), 2 (Very satisfied)".
func CodesText(d *questionnaire.Definition, question string, codes []int, lang string) string {
	p := phrasesFor(lang)
	q := d.Question(question)
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = optionText(d, q, c, p, lang)
	}
	return strings.Join(out, p.listSep)
}

// WeightsText writes a composite's weights as "aware × 0.2 + support × 0.3",
// in indicator order.
func WeightsText(cp *questionnaire.Composite) string {
	ids := slices.Sorted(maps.Keys(cp.Weights))
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s × %g", id, cp.Weights[id])
	}
	return strings.Join(parts, " + ")
}
