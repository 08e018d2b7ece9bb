package questionnaire

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Value is one indicator's value for one respondent: 1 or 0 for a rate, a
// fraction for a mean of rates, points for a score or a mean of scores. A
// missing value (Missing true, Value 0) leaves the respondent out of that
// indicator's denominator.
type Value struct {
	Indicator string
	Value     float64
	Missing   bool
}

// MarshalJSON writes {"indicator": id, "value": v} with null for missing.
func (v Value) MarshalJSON() ([]byte, error) {
	var x *float64
	if !v.Missing {
		x = &v.Value
	}
	return json.Marshal(struct {
		Indicator string   `json:"indicator"`
		Value     *float64 `json:"value"`
	}{v.Indicator, x})
}

// Values are the indicator values of one respondent, in the order the
// definition declares its indicators.
type Values []Value

// Get returns the value of the indicator with the given id; ok is false when
// it is missing or unknown.
func (vs Values) Get(id string) (v float64, ok bool) {
	for _, x := range vs {
		if x.Indicator == id {
			return x.Value, !x.Missing
		}
	}
	return 0, false
}

// Map returns the values keyed by indicator id, NaN for missing ones.
func (vs Values) Map() map[string]float64 {
	m := make(map[string]float64, len(vs))
	for _, x := range vs {
		if x.Missing {
			m[x.Indicator] = math.NaN()
		} else {
			m[x.Indicator] = x.Value
		}
	}
	return m
}

// Score computes every indicator for one response, following the rules in
// the package documentation. It does not validate: answers to questions
// that are not visible are ignored and answers that are not options give
// missing values, so validate with ValidateResponse first.
func (d *Definition) Score(r Response) Values {
	ix := d.index()
	_, seen := d.evaluate(r)
	memo := map[string]Value{}
	busy := map[string]bool{} // guards against cycles in unchecked definitions
	var value func(ind *Indicator) Value
	value = func(ind *Indicator) Value {
		if v, ok := memo[ind.ID]; ok {
			return v
		}
		v := Value{Indicator: ind.ID, Missing: true}
		if busy[ind.ID] {
			return v
		}
		busy[ind.ID] = true
		switch ind.Kind {
		case KindRate, KindScore:
			if q := ix.question(ind.Question); q != nil {
				if a, ok := seen[q.Code]; ok {
					v.Value, v.Missing = scoreAnswer(ind, q, a)
				}
			}
		case KindMean:
			sum, n := 0.0, 0
			for _, id := range ind.Of {
				if item := ix.indicators[id]; item != nil {
					if x := value(item); !x.Missing {
						sum += x.Value
						n++
					}
				}
			}
			if n > 0 {
				v.Value, v.Missing = sum/float64(n), false
			}
		}
		busy[ind.ID] = false
		memo[ind.ID] = v
		return v
	}
	out := make(Values, 0, len(d.Indicators))
	for _, ind := range d.Indicators {
		if ind != nil {
			out = append(out, value(ind))
		}
	}
	return out
}

// scoreAnswer turns a present answer into a rate or score value.
func scoreAnswer(ind *Indicator, q *Question, a Answer) (float64, bool) {
	var codes []int
	switch {
	case q.Type == TypeMultipleChoice && a.Kind == AnswerList:
		codes = a.List
	case q.Type != TypeMultipleChoice && a.Kind == AnswerNumber:
		codes = []int{a.Number}
	default:
		return 0, true
	}
	for _, c := range codes {
		if q.Option(c) == nil {
			return 0, true
		}
	}
	if ind.Kind == KindScore {
		c := codes[0]
		if len(codes) != 1 || ind.excluded(q, c) {
			return 0, true
		}
		s, ok := ind.Scores[c]
		return s, !ok
	}
	allExcluded := true
	for _, c := range codes {
		if slices.Contains(ind.Positive, c) {
			return 1, false
		}
		allExcluded = allExcluded && ind.excluded(q, c)
	}
	if allExcluded {
		return 0, true
	}
	return 0, false
}

