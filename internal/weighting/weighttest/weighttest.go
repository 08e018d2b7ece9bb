// Package weighttest builds a district in the field for the weighting tests:
// the fieldtest district with a questionnaire that asks sex (E1) and age
// group (E2), fieldwork with a fixed pattern of outcomes and answers drawn
// with a fixed seed, and the population of the district by street, sex and
// age group.
package weighttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// Definition is the fieldtest questionnaire with two demographic
// questions to calibrate on, sex (E1) and age group (E2), and the number
// of adults in the household (E5), the within-household factor.
var Definition = strings.Replace(strings.Replace(fieldtest.Definition, "id: field\n", "id: weigh\n", 1), "indicators:\n", `      - code: E1
        type: single_choice
        required: false
        label: {zh-CN: 性别, en: Sex}
        options:
          - {code: 1, label: {zh-CN: 男, en: Male}}
          - {code: 2, label: {zh-CN: 女, en: Female}}
      - code: E2
        type: single_choice
        required: false
        label: {zh-CN: 请问您的年龄是, en: Age}
        options:
          - {code: 1, label: {zh-CN: 18—39岁, en: 18–39}}
          - {code: 2, label: {zh-CN: 40—59岁, en: 40–59}}
          - {code: 3, label: {zh-CN: 60岁及以上, en: 60+}}
          - {code: 9, label: {zh-CN: 拒答, en: Refused}, special: refused}
      - code: E5
        type: integer
        required: false
        min: 1
        max: 20
        label: {zh-CN: 家中年满18周岁的常住人数, en: Adults living in the household}
indicators:
`, 1)

// Size is the district of the weighting tests: 2 streets, 5 sampled
// communities of 12 households each (120 assignments, 10 PSUs: enough
// degrees of freedom for a regression on four items).
var Size = fieldtest.Size{Streets: 2, CommunitiesPerStreet: 6, Households: 30, SampleCommunities: 5, PerCommunity: 12, Reserves: 2}

// Outcome is what fieldwork found at the k-th assignment of a street: a
// fixed pattern, so that the non-response factors can be worked out by
// hand (see TestNonresponseFactors).
func Outcome(street, k int) string {
	switch {
	case k%10 == 3:
		return "refused"
	case k%10 == 6 && street == 1:
		return "not_eligible_vacant"
	case k%10 == 6 && street == 2:
		return "screened_out" // an interview that ends at the screening question: not eligible
	case k%10 == 8:
		return "pending" // never visited: unknown eligibility
	case k%10 == 9 && street == 2:
		return "no_one_home" // one attempt, not final: unknown eligibility
	}
	return "interview"
}

// New builds the district with a started round on the weigh
// questionnaire and fieldwork following outcome; answers are drawn with a
// fixed seed, sex and age group cycle so that every cell has respondents.
func New(t testing.TB, db *store.DB) *fieldtest.Field {
	return NewWith(t, db, Options{})
}

// Options vary the round New builds.
type Options struct {
	// RefuseAge, when it holds for the k-th assignment of a street that
	// is interviewed, has the respondent refuse the age group (E2 = 9,
	// 拒答), a calibration variable; the answers drawn are otherwise the
	// same.
	RefuseAge func(street, k int) bool
}

// RefusesAge is the pattern of the tests of refused calibration answers:
// three respondents of each street (k = 4, 24, 44).
func RefusesAge(street, k int) bool { return k%20 == 4 }

