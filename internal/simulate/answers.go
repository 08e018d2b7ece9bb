package simulate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// Kinds of answer a trait question gets.
const (
	kindPositive = iota
	kindNegative
	kindDontKnow
	kindRefused
	numKinds
)

// outcome is one answer a trait question can get: its codes (a
// multiple-choice positive answer stands for any non-empty set of positive
// codes, which all score alike) and its weight within its kind.
type outcome struct {
	kind   int
	codes  []int
	weight float64
}

// traitPlan is how one trait question is answered.
type traitPlan struct {
	trait    Trait
	question *questionnaire.Question
	outcomes []outcome
	kindW    [numKinds][]float64 // weights of the outcomes of each kind (index into outcomes via byKind)
	byKind   [numKinds][]int
	positive []int // positive codes, for multiple-choice answers
}

// indPlan is how one indicator's value follows from the answers: a rate
// or score from one trait question (value per outcome), or a mean of
// other indicators.
type indPlan struct {
	ind   *questionnaire.Indicator
	trait int       // for a rate or score: the trait index; -1 otherwise
	value []float64 // per outcome of the trait; NaN when missing
	of    []int     // for a mean: indexes of the indicators it averages
}

// Plan is a questionnaire compiled against a model: which questions carry
// traits, the distribution of their answers, and how indicators follow.
// It is safe for concurrent use.
type Plan struct {
	Def   *questionnaire.Definition
	Model *Model
	// TraitIDs are the ids of the traits: the first rate indicator reading
	// each question, in questionnaire order.
	TraitIDs []string
	traits   []traitPlan
	traitOf  map[string]int // question code → trait
	inds     []indPlan
	// screenOut is the last question whose end rule can end the interview
	// as not eligible: where a not-eligible respondent screens out.
	screenOut string
}

// Demographic questions of the standard questionnaire that take the
// respondent's own sex, age group and years of residence, and the number
// of adults in their household.
var demographics = map[string]string{"E1": "sex", "E2": "age", "E3": "years", "E5": "adults"}

// Compile prepares the answer plan of def under model.
func Compile(def *questionnaire.Definition, model *Model) (*Plan, error) {
	p := &Plan{Def: def, Model: model, traitOf: map[string]int{}}
	for _, ind := range def.Indicators {
		if ind.Kind != questionnaire.KindRate || ind.Question == "" {
			continue
		}
		if _, dup := p.traitOf[ind.Question]; dup {
			continue
		}
		q := def.Question(ind.Question)
		if q == nil {
			return nil, fmt.Errorf("simulate: indicator %s reads unknown question %s", ind.ID, ind.Question)
		}
		tp, err := planTrait(model.Trait(ind.ID), q, ind)
		if err != nil {
			return nil, err
		}
		p.traitOf[q.Code] = len(p.traits)
		p.traits = append(p.traits, tp)
		p.TraitIDs = append(p.TraitIDs, ind.ID)
	}
	for _, q := range def.Questions() {
		if q.EndIf != nil && q.EndIf.Disposition == questionnaire.DispositionNotEligible {
			p.screenOut = q.Code
		}
	}
	pos := map[string]int{}
	for i, ind := range def.Indicators {
		pos[ind.ID] = i
	}
	for _, ind := range def.Indicators {
		ip := indPlan{ind: ind, trait: -1}
		switch ind.Kind {
		case questionnaire.KindRate, questionnaire.KindScore:
			t, ok := p.traitOf[ind.Question]
			if !ok {
				return nil, fmt.Errorf("simulate: indicator %s reads question %s, which no rate indicator reads", ind.ID, ind.Question)
			}
			ip.trait = t
			tp := p.traits[t]
			for _, o := range tp.outcomes {
				ip.value = append(ip.value, p.scoreOne(ind, tp.question, o.codes))
			}
		case questionnaire.KindMean:
			for _, id := range ind.Of {
				j, ok := pos[id]
				if !ok || j >= pos[ind.ID] && def.Indicators[j].Kind == questionnaire.KindMean {
					return nil, fmt.Errorf("simulate: mean %s averages %s, which is not an earlier indicator", ind.ID, id)
				}
				ip.of = append(ip.of, j)
			}
		}
		p.inds = append(p.inds, ip)
	}
	return p, nil
}