// Combine returns the composite index Σ weight·estimate for the given
// estimates, keyed by indicator id. Every weighted indicator needs a finite
// estimate.
func (c *Composite) Combine(estimates map[string]float64) (float64, error) {
	sum := 0.0
	for _, id := range slices.Sorted(maps.Keys(c.Weights)) {
		e, ok := estimates[id]
		if !ok || math.IsNaN(e) || math.IsInf(e, 0) {
			return math.NaN(), fmt.Errorf("composite: no estimate for %s", id)
		}
		sum += c.Weights[id] * e
	}
	return sum, nil
}

// MeetsTarget reports whether composite value v reaches the target; has is
// false when there is no target.
func (c *Composite) MeetsTarget(v float64) (met, has bool) {
	if c.Target == nil {
		return false, false
	}
	return v >= *c.Target, true
}

// errCycle is returned up a chain of means that runs into itself, until
// the mean that closes the cycle reports it as errCycleReported.
var (
	errCycle         = errors.New("cycle")
	errCycleReported = errors.New("cycle reported")
)

func (c *checker) indicators() {
	d := c.d
	c.scales = map[string]Scale{}
	seenID := map[string]string{}
	seenRole := map[Role]string{}
	for i, ind := range d.Indicators {
		if ind == nil {
			continue
		}
		path := fmt.Sprintf("indicators[%d]", i)
		ctx := "indicator " + orElse(ind.ID, path)
		switch {
		case ind.ID == "":
			c.add(ind.at, path, "id", "%s: id is required", ctx)
		case !identRE.MatchString(ind.ID):
			c.add(ind.at, path, "id", "%s: id must be lower-case letters, digits and '_', starting with a letter", ctx)
		case seenID[ind.ID] != "":
			c.add(ind.at, path, "id", "%s: duplicate indicator id (first: %s)", ctx, seenID[ind.ID])
		default:
			seenID[ind.ID] = path
		}
		if ind.Role != "" {
			if !slices.Contains(roles, ind.Role) {
				c.add(ind.at, path, "role", "%s: unknown role %q (known: %s)", ctx, ind.Role, joinAny(roles))
			} else if first := seenRole[ind.Role]; first != "" {
				c.add(ind.at, path, "role", "%s: role %s is already taken by %s", ctx, ind.Role, first)
			} else {
				seenRole[ind.Role] = ctx
			}
		}
		c.text(ind.at, path, "label", ctx, ind.Label, true)
		notFor := func(key string, set bool) {
			if set {
				c.add(ind.at, path, key, "%s: %s is not used by a %s indicator", ctx, key, ind.Kind)
			}
		}
		switch ind.Kind {
		case "":
			c.add(ind.at, path, "kind", "%s: kind is required", ctx)
		case KindRate, KindScore:
			notFor("of", ind.Of != nil)
			notFor("positive", ind.Kind == KindScore && ind.Positive != nil)
			notFor("scores", ind.Kind == KindRate && ind.Scores != nil)
			c.questionIndicator(ind, path, ctx)
		case KindMean:
			notFor("question", ind.Question != "")
			notFor("positive", ind.Positive != nil)
			notFor("scores", ind.Scores != nil)
			notFor("dont_know", ind.DontKnow != "")
			notFor("refused", ind.Refused != "")
			notFor("excluded", ind.Excluded != nil)
			if len(ind.Of) == 0 {
				c.add(ind.at, path, "of", "%s: a mean needs the indicators it averages (of)", ctx)
			}
			for j, id := range ind.Of {
				key := fmt.Sprintf("of[%d]", j)
				switch {
				case c.ix.indicators[id] == nil:
					c.add(ind.at, path, key, "%s: of: unknown indicator %s", ctx, id)
				case id == ind.ID:
					c.add(ind.at, path, key, "%s: of: a mean cannot average itself", ctx)
				case slices.Index(ind.Of, id) < j:
					c.add(ind.at, path, key, "%s: of: %s listed twice", ctx, id)
				}
			}
		default:
			c.add(ind.at, path, "kind", "%s: unknown kind %q (known: %s)", ctx, ind.Kind, joinAny(indicatorKinds))
		}
	}
	// Scales and cycles, once every id is known. trail is the chain of
	// means being resolved, from the first to ind.
	state := map[string]int{} // 1 in progress, 2 done
	var resolve func(ind *Indicator, trail []string) (Scale, error)
	resolve = func(ind *Indicator, trail []string) (Scale, error) {
		switch state[ind.ID] {
		case 1:
			return "", errCycle
		case 2:
			return c.scales[ind.ID], nil
		}
		if ind.Kind != KindMean {
			state[ind.ID] = 2
			c.scales[ind.ID] = ind.Scale()
			return c.scales[ind.ID], nil
		}
		state[ind.ID] = 1
		defer func() { state[ind.ID] = 2 }()
		var scale Scale
		var first string
		for j, id := range ind.Of {
			item := c.ix.indicators[id]
			if item == nil || id == ind.ID {
				continue
			}
			s, err := resolve(item, append(slices.Clone(trail), id))
			if errors.Is(err, errCycle) {
				if i := slices.Index(trail, id); i >= 0 { // ind closes the cycle
					c.add(ind.at, c.indicatorPath(ind), fmt.Sprintf("of[%d]", j), "indicator %s: cycle in of: %s → %s", ind.ID, strings.Join(trail[i:], " → "), id)
					return "", errCycleReported
				}
				return "", err
			}
			if err != nil {
				return "", err
			}
			if s == "" {
				continue
			}
			if scale == "" {
				scale, first = s, id
			} else if s != scale {
				c.add(ind.at, c.indicatorPath(ind), fmt.Sprintf("of[%d]", j), "indicator %s: mean mixes scales: %s is a %s, %s is a %s", ind.ID, first, scale, id, s)
			}
		}
		c.scales[ind.ID] = scale
		return scale, nil
	}
	for _, ind := range d.Indicators {
		if ind == nil || c.ix.indicators[ind.ID] != ind {
			continue
		}
		if _, err := resolve(ind, []string{ind.ID}); err != nil {
			continue
		}
		path, ctx := c.indicatorPath(ind), "indicator "+ind.ID
		scale := c.scales[ind.ID]
		if ind.Role != "" && scale == ScalePoints {
			c.add(ind.at, path, "role", "%s: the %s rate must be a rate or a mean of rates, not a score", ctx, ind.Role)
		}
		if ind.Target != nil {
			c.target(ind.at, path, ctx, *ind.Target, scale)
		}
	}
}

