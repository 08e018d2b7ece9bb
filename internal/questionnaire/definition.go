package questionnaire

import "slices"

// Text is a text in several languages, keyed by language tag ("zh-CN", "en").
// A definition declares its languages; every label must be given in each.
type Text map[string]string

// QuestionType says what kind of answer a question takes.
type QuestionType string

// The question types.
const (
	// TypeSingleChoice takes one option code.
	TypeSingleChoice QuestionType = "single_choice"
	// TypeMultipleChoice takes a list of option codes; an exclusive option
	// (e.g. 都没有参加) cannot be combined with others.
	TypeMultipleChoice QuestionType = "multiple_choice"
	// TypeYesNo is a single choice with the built-in options 1 是, 2 否 and
	// 8 不知道 (don't know) unless options are listed.
	TypeYesNo QuestionType = "yes_no"
	// TypeSatisfaction is a single choice with the built-in 5-point scale
	// 1 非常满意 … 5 非常不满意, 8 不了解 (don't know) and 9 拒答 (refused)
	// unless options are listed.
	TypeSatisfaction QuestionType = "satisfaction"
	// TypeInteger takes a whole number within [min, max].
	TypeInteger QuestionType = "integer"
	// TypeText takes a short text of at most max_length characters.
	TypeText QuestionType = "text"
)

var questionTypes = []QuestionType{TypeSingleChoice, TypeMultipleChoice, TypeYesNo, TypeSatisfaction, TypeInteger, TypeText}

// IsChoice reports whether answers to the type are option codes.
func (t QuestionType) IsChoice() bool {
	switch t {
	case TypeSingleChoice, TypeMultipleChoice, TypeYesNo, TypeSatisfaction:
		return true
	}
	return false
}

// Special marks an option that is not a substantive answer. Indicators say
// explicitly how such answers count.
type Special string

// The special option kinds.
const (
	SpecialDontKnow Special = "dont_know" // 不知道 / 不了解 / 说不清
	SpecialRefused  Special = "refused"   // 拒答
)

// Disposition is how an interview ended early, as recorded for fieldwork.
type Disposition string

// The dispositions an end rule may give.
const (
	DispositionNotEligible Disposition = "not_eligible" // failed screening
	DispositionRefusal     Disposition = "refusal"      // respondent stopped
	DispositionComplete    Disposition = "complete"     // nothing more to ask
)

var dispositions = []Disposition{DispositionNotEligible, DispositionRefusal, DispositionComplete}

// IndicatorKind says how an indicator is computed for one respondent.
type IndicatorKind string

// The indicator kinds.
const (
	KindRate  IndicatorKind = "rate"  // 1, 0 or missing from one question
	KindScore IndicatorKind = "score" // points per answer code, or missing
	KindMean  IndicatorKind = "mean"  // mean of the non-missing values of other indicators
)

var indicatorKinds = []IndicatorKind{KindRate, KindScore, KindMean}

// Role marks an indicator as one of the four rates (四率).
type Role string

// The four rates.
const (
	RoleAwareness     Role = "awareness"     // 知晓率
	RoleSupport       Role = "support"       // 支持率
	RoleParticipation Role = "participation" // 参与率
	RoleSatisfaction  Role = "satisfaction"  // 满意率
)

var roles = []Role{RoleAwareness, RoleSupport, RoleParticipation, RoleSatisfaction}

// Treatment says how don't-know or refused answers count in a rate or score.
type Treatment string

// The treatments.
const (
	// CountNegative keeps the answer in the denominator as a 0 (for a score:
	// with the points the score map gives it).
	CountNegative Treatment = "negative"
	// Exclude leaves the answer out of the denominator (value missing).
	Exclude Treatment = "excluded"
)

// Scale says what an indicator value measures.
type Scale string

// The scales.
const (
	ScaleProportion Scale = "proportion" // values in [0, 1]; estimates are rates
	ScalePoints     Scale = "points"     // values are points, e.g. 0–100
)

// Definition is one questionnaire. Obtain it from Parse, ParseJSON or Load,
// or build it in Go and call Check; do not modify it afterwards. A checked
// Definition is safe for concurrent use.
type Definition struct {
	ID         string       `json:"id"`
	Title      Text         `json:"title"`
	Intro      Text         `json:"intro,omitempty"` // read out to the respondent
	Languages  []string     `json:"languages"`
	Sections   []*Section   `json:"sections"`
	Indicators []*Indicator `json:"indicators,omitempty"`
	Composite  *Composite   `json:"composite,omitempty"`

	file string
	at   at
	ix   *index
}

// Section groups questions under a title; its show_if hides all of them.
type Section struct {
	ID        string      `json:"id"`
	Title     Text        `json:"title"`
	ShowIf    *Condition  `json:"show_if,omitempty"`
	Questions []*Question `json:"questions"`

	at at
}

// Question is one question. Code is its stable identifier (e.g. "A1"), used
// as the key of its answer in a Response and in the database.
type Question struct {
	Code     string       `json:"code"`
	Type     QuestionType `json:"type"`
	Label    Text         `json:"label"`
	Help     Text         `json:"help,omitempty"` // interviewer instructions
	Required bool         `json:"required"`
	Options  []*Option    `json:"options,omitempty"`
	// Min and Max bound an integer answer, inclusive; both are required for
	// TypeInteger and not allowed otherwise.
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
	// MaxLength is the largest number of characters (Unicode code points)
	// of a text answer; it defaults to 200.
	MaxLength int        `json:"max_length,omitempty"`
	ShowIf    *Condition `json:"show_if,omitempty"`
	EndIf     *EndRule   `json:"end_if,omitempty"`

	at at
}