// scoreOne is the value an indicator gets from one answer to its question,
// computed by the questionnaire's own scoring (NaN when missing).
func (p *Plan) scoreOne(ind *questionnaire.Indicator, q *questionnaire.Question, codes []int) float64 {
	r := questionnaire.Response{q.Code: answerOf(q, codes)}
	v, ok := p.Def.Score(r).Get(ind.ID)
	if !ok {
		return math.NaN()
	}
	return v
}

func answerOf(q *questionnaire.Question, codes []int) questionnaire.Answer {
	if q.Type == questionnaire.TypeMultipleChoice {
		return questionnaire.CodesAnswer(codes...)
	}
	return questionnaire.CodeAnswer(codes[0])
}

// planTrait lists the answers of a trait question by kind.
func planTrait(t Trait, q *questionnaire.Question, ind *questionnaire.Indicator) (traitPlan, error) {
	tp := traitPlan{trait: t, question: q}
	add := func(kind int, codes []int, w float64) {
		tp.byKind[kind] = append(tp.byKind[kind], len(tp.outcomes))
		tp.kindW[kind] = append(tp.kindW[kind], w)
		tp.outcomes = append(tp.outcomes, outcome{kind: kind, codes: codes, weight: w})
	}
	multiple := q.Type == questionnaire.TypeMultipleChoice
	var positive, negative []int
	for _, o := range q.Options {
		switch {
		case o.Special == questionnaire.SpecialDontKnow:
			add(kindDontKnow, []int{o.Code}, 1)
		case o.Special == questionnaire.SpecialRefused:
			add(kindRefused, []int{o.Code}, 1)
		case slices.Contains(ind.Positive, o.Code):
			if !o.Exclusive {
				positive = append(positive, o.Code)
			}
		case multiple && !o.Exclusive:
			// A non-positive, non-exclusive choice would combine with
			// positive ones; a negative multiple-choice answer is its
			// exclusive "none" option.
		default:
			negative = append(negative, o.Code)
		}
	}
	if len(positive) == 0 {
		return tp, fmt.Errorf("simulate: question %s has no positive option for indicator %s", q.Code, ind.ID)
	}
	tp.positive = positive
	satisfaction := q.Type == questionnaire.TypeSatisfaction
	if multiple {
		add(kindPositive, positive[:1], 1)
	} else {
		for i, c := range positive {
			w := 1.0
			if satisfaction && len(positive) == 2 {
				w = []float64{0.4, 0.6}[i] // 非常满意 : 满意
			}
			add(kindPositive, []int{c}, w)
		}
	}
	for i, c := range negative {
		w := math.Pow(0.5, float64(i))
		if satisfaction && len(negative) == 3 {
			w = []float64{0.65, 0.27, 0.08}[i] // 一般 : 不满意 : 非常不满意
		}
		add(kindNegative, []int{c}, w)
	}
	return tp, nil
}

// kindProbs returns the probabilities of the four kinds of answer at
// propensity p.
func (tp *traitPlan) kindProbs(p float64) [numKinds]float64 {
	var out [numKinds]float64
	dk, rf := 0.0, 0.0
	if len(tp.byKind[kindDontKnow]) > 0 {
		dk = tp.trait.DontKnow
	}
	if len(tp.byKind[kindRefused]) > 0 {
		rf = tp.trait.Refused
	}
	sub := 1 - dk - rf
	out[kindDontKnow], out[kindRefused] = dk, rf
	if len(tp.byKind[kindNegative]) == 0 {
		out[kindPositive] = sub
		return out
	}
	out[kindPositive], out[kindNegative] = p*sub, (1-p)*sub
	return out
}

// outcomeProbs returns the probability of every outcome at propensity p.
func (tp *traitPlan) outcomeProbs(p float64) []float64 {
	kp := tp.kindProbs(p)
	out := make([]float64, len(tp.outcomes))
	for k := range numKinds {
		total := 0.0
		for _, w := range tp.kindW[k] {
			total += w
		}
		for j, o := range tp.byKind[k] {
			out[o] = kp[k] * tp.kindW[k][j] / total
		}
	}
	return out
}