func (c *checker) indicatorPath(ind *Indicator) string {
	return fmt.Sprintf("indicators[%d]", slices.Index(c.d.Indicators, ind))
}

func (c *checker) target(a at, path, ctx string, t float64, scale Scale) {
	switch {
	case math.IsNaN(t) || math.IsInf(t, 0):
		c.add(a, path, "target", "%s: target must be a number", ctx)
	case scale == ScaleProportion && (t < 0 || t > 1):
		c.add(a, path, "target", "%s: the target of a rate is a proportion between 0 and 1 (e.g. 0.90), not %g", ctx, t)
	}
}

// questionIndicator checks a rate or score: its question, codes and the
// treatment of don't-know and refused answers.
func (c *checker) questionIndicator(ind *Indicator, path, ctx string) {
	if ind.Question == "" {
		c.add(ind.at, path, "question", "%s: question is required", ctx)
		return
	}
	q := c.ix.question(ind.Question)
	switch {
	case q == nil:
		c.add(ind.at, path, "question", "%s: question %s does not exist", ctx, ind.Question)
		return
	case !q.Type.IsChoice():
		c.add(ind.at, path, "question", "%s: question %s is a %s question; rates and scores read choice questions", ctx, q.Code, q.Type)
		return
	case ind.Kind == KindScore && q.Type == TypeMultipleChoice:
		c.add(ind.at, path, "question", "%s: a score needs a single-answer question; %s is multiple choice", ctx, q.Code)
		return
	}
	codeOK := func(key string, code int) bool {
		if q.Option(code) == nil {
			c.add(ind.at, path, key, "%s: code %d is not an option of %s", ctx, code, q.Code)
			return false
		}
		return true
	}
	for j, code := range ind.Excluded {
		key := fmt.Sprintf("excluded[%d]", j)
		if codeOK(key, code) && slices.Contains(ind.Positive, code) {
			c.add(ind.at, path, key, "%s: code %d is both positive and excluded", ctx, code)
		}
	}
	for _, sp := range []Special{SpecialDontKnow, SpecialRefused} {
		key, t, name := "dont_know", ind.DontKnow, specialName(sp)
		if sp == SpecialRefused {
			key, t = "refused", ind.Refused
		}
		o := q.special(sp)
		switch {
		case t != "" && t != CountNegative && t != Exclude:
			c.add(ind.at, path, key, "%s: %s must be %q or %q", ctx, key, CountNegative, Exclude)
		case o != nil && t == "":
			c.add(ind.at, path, "", "%s: question %s has a %s option (%d); say %s: %s or %s: %s", ctx, q.Code, name, o.Code, key, CountNegative, key, Exclude)
		case o == nil && t != "":
			c.add(ind.at, path, key, "%s: %s is set but question %s has no %s option", ctx, key, q.Code, name)
		}
	}
	if ind.Kind == KindRate {
		if len(ind.Positive) == 0 {
			c.add(ind.at, path, "positive", "%s: a rate needs its positive codes", ctx)
		}
		for j, code := range ind.Positive {
			key := fmt.Sprintf("positive[%d]", j)
			if !codeOK(key, code) {
				continue
			}
			if o := q.Option(code); o.Special != "" {
				c.add(ind.at, path, key, "%s: code %d is the %s option; it cannot be positive", ctx, code, specialName(o.Special))
			} else if slices.Index(ind.Positive, code) < j {
				c.add(ind.at, path, key, "%s: code %d listed twice", ctx, code)
			}
		}
		return
	}
	if len(ind.Scores) == 0 {
		c.add(ind.at, path, "scores", "%s: a score needs its scores (code: points)", ctx)
		return
	}
	for _, code := range slices.Sorted(maps.Keys(ind.Scores)) {
		key := fmt.Sprintf("scores.%d", code)
		if !codeOK(key, code) {
			continue
		}
		if ind.excluded(q, code) {
			c.add(ind.at, path, key, "%s: code %d is excluded from the denominator and cannot have a score", ctx, code)
		}
		if s := ind.Scores[code]; math.IsNaN(s) || math.IsInf(s, 0) {
			c.add(ind.at, path, key, "%s: the score of code %d must be a number", ctx, code)
		}
	}
	var unscored []string
	for _, o := range q.Options {
		if _, ok := ind.Scores[o.Code]; !ok && !ind.excluded(q, o.Code) {
			unscored = append(unscored, fmt.Sprint(o.Code))
		}
	}
	if unscored != nil {
		what := "code " + unscored[0] + " has no score; add its points or exclude it"
		if len(unscored) > 1 {
			what = "codes " + strings.Join(unscored, ", ") + " have no score; add their points or exclude them"
		}
		c.add(ind.at, path, "scores", "%s: %s", ctx, what)
	}
}