// Option returns the option with the given code, or nil.
func (q *Question) Option(code int) *Option {
	for _, o := range q.Options {
		if o.Code == code {
			return o
		}
	}
	return nil
}

// special returns the option marked s, or nil.
func (q *Question) special(s Special) *Option {
	for _, o := range q.Options {
		if o.Special == s {
			return o
		}
	}
	return nil
}

// Option is one answer option of a choice question.
type Option struct {
	Code  int  `json:"code"`
	Label Text `json:"label"`
	// Exclusive options (multiple choice only) cannot be combined with
	// other options, e.g. 都没有参加.
	Exclusive bool    `json:"exclusive,omitempty"`
	Special   Special `json:"special,omitempty"`

	at at
}

// EndRule ends the interview after its question when When holds.
type EndRule struct {
	When        *Condition  `json:"when"`
	Disposition Disposition `json:"disposition"`
	Message     Text        `json:"message,omitempty"` // shown to the interviewer

	at at
}

// Indicator is one per-respondent value the statistics estimate: a rate
// (proportion), a score (points) or the mean of other indicators. See the
// package documentation for the exact rules.
type Indicator struct {
	ID    string        `json:"id"`
	Kind  IndicatorKind `json:"kind"`
	Role  Role          `json:"role,omitempty"`
	Label Text          `json:"label"`
	// Question is the code of the question a rate or score reads.
	Question string `json:"question,omitempty"`
	// Positive lists the codes that make a rate 1.
	Positive []int `json:"positive,omitempty"`
	// Scores gives the points of each counted code of a score.
	Scores map[int]float64 `json:"scores,omitempty"`
	// DontKnow says how the question's don't-know option counts; required
	// when the question has one.
	DontKnow Treatment `json:"dont_know,omitempty"`
	// Refused says how the question's refused option counts; defaults to
	// Exclude when the question has one.
	Refused Treatment `json:"refused,omitempty"`
	// Excluded lists further codes that leave the denominator.
	Excluded []int `json:"excluded,omitempty"`
	// Of lists the indicators a mean averages.
	Of []string `json:"of,omitempty"`
	// Target is the lower bound the estimate should reach, e.g. 0.90 for a
	// rate or 85 for a score.
	Target *float64 `json:"target,omitempty"`

	at    at
	scale Scale // resolved by Check
}

// Scale returns whether the indicator's values are proportions or points.
// It is known for every indicator of a checked Definition.
func (ind *Indicator) Scale() Scale {
	switch ind.Kind {
	case KindRate:
		return ScaleProportion
	case KindScore:
		return ScalePoints
	}
	return ind.scale
}

// MeetsTarget reports whether estimate v reaches the indicator's target;
// has is false when the indicator has no target.
func (ind *Indicator) MeetsTarget(v float64) (met, has bool) {
	if ind.Target == nil {
		return false, false
	}
	return v >= *ind.Target, true
}

// excluded reports whether code c of question q leaves the denominator.
func (ind *Indicator) excluded(q *Question, c int) bool {
	if slices.Contains(ind.Excluded, c) {
		return true
	}
	o := q.Option(c)
	if o == nil {
		return false
	}
	switch o.Special {
	case SpecialDontKnow:
		return ind.DontKnow == Exclude
	case SpecialRefused:
		return ind.Refused != CountNegative
	}
	return false
}

// Composite is a weighted combination of indicator estimates, usually of the
// four rates: Σ weight·estimate, the weights summing to 1.
type Composite struct {
	Label   Text               `json:"label"`
	Weights map[string]float64 `json:"weights"`
	Target  *float64           `json:"target,omitempty"`

	at at
}

// builtinOptions returns the options of TypeYesNo and TypeSatisfaction used
// when a question lists none, or nil for other types.
func builtinOptions(t QuestionType) []*Option {
	type o struct {
		code   int
		zh, en string
		sp     Special
	}
	var list []o
	switch t {
	case TypeYesNo:
		list = []o{
			{1, "是", "Yes", ""},
			{2, "否", "No", ""},
			{8, "不知道", "Don't know", SpecialDontKnow},
		}
	case TypeSatisfaction:
		list = []o{
			{1, "非常满意", "Very satisfied", ""},
			{2, "满意", "Satisfied", ""},
			{3, "一般", "Neither satisfied nor dissatisfied", ""},
			{4, "不满意", "Dissatisfied", ""},
			{5, "非常不满意", "Very dissatisfied", ""},
			{8, "不了解", "Don't know", SpecialDontKnow},
			{9, "拒答", "Refused", SpecialRefused},
		}
	default:
		return nil
	}
	opts := make([]*Option, len(list))
	for i, x := range list {
		opts[i] = &Option{Code: x.code, Label: Text{"zh-CN": x.zh, "en": x.en}, Special: x.sp}
	}
	return opts
}

// defaultLanguages are used when a definition declares none.
var defaultLanguages = []string{"zh-CN", "en"}

// defaultMaxLength is the max_length of a text question that gives none.
const defaultMaxLength = 200