// draw returns the index of a random outcome at propensity p.
func (tp *traitPlan) draw(r *rand.Rand, p float64) int {
	kp := tp.kindProbs(p)
	k := pick(r, kp[:])
	return tp.byKind[k][pick(r, tp.kindW[k])]
}

// Offsets returns the logit offsets of the plan's traits in a community.
func (p *Plan) Offsets(street, community string) []float64 {
	return p.Model.Offsets(street, community, p.TraitIDs)
}

// Indicators returns the questionnaire's indicators in order.
func (p *Plan) Indicators() []*questionnaire.Indicator {
	out := make([]*questionnaire.Indicator, len(p.inds))
	for i, ip := range p.inds {
		out[i] = ip.ind
	}
	return out
}

// Values draws one respondent's indicator values straight from the model,
// without building the response: vals[i] is indicator i's value, NaN when
// missing. outs is scratch of len(TraitIDs). It is what the Monte Carlo
// runs; a test holds it equal to Score of the full response.
func (p *Plan) Values(r *rand.Rand, offsets []float64, cell int, outs []int, vals []float64) {
	for t := range p.traits {
		tp := &p.traits[t]
		outs[t] = tp.draw(r, Propensity(tp.trait, offsets[t], cell))
	}
	p.values(outs, vals)
}

// values fills the indicator values from the outcomes of the traits.
func (p *Plan) values(outs []int, vals []float64) {
	for i, ip := range p.inds {
		switch {
		case ip.trait >= 0:
			vals[i] = ip.value[outs[ip.trait]]
		case ip.of != nil:
			sum, n := 0.0, 0
			for _, j := range ip.of {
				if v := vals[j]; v == v {
					sum += v
					n++
				}
			}
			vals[i] = math.NaN()
			if n > 0 {
				vals[i] = sum / float64(n)
			}
		default:
			vals[i] = math.NaN()
		}
	}
}

// Respondent is who answers and how: their cell, whether they fail
// screening, and whether they give every satisfaction item the same code.
type Respondent struct {
	Person        Person
	NotEligible   bool // answers the screening so that the interview ends as not eligible
	StraightLiner bool
	// Adults is the number of adults of the respondent's household (the
	// standard questionnaire's E5); 0 leaves the question unanswered.
	Adults int
	// RefusesAge answers the age group "refused" (拒答) when the question
	// has that option: a calibration variable the weighting must handle.
	RefusesAge bool
}

// comments are free-text suggestions a few respondents give.
var comments = []string{"希望多增加停车位", "小区垃圾清运要更及时", "农贸市场周边秩序需要加强", "路灯经常不亮", "希望多开展志愿服务活动", "总体感觉变化很大"}

// Respond draws a full response of one respondent, question by question
// in interview order, following the skip logic and end rules (each
// question is answered only when Evaluate shows it), with trait questions
// answered from the respondent's propensities. The response validates.
func (p *Plan) Respond(r *rand.Rand, offsets []float64, who Respondent) (questionnaire.Response, error) {
	resp := questionnaire.Response{}
	straight := 0 // the straight-liner's code, once chosen
	cell := who.Person.Cell()
	for _, q := range p.Def.Questions() {
		st := p.Def.Evaluate(resp)
		if st.Ended {
			break
		}
		if !st.IsVisible(q.Code) {
			continue
		}
		var a questionnaire.Answer
		if q.EndIf != nil {
			var ok bool
			if a, ok = p.screen(resp, q, who.NotEligible && q.Code == p.screenOut); !ok {
				continue
			}
		} else if t, ok := p.traitOf[q.Code]; ok {
			tp := &p.traits[t]
			o := tp.outcomes[tp.draw(r, Propensity(tp.trait, offsets[t], cell))]
			codes := o.codes
			if o.kind == kindPositive && q.Type == questionnaire.TypeMultipleChoice {
				codes = someOf(r, tp.positive)
			}
			a = answerOf(q, codes)
		} else {
			var ok bool
			if a, ok = p.generic(r, q, who); !ok {
				continue
			}
		}
		if who.StraightLiner && q.Type == questionnaire.TypeSatisfaction {
			if straight == 0 {
				straight = a.Number
			} else {
				a = questionnaire.CodeAnswer(straight)
			}
		}
		resp[q.Code] = a
	}
	if _, err := p.Def.ValidateResponse(resp); err != nil {
		return nil, fmt.Errorf("simulate: a simulated response does not validate: %w", err)
	}
	return resp, nil
}

