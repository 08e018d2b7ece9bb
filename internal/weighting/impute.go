package weighting

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// Imputation is a calibration answer the weighting put in place of a
// missing or refused one, recorded with the response (responses.imputed,
// JSON: question code → Imputation) and shown in the exports.
type Imputation struct {
	// Code is the category calibration used.
	Code int `json:"code"`
	// Method is "collapse" (the "not stated" category merged with a
	// neighbouring one, Code) or "hotdeck" (the answer of a donor drawn at
	// random among the respondents of the same class who gave one).
	Method string `json:"method"`
	// Donor is the response whose answer a hot deck took.
	Donor int64 `json:"donor,omitempty"`
}

// ParseImputed reads a response's stored imputations ("" for none).
func ParseImputed(s string) (map[string]Imputation, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]Imputation
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored imputations")
	}
	return m, nil
}

// DescribeImputed says in words what was imputed, question by question:
// "E2=6 (not stated, collapsed); E5=2 (hot deck, response 17)".
func DescribeImputed(m map[string]Imputation) string {
	qs := make([]string, 0, len(m))
	for q := range m {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	parts := make([]string, len(qs))
	for i, q := range qs {
		im := m[q]
		switch im.Method {
		case MissingHotDeck:
			parts[i] = fmt.Sprintf("%s=%d (hot deck, response %d)", q, im.Code, im.Donor)
		default:
			parts[i] = fmt.Sprintf("%s=%d (not stated, collapsed)", q, im.Code)
		}
	}
	return strings.Join(parts, "; ")
}

// The remedies for a missing or refused calibration answer.
const (
	MissingCollapse = "collapse"
	MissingHotDeck  = "hotdeck"
)

// ParseMissing reads the remedies of 'round weight --missing':
// "E2=collapse:6,E3=hotdeck" (also ';' between them).
func ParseMissing(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		q, remedy, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || q == "" || remedy == "" {
			return nil, apperr.WithFields("invalid remedy for missing answers", map[string]string{"missing": "QUESTION=hotdeck or QUESTION=collapse:CODE, e.g. E2=collapse:6"})
		}
		out[strings.TrimSpace(q)] = strings.TrimSpace(remedy)
	}
	return out, nil
}

// remedy is one variable's remedy, parsed.
type remedy struct {
	method string // MissingCollapse or MissingHotDeck
	code   int    // collapse: the category a not-stated answer joins
}

func parseRemedy(s string) (remedy, bool) {
	if s == MissingHotDeck {
		return remedy{method: MissingHotDeck}, true
	}
	if c, ok := strings.CutPrefix(s, MissingCollapse+":"); ok {
		code, err := strconv.Atoi(c)
		return remedy{method: MissingCollapse, code: code}, err == nil
	}
	return remedy{}, false
}

// stated reports whether a is a substantive answer of q: a number and,
// for a choice, one of its options that is not refused or don't know.
func stated(q *questionnaire.Question, a questionnaire.Answer, ok bool) bool {
	if !ok || a.Kind != questionnaire.AnswerNumber {
		return false
	}
	if q.Type != questionnaire.TypeSingleChoice {
		return true
	}
	o := q.Option(a.Number)
	return o != nil && o.Special == ""
}

// ImputedCount is how many respondents had a calibration answer imputed,
// by question and method.
type ImputedCount struct {
	Question string `json:"question"`
	Method   string `json:"method"`
	N        int    `json:"n"`
}

