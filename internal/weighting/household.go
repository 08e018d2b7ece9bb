package weighting

import (
	"fmt"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// adultsQuestion returns the question that counts a household's eligible
// adults: code when given (it must be an integer question), else the one
// integer question of def whose label speaks of adults. Calibrating to
// counts of people needs it: without it household weights would be
// calibrated to person counts, every household standing for one person.
func adultsQuestion(code string, def *questionnaire.Definition, pop int64) (string, error) {
	if code != "" {
		q := def.Question(code)
		if q == nil || q.Type != questionnaire.TypeInteger {
			return "", apperr.WithFields("no such question", map[string]string{"adults": code + " is not an integer question of the round's questionnaire"})
		}
		return code, nil
	}
	var found []string
	for _, q := range def.Questions() {
		if q.Type != questionnaire.TypeInteger {
			continue
		}
		if strings.Contains(q.Label["zh-CN"], "年满18周岁") || strings.Contains(strings.ToLower(q.Label["en"]), "adults") {
			found = append(found, q.Code)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", apperr.WithFields("population counts of people need the household's adults", map[string]string{"adults": fmt.Sprintf(
			"population table %d counts people (人数) and one adult answers per household: the weighting needs each household's number of eligible adults, a question the round's questionnaire does not have (such as 家中年满18周岁的常住人数); name it, or import counts of households (户数)", pop)})
	}
	return "", apperr.WithFields("which question counts the household's adults?", map[string]string{"adults": "name one of " + strings.Join(found, ", ")})
}

// withinHousehold multiplies each respondent's weight by the number of
// eligible adults of their household, the inverse of their chance of being
// the one interviewed (Kish selection within the household; Lumley §7.1):
// the household weight becomes a person weight. A respondent without the
// answer, or with 0, is an error listing them.
func withinHousehold(code string, def *questionnaire.Definition, rs []respondent) error {
	var bad []string
	n := 0
	for i := range rs {
		r := &rs[i]
		a, ok := r.answers[code]
		if !ok || a.Kind != questionnaire.AnswerNumber || a.Number < 1 {
			n++
			if len(bad) < 10 {
				bad = append(bad, fmt.Sprintf("response %d", r.responseID))
			}
			continue
		}
		r.hhFactor = float64(a.Number)
		r.w *= r.hhFactor
	}
	if n > 0 {
		return apperr.New(apperr.Invalid, "%d responses have no number of adults (%s, at least 1) to weight their household's adults by: %s; impute it (missing %s=hotdeck) or calibrate to counts of households",
			n, code, strings.Join(bad, ", "), code)
	}
	return nil
}
