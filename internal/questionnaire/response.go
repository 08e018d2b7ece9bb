package questionnaire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AnswerKind is the JSON shape of an answer.
type AnswerKind uint8

// The answer kinds.
const (
	AnswerNone    AnswerKind = iota // no answer (absent or JSON null)
	AnswerNumber                    // one whole number: an option code or an integer
	AnswerList                      // a list of whole numbers: multiple-choice codes
	AnswerText                      // a string
	AnswerInvalid                   // any other JSON value; validation reports it
)

// Answer is one answer as the tablet sends it. Its JSON form is a number
// (single choice, yes/no, satisfaction, integer), a list of numbers
// (multiple choice), a string (text) or null (no answer).
type Answer struct {
	Kind   AnswerKind
	Number int
	List   []int
	Text   string

	raw json.RawMessage // the JSON of an AnswerInvalid
}

// CodeAnswer answers a single-choice, yes/no or satisfaction question.
func CodeAnswer(code int) Answer { return Answer{Kind: AnswerNumber, Number: code} }

// IntAnswer answers an integer question.
func IntAnswer(n int) Answer { return Answer{Kind: AnswerNumber, Number: n} }

// CodesAnswer answers a multiple-choice question.
func CodesAnswer(codes ...int) Answer {
	return Answer{Kind: AnswerList, List: append([]int{}, codes...)}
}

// TextAnswer answers a text question.
func TextAnswer(s string) Answer { return Answer{Kind: AnswerText, Text: s} }

// Absent reports whether a counts as no answer: none, an empty list, or a
// text that is empty after trimming white space.
func (a Answer) Absent() bool {
	switch a.Kind {
	case AnswerNone:
		return true
	case AnswerList:
		return len(a.List) == 0
	case AnswerText:
		return strings.TrimSpace(a.Text) == ""
	}
	return false
}

// MarshalJSON writes the tablet's JSON form.
func (a Answer) MarshalJSON() ([]byte, error) {
	switch a.Kind {
	case AnswerNumber:
		return strconv.AppendInt(nil, int64(a.Number), 10), nil
	case AnswerList:
		if a.List == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(a.List)
	case AnswerText:
		return json.Marshal(a.Text)
	case AnswerInvalid:
		if json.Valid(a.raw) {
			return a.raw, nil
		}
	}
	return []byte("null"), nil
}

// UnmarshalJSON accepts any JSON value: shapes that are not answers become
// AnswerInvalid so that validation reports them per question instead of
// failing the whole response.
func (a *Answer) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	*a = Answer{}
	switch {
	case len(data) == 0:
		return errors.New("empty answer")
	case string(data) == "null":
		return nil
	case data[0] == '"':
		if err := json.Unmarshal(data, &a.Text); err != nil {
			return err
		}
		a.Kind = AnswerText
		return nil
	case data[0] == '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return err
		}
		list := make([]int, 0, len(elems))
		for _, e := range elems {
			n, ok := wholeNumber(e)
			if !ok {
				return a.invalid(data)
			}
			list = append(list, n)
		}
		a.Kind, a.List = AnswerList, list
		return nil
	}
	if n, ok := wholeNumber(data); ok {
		a.Kind, a.Number = AnswerNumber, n
		return nil
	}
	return a.invalid(data)
}

func (a *Answer) invalid(data []byte) error {
	if !json.Valid(data) {
		return errors.New("invalid JSON in answer")
	}
	a.Kind, a.raw = AnswerInvalid, append(json.RawMessage{}, data...)
	return nil
}

// wholeNumber parses a JSON number that is a whole number within ±2⁵³−1
// (1 and 1.0 both qualify; 1.5, 1e300 and "1" do not).
func wholeNumber(data []byte) (int, bool) {
	s := string(bytes.TrimSpace(data))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(n), n <= maxWhole && n >= -maxWhole
	}
	if s == "" || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > maxWhole {
		return 0, false
	}
	return int(f), true
}