// NewWith is New with options.
func NewWith(t testing.TB, db *store.DB, opts Options) *fieldtest.Field {
	t.Helper()
	ctx := context.Background()
	f := fieldtest.Prepare(t, db, Size)
	if _, err := survey.Import(ctx, db, "weigh.yaml", []byte(Definition), store.System); err != nil {
		t.Fatalf("weigh questionnaire: %v", err)
	}
	if _, err := survey.Publish(ctx, db, "weigh", store.System); err != nil {
		t.Fatal(err)
	}
	admin := f.Caller("admin")
	r, err := f.Service.Create(ctx, admin, rounds.CreateSpec{Name: "weighting", Questionnaire: "weigh", Sample: "fieldtest", Kind: "mock"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Round, err = f.Service.SetState(ctx, admin, r.ID, "start"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(13, 2026))
	start := time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)
	n := 0
	for s := 1; s <= Size.Streets; s++ {
		f.AssignStreet(t, s)
		who := fmt.Sprintf("int%da", s)
		as, err := f.Service.Assignments(ctx, f.Caller(who), f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for k, a := range as {
			n++
			id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
			switch o := Outcome(s, k); o {
			case "pending":
			case "screened_out":
				end := start.Add(2 * time.Minute)
				if _, err := f.Service.Submit(ctx, f.Caller(who), rounds.ResponseRequest{ClientID: id, AssignmentID: a.ID,
					QuestionnaireVersion: 1, Answers: json.RawMessage(`{"S1":2}`), StartedAt: &start, CompletedAt: &end}); err != nil {
					t.Fatalf("submit a screened-out interview: %v", err)
				}
			case "interview":
				e1, e2 := 1+k%2, 1+(k/2)%3
				p := 0.55 + 0.1*float64(e2) - 0.1*float64(s)
				yes := func(q float64) int {
					if rng.Float64() < q {
						return 1
					}
					return 2
				}
				sat := func(q float64) int {
					if rng.Float64() < q {
						return 1 + rng.IntN(2)
					}
					return 3 + rng.IntN(3)
				}
				var b strings.Builder
				fmt.Fprintf(&b, `{"S1":1,"A1":%d,`, yes(p+0.15))
				if strings.Contains(b.String(), `"A1":1`) {
					b.WriteString(`"A2":1,`)
				}
				fmt.Fprintf(&b, `"B1":%d,"Q1":%d,"Q2":%d,"Q3":%d,"Q4":%d,"E1":%d,"E2":%d,"E5":%d}`,
					yes(p+0.2), sat(p), sat(p-0.1), sat(p-0.2), sat(p+0.05), e1, answeredAge(opts, s, k, e2), Adults(k))
				end := start.Add(20 * time.Minute)
				if _, err := f.Service.Submit(ctx, f.Caller(who), rounds.ResponseRequest{ClientID: id, AssignmentID: a.ID,
					QuestionnaireVersion: 1, Answers: json.RawMessage(b.String()), StartedAt: &start, CompletedAt: &end}); err != nil {
					t.Fatalf("submit %s: %v", b.String(), err)
				}
			default:
				if _, err := f.Service.RecordVisit(ctx, f.Caller(who), rounds.VisitRequest{ClientID: id, AssignmentID: a.ID, AttemptedAt: start, Outcome: o}); err != nil {
					t.Fatalf("visit %s: %v", o, err)
				}
			}
		}
	}
	return f
}

func answeredAge(o Options, street, k, e2 int) int {
	if o.RefuseAge != nil && o.RefuseAge(street, k) {
		return 9
	}
	return e2
}

// Adults is the number of adults of the household of the k-th assignment
// of a street (question E5): 1, 2 or 3.
func Adults(k int) int { return 1 + (k/6)%3 }

// PopulationCSV is the population of the weigh district by street, sex
// and age group: adults (persons), about as many as the district's
// households hold (360 households of some 2 adults each), in cells of
// unequal size, so that calibration factors spread around 1.
func PopulationCSV() string {
	var b strings.Builder
	b.WriteString("街道,性别,年龄组,人数\n")
	for s := 1; s <= 2; s++ {
		for e1, sex := range []string{"男", "女"} {
			for e2, age := range []string{"18—39岁", "40—59岁", "60岁及以上"} {
				fmt.Fprintf(&b, "街道%d,%s,%s,%d\n", s, sex, age, PopulationCount(s, e1, e2))
			}
		}
	}
	return b.String()
}

// PopulationCount is PopulationCSV's count of street s (1, 2), sex e1 (0
// men, 1 women) and age group e2 (0, 1, 2).
func PopulationCount(s, e1, e2 int) int { return 25 + 18*e2 + 7*e1 + 5*s + 5*e1*e2 }