func (c *checker) composite() {
	cp := c.d.Composite
	if cp == nil {
		return
	}
	path, ctx := "composite", "composite"
	c.text(cp.at, path, "label", ctx, cp.Label, true)
	if len(cp.Weights) == 0 {
		c.add(cp.at, path, "weights", "%s: weights are required (indicator id: weight)", ctx)
		return
	}
	sum := 0.0
	var scale Scale
	var first string
	for _, id := range slices.Sorted(maps.Keys(cp.Weights)) {
		key, w := "weights."+id, cp.Weights[id]
		ind := c.ix.indicators[id]
		if ind == nil {
			c.add(cp.at, path, key, "%s: weights: unknown indicator %s", ctx, id)
			continue
		}
		if !(w > 0) || math.IsInf(w, 0) {
			c.add(cp.at, path, key, "%s: the weight of %s must be positive", ctx, id)
			continue
		}
		sum += w
		if s := c.scales[id]; s != "" {
			if scale == "" {
				scale, first = s, id
			} else if s != scale {
				c.add(cp.at, path, key, "%s: weights mix scales: %s is a %s, %s is a %s", ctx, first, scale, id, s)
			}
		}
	}
	if sum > 0 && math.Abs(sum-1) > 1e-9 {
		c.add(cp.at, path, "weights", "%s: weights sum to %g, not 1", ctx, sum)
	}
	if cp.Target != nil {
		c.target(cp.at, path, ctx, *cp.Target, scale)
	}
}

func specialName(s Special) string {
	if s == SpecialDontKnow {
		return "don't-know"
	}
	return string(s)
}