// screen answers a question with an end rule: an eligible respondent with
// the first option that does not end the interview, a not-eligible one
// with the first that ends it as not eligible.
func (p *Plan) screen(resp questionnaire.Response, q *questionnaire.Question, out bool) (questionnaire.Answer, bool) {
	var pass *questionnaire.Answer
	for _, o := range q.Options {
		a := answerOf(q, []int{o.Code})
		resp[q.Code] = a
		st := p.Def.Evaluate(resp)
		delete(resp, q.Code)
		ends := st.Ended && st.EndedAt == q.Code
		if out && ends && st.Disposition == questionnaire.DispositionNotEligible {
			return a, true
		}
		if !ends && pass == nil && o.Special == "" {
			pass = &a
		}
	}
	if pass == nil {
		return questionnaire.Answer{}, false
	}
	return *pass, true
}

// generic answers a question that carries no trait: the standard
// questionnaire's demographics from the person, anything else at random
// among its substantive options.
func (p *Plan) generic(r *rand.Rand, q *questionnaire.Question, resp Respondent) (questionnaire.Answer, bool) {
	who := resp.Person
	switch demographics[q.Code] {
	case "sex":
		if q.Option(int(who.Sex)) != nil {
			return questionnaire.CodeAnswer(int(who.Sex)), true
		}
	case "age":
		if resp.RefusesAge {
			for _, o := range q.Options {
				if o.Special == questionnaire.SpecialRefused {
					return questionnaire.CodeAnswer(o.Code), true
				}
			}
		}
		if q.Option(who.Age+1) != nil {
			return questionnaire.CodeAnswer(who.Age + 1), true
		}
	case "adults":
		// Answered from the household, drawing nothing: the answers to
		// every other question stay those of the same seed.
		if q.Type == questionnaire.TypeInteger && resp.Adults > 0 &&
			(q.Min == nil || resp.Adults >= *q.Min) && (q.Max == nil || resp.Adults <= *q.Max) {
			return questionnaire.IntAnswer(resp.Adults), true
		}
		if !q.Required {
			return questionnaire.Answer{}, false
		}
	}
	switch q.Type {
	case questionnaire.TypeInteger:
		lo, hi := 0, 100
		if q.Min != nil {
			lo = *q.Min
		}
		if q.Max != nil {
			hi = *q.Max
		}
		hi = min(hi, lo+40)
		return questionnaire.IntAnswer(lo + r.IntN(hi-lo+1)), true
	case questionnaire.TypeText:
		if !q.Required && r.Float64() >= 0.1 {
			return questionnaire.Answer{}, false
		}
		s := comments[r.IntN(len(comments))]
		if q.MaxLength > 0 && len([]rune(s)) > q.MaxLength {
			s = string([]rune(s)[:q.MaxLength])
		}
		return questionnaire.TextAnswer(s), true
	}
	var plain []int
	for _, o := range q.Options {
		if o.Special == "" && !o.Exclusive {
			plain = append(plain, o.Code)
		}
	}
	if len(plain) == 0 {
		if len(q.Options) == 0 {
			return questionnaire.Answer{}, false
		}
		return answerOf(q, []int{q.Options[0].Code}), true
	}
	if q.Type == questionnaire.TypeMultipleChoice {
		return questionnaire.CodesAnswer(someOf(r, plain)...), true
	}
	return questionnaire.CodeAnswer(plain[r.IntN(len(plain))]), true
}

// someOf draws a non-empty subset of codes (one, two or three of them), in
// option order.
func someOf(r *rand.Rand, codes []int) []int {
	k := min(len(codes), 1+pick(r, []float64{0.5, 0.3, 0.2}))
	idx := r.Perm(len(codes))[:k]
	slices.Sort(idx)
	out := make([]int, k)
	for i, j := range idx {
		out[i] = codes[j]
	}
	return out
}