// impute puts a category in place of every refused, don't-know or missing
// answer to a calibration variable that cfg.Missing has a remedy for, in
// the respondents' answers as calibration reads them (the stored answers
// are untouched), and records it with the respondent (responses.imputed).
//
//   - collapse:CODE counts the respondent in category CODE: the "not
//     stated" category merged with a neighbour (Kalton and Flores-Cervantes,
//     Weighting Methods, J. Off. Stat. 19 (2003) §2: collapsing cells).
//   - hotdeck takes the answer of a donor drawn at random, with equal
//     chances, among the respondents of the same street who stated one and
//     share the recipient's stated categories of the other calibration
//     variables (a random hot deck within adjustment cells: Andridge and
//     Little, Int. Stat. Rev. 78 (2010) 40–64); failing any, among the
//     street's. Donors give only answers they stated. The draws follow
//     seed and the respondents' order, so a rerun draws the same donors.
//
// vars are the calibration variables (street among them or not).
func impute(missing map[string]string, vars []string, def *questionnaire.Definition, rs []respondent, seed uint64) ([]ImputedCount, error) {
	if len(missing) == 0 {
		return nil, nil
	}
	qs := make([]string, 0, len(missing))
	for q := range missing {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	fields := map[string]string{}
	rem := map[string]remedy{}
	for _, code := range qs {
		q := def.Question(code)
		r, ok := parseRemedy(missing[code])
		switch {
		case !slices.Contains(vars, code) || q == nil:
			fields["missing"] = fmt.Sprintf("%s is not a calibration variable of these settings (%s)", code, strings.Join(vars, ", "))
		case !ok:
			fields["missing"] = fmt.Sprintf("%s: hotdeck or collapse:CODE", code)
		case r.method == MissingCollapse && (q.Option(r.code) == nil || q.Option(r.code).Special != ""):
			fields["missing"] = fmt.Sprintf("%s: collapse into one of its substantive categories, not %d", code, r.code)
		}
		rem[code] = r
	}
	if len(fields) > 0 {
		return nil, apperr.WithFields("invalid remedy for missing answers", fields)
	}
	others := func(v string) []string {
		var out []string
		for _, x := range vars {
			if x != v && x != Street {
				out = append(out, x)
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(seed, 0x686f74)) // "hot"
	done := make([]map[string]Imputation, len(rs))
	var counts []ImputedCount
	for _, v := range qs {
		q, r := def.Question(v), rem[v]
		count := ImputedCount{Question: v, Method: r.method}
		for i := range rs {
			a, ok := rs[i].answers[v]
			if stated(q, a, ok) {
				continue
			}
			im := Imputation{Code: r.code, Method: r.method}
			if r.method == MissingHotDeck {
				donor, err := drawDonor(rng, def, v, others(v), rs, i)
				if err != nil {
					return nil, err
				}
				im.Code, im.Donor = rs[donor].answers[v].Number, rs[donor].responseID
			}
			if done[i] == nil {
				done[i] = map[string]Imputation{}
			}
			done[i][v] = im
			count.N++
		}
		// Set only now: a donor gives what it stated, never an imputation.
		for i := range rs {
			if im, ok := done[i][v]; ok {
				rs[i].answers[v] = questionnaire.CodeAnswer(im.Code)
			}
		}
		counts = append(counts, count)
	}
	for i, m := range done {
		if m != nil {
			b, err := json.Marshal(m)
			if err != nil {
				return nil, apperr.Wrap(apperr.Internal, err, "imputations")
			}
			rs[i].imputed = string(b)
		}
	}
	return counts, nil
}

// drawDonor draws the donor of rs[i]'s answer to v: a respondent of the
// same street who stated v and agrees with rs[i] on every other variable
// rs[i] stated; failing any, one of the same street who stated v.
func drawDonor(rng *rand.Rand, def *questionnaire.Definition, v string, others []string, rs []respondent, i int) (int, error) {
	q := def.Question(v)
	var cell, street []int
	for j := range rs {
		if j == i || rs[j].street != rs[i].street {
			continue
		}
		if a, ok := rs[j].answers[v]; !stated(q, a, ok) {
			continue
		}
		street = append(street, j)
		same := true
		for _, o := range others {
			oq := def.Question(o)
			a, ok := rs[i].answers[o]
			if oq == nil || !stated(oq, a, ok) {
				continue
			}
			if b := rs[j].answers[o]; b.Kind != a.Kind || b.Number != a.Number {
				same = false
				break
			}
		}
		if same {
			cell = append(cell, j)
		}
	}
	pool := cell
	if len(pool) == 0 {
		pool = street
	}
	if len(pool) == 0 {
		return 0, apperr.New(apperr.Invalid, "response %d: no respondent of its street stated %s to lend it an answer (hot deck); collapse the category instead", rs[i].responseID, v)
	}
	return pool[rng.IntN(len(pool))], nil
}