// Response is one respondent's answers keyed by question code. Its JSON
// form is an object, e.g. {"S1": 1, "C1": [1, 3], "E4": 12, "F1": "…"}.
type Response map[string]Answer

// ParseResponse reads a response from JSON. It fails only when data is not
// a JSON object; anything wrong inside is left to ValidateResponse.
func ParseResponse(data []byte) (Response, error) {
	var r Response
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("response must be a JSON object of answers keyed by question code: %w", err)
	}
	if r == nil {
		return nil, errors.New("response must be a JSON object of answers keyed by question code, not null")
	}
	return r, nil
}

// State is where skip logic leaves a response: which questions are shown
// and whether and how the interview ended early.
type State struct {
	// Visible lists the codes of the visible questions in interview order,
	// up to and including the question whose end rule fired.
	Visible []string `json:"visible"`
	// Ended is true when an end rule fired.
	Ended bool `json:"ended"`
	// EndedAt is the code of the question whose end rule fired.
	EndedAt string `json:"ended_at,omitempty"`
	// Disposition is the end rule's disposition, e.g. not_eligible.
	Disposition Disposition `json:"disposition,omitempty"`
}

// Eligible reports whether the respondent passed screening: the interview
// did not end as not eligible.
func (s State) Eligible() bool { return s.Disposition != DispositionNotEligible }

// IsVisible reports whether the question with the given code is shown.
func (s State) IsVisible(code string) bool { return slices.Contains(s.Visible, code) }

// Evaluate runs the skip logic over r (see the package documentation). It
// never fails: answers of the wrong shape simply match no condition.
func (d *Definition) Evaluate(r Response) State {
	st, _ := d.evaluate(r)
	return st
}

// evaluate also returns the visible, non-absent answers and the position of
// the last question still in the interview.
func (d *Definition) evaluate(r Response) (State, map[string]Answer) {
	ix := d.index()
	st := State{Visible: []string{}}
	seen := map[string]Answer{}
	for i, q := range ix.questions {
		if s := ix.section[i]; !s.ShowIf.holds(ix, seen) || !q.ShowIf.holds(ix, seen) {
			continue
		}
		st.Visible = append(st.Visible, q.Code)
		a, ok := r[q.Code]
		if !ok || a.Absent() {
			continue
		}
		if _, dup := seen[q.Code]; !dup {
			seen[q.Code] = a
		}
		if q.EndIf != nil && q.EndIf.When != nil && q.EndIf.When.holds(ix, seen) {
			st.Ended, st.EndedAt, st.Disposition = true, q.Code, q.EndIf.Disposition
			break
		}
	}
	return st, seen
}

// The rules a FieldError reports; stable strings for clients and tests.
const (
	RuleUnknownQuestion = "unknown_question" // no question has this code
	RuleHidden          = "hidden"           // answered, but skip logic hides the question
	RuleAfterEnd        = "after_end"        // answered, but the interview ended before it
	RuleRequired        = "required"         // visible, required and not answered
	RuleType            = "type"             // wrong shape: list for one code, text for a number…
	RuleCode            = "invalid_code"     // a code that is not an option
	RuleDuplicate       = "duplicate_code"   // a code selected twice
	RuleExclusive       = "exclusive"        // an exclusive option combined with others
	RuleRange           = "out_of_range"     // an integer outside [min, max]
	RuleTooLong         = "too_long"         // text longer than max_length
)

// FieldError is what is wrong with the answer to one question.
type FieldError struct {
	Question string `json:"question"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

// ResponseErrors lists the field errors of a response, at most one per
// question, in interview order (unknown questions last, sorted).
type ResponseErrors []FieldError

// Error joins the field errors.
func (e ResponseErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Question + ": " + f.Message
	}
	return "invalid response: " + strings.Join(parts, "; ")
}

// Fields returns the messages keyed by question code, as an HTTP 422 body
// wants them (apperr.WithFields).
func (e ResponseErrors) Fields() map[string]string {
	m := make(map[string]string, len(e))
	for _, f := range e {
		m[f.Question] = f.Message
	}
	return m
}

// ValidateResponse checks r against the definition: no unknown questions,
// required answers present when visible, no answers to hidden questions or
// after the end, answers of the right shape, codes that are options,
// integers in range, exclusive options alone, texts within max_length. It
// returns the skip-logic state and, when anything is wrong, a
// ResponseErrors.
func (d *Definition) ValidateResponse(r Response) (State, error) {
	ix := d.index()
	st, _ := d.evaluate(r)
	visible := make(map[string]bool, len(st.Visible))
	for _, c := range st.Visible {
		visible[c] = true
	}
	end := len(ix.questions) - 1
	if st.Ended {
		end = ix.pos[st.EndedAt]
	}
	var errs ResponseErrors
	fail := func(q, rule, format string, args ...any) {
		errs = append(errs, FieldError{Question: q, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	for i, q := range ix.questions {
		if ix.pos[q.Code] != i {
			continue // a duplicate code in an unchecked definition
		}
		a, has := r[q.Code]
		present := has && !a.Absent()
		switch {
		case i > end:
			if present {
				fail(q.Code, RuleAfterEnd, "the interview ended at %s (%s); leave this question unanswered", st.EndedAt, st.Disposition)
			}
		case !visible[q.Code]:
			if present {
				fail(q.Code, RuleHidden, "this question is not shown for these answers; leave it unanswered")
			}
		case !present:
			if q.Required {
				fail(q.Code, RuleRequired, "an answer is required")
			}
		default:
			if rule, msg := checkAnswer(q, a); rule != "" {
				fail(q.Code, rule, "%s", msg)
			}
		}
	}
	var unknown []string
	for code := range r {
		if _, ok := ix.pos[code]; !ok {
			unknown = append(unknown, code)
		}
	}
	slices.Sort(unknown)
	for _, code := range unknown {
		fail(code, RuleUnknownQuestion, "no question has this code")
	}
	if len(errs) > 0 {
		return st, errs
	}
	return st, nil
}

// checkAnswer checks one present answer against its question and returns
// the broken rule and a message, or "" when the answer is fine.
func checkAnswer(q *Question, a Answer) (rule, msg string) {
	switch q.Type {
	case TypeMultipleChoice:
		if a.Kind != AnswerList {
			return RuleType, "expected a list of option codes"
		}
		for i, c := range a.List {
			if q.Option(c) == nil {
				return RuleCode, fmt.Sprintf("%d is not an option of this question", c)
			}
			if slices.Index(a.List, c) < i {
				return RuleDuplicate, fmt.Sprintf("code %d is given twice", c)
			}
		}
		if len(a.List) > 1 {
			for _, c := range a.List {
				if o := q.Option(c); o.Exclusive {
					return RuleExclusive, fmt.Sprintf("option %d cannot be combined with other options", c)
				}
			}
		}
	case TypeSingleChoice, TypeYesNo, TypeSatisfaction:
		if a.Kind != AnswerNumber {
			return RuleType, "expected one option code"
		}
		if q.Option(a.Number) == nil {
			return RuleCode, fmt.Sprintf("%d is not an option of this question", a.Number)
		}
	case TypeInteger:
		if a.Kind != AnswerNumber {
			return RuleType, "expected a whole number"
		}
		if (q.Min != nil && a.Number < *q.Min) || (q.Max != nil && a.Number > *q.Max) {
			return RuleRange, fmt.Sprintf("must be between %s and %s", bound(q.Min, "-∞"), bound(q.Max, "∞"))
		}
	case TypeText:
		if a.Kind != AnswerText {
			return RuleType, "expected text"
		}
		if n := utf8.RuneCountInString(a.Text); q.MaxLength > 0 && n > q.MaxLength {
			return RuleTooLong, fmt.Sprintf("at most %d characters, got %d", q.MaxLength, n)
		}
	}
	return "", ""
}

func bound(p *int, none string) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(*p)
}
