// Package fieldtest builds a small district in the field for tests and
// benchmarks of fieldwork: a frame of two streets, a two-stage sample with
// reserves, a published questionnaire with skip logic, an end rule and
// satisfaction items, accounts of every role, and a started round. It goes
// through the same functions as the CLI and the API (frame import, draw,
// questionnaire import and publish, round create and start).
package fieldtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// Definition is the fixture's questionnaire: a screening question that
// ends the interview as not eligible, awareness with a follow-up shown only
// to those aware, support, and four satisfaction items with an overall
// satisfaction rate as their mean.
const Definition = `id: field
title: {zh-CN: 入户调查, en: Household survey}
sections:
  - id: s
    title: {zh-CN: 问题, en: Questions}
    questions:
      - code: S1
        type: yes_no
        required: true
        label: {zh-CN: 您是否在本地居住满6个月, en: Lived here 6 months}
        end_if:
          when: {equals: {question: S1, value: 2}}
          disposition: not_eligible
      - {code: A1, type: yes_no, required: true, label: {zh-CN: 您是否知道创城, en: Aware}}
      - code: A2
        type: single_choice
        required: true
        show_if: {equals: {question: A1, value: 1}}
        label: {zh-CN: 从哪里知道, en: From where}
        options:
          - {code: 1, label: {zh-CN: 电视, en: TV}}
          - {code: 2, label: {zh-CN: 社区, en: Community}}
      - {code: B1, type: yes_no, required: true, label: {zh-CN: 您是否支持, en: Support}}
      - {code: Q1, type: satisfaction, required: true, label: {zh-CN: 环境卫生, en: Sanitation}}
      - {code: Q2, type: satisfaction, required: true, label: {zh-CN: 交通秩序, en: Traffic}}
      - {code: Q3, type: satisfaction, required: true, label: {zh-CN: 农贸市场, en: Markets}}
      - {code: Q4, type: satisfaction, required: true, label: {zh-CN: 公共设施, en: Facilities}}
indicators:
  - {id: aware, kind: rate, role: awareness, question: A1, positive: [1], dont_know: negative, target: 0.9, label: {zh-CN: 知晓率, en: Awareness}}
  - {id: support, kind: rate, role: support, question: B1, positive: [1], dont_know: negative, label: {zh-CN: 支持率, en: Support}}
  - {id: q1, kind: rate, question: Q1, positive: [1, 2], dont_know: negative, label: {zh-CN: 环境卫生满意率, en: Sanitation}}
  - {id: q2, kind: rate, question: Q2, positive: [1, 2], dont_know: negative, label: {zh-CN: 交通秩序满意率, en: Traffic}}
  - {id: q3, kind: rate, question: Q3, positive: [1, 2], dont_know: negative, label: {zh-CN: 农贸市场满意率, en: Markets}}
  - {id: q4, kind: rate, question: Q4, positive: [1, 2], dont_know: negative, label: {zh-CN: 公共设施满意率, en: Facilities}}
  - {id: satisfied, kind: mean, role: satisfaction, of: [q1, q2, q3, q4], target: 0.85, label: {zh-CN: 满意率, en: Satisfaction}}
`

// Indicators is the number of indicators of Definition: the value rows
// of every accepted response.
const Indicators = 7

// Password is every fixture account's password.
const Password = "fieldtest-password"

// Size shapes the district: streets, communities per street, households
// per community; the sample takes PerCommunity households in Communities
// communities of each street, with Reserves reserves each.
type Size struct {
	Streets, CommunitiesPerStreet, Households int
	SampleCommunities, PerCommunity, Reserves int
	// Rule is the round's rule as JSON ("" for the defaults).
	Rule string
	// Zone is the district's time zone (serve --timezone), the zone of a
	// rule that names none ("": fieldwork.DefaultTimeZone).
	Zone string
}

// Small is the district of most tests: 2 streets × 3 communities × 12
// households; 2 communities of 3 households per street (12 assignments),
// 3 reserves each.
var Small = Size{Streets: 2, CommunitiesPerStreet: 3, Households: 12, SampleCommunities: 2, PerCommunity: 3, Reserves: 3}

// Field is a started round with its people.
type Field struct {
	DB      *store.DB
	Service *rounds.Service
	Round   store.RoundInfo
	Streets []store.Street        // 街道1, 街道2, …
	Users   map[string]store.User // admin, analyst, sup1, sup2, int1a, int1b, int2a (intSa: street S)
}

// Caller returns the fieldwork caller of a fixture account.
func (f *Field) Caller(username string) rounds.Caller {
	u := f.Users[username]
	return rounds.Caller{User: u, Actor: store.Actor{UserID: u.ID, Via: "test"}}
}

// New builds the district on db (Prepare) and creates and starts its
// round.
func New(t testing.TB, db *store.DB, sz Size) *Field {
	t.Helper()
	f := Prepare(t, db, sz)
	spec := rounds.CreateSpec{Name: "2026Q4 模拟入户", Questionnaire: "field", Sample: "fieldtest", Kind: "mock"}
	if sz.Rule != "" {
		spec.Rule = []byte(sz.Rule)
	}
	ctx := context.Background()
	admin := f.Caller("admin")
	r, err := f.Service.Create(ctx, admin, spec)
	if err != nil {
		t.Fatalf("fieldtest round: %v", err)
	}
	if f.Round, err = f.Service.SetState(ctx, admin, r.ID, "start"); err != nil {
		t.Fatalf("fieldtest start: %v", err)
	}
	return f
}

// Prepare builds the district on db without a round: the frame, the
// sample "fieldtest", the published questionnaire "field" and the
// accounts. Street s (1-based) has supervisor "sup<s>" and interviewers
// "int<s>a", "int<s>b".
func Prepare(t testing.TB, db *store.DB, sz Size) *Field {
	t.Helper()
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("街道,社区,楼栋,门牌号\n")
	for s := 1; s <= sz.Streets; s++ {
		for c := 1; c <= sz.CommunitiesPerStreet; c++ {
			for h := 1; h <= sz.Households; h++ {
				fmt.Fprintf(&csv, "街道%d,社区%d-%d,%d栋,%d单元%d\n", s, s, c, 1+h%5, 1+h%3, 100+h)
			}
		}
	}
	if _, err := frameload.Import(ctx, db, strings.NewReader(csv.String()), "fieldtest.csv", frame.Options{}, store.System); err != nil {
		t.Fatalf("fieldtest frame: %v", err)
	}
	_, err := draw.Draw(ctx, db, draw.Spec{
		Name: "fieldtest", Design: "two-stage", N: sz.Streets * sz.SampleCommunities * sz.PerCommunity,
		Allocation: "equal", PerCommunity: sz.PerCommunity, Reserves: sz.Reserves, Seed: 7,
	}, store.System)
	if err != nil {
		t.Fatalf("fieldtest sample: %v", err)
	}
	if _, err := survey.Import(ctx, db, "field.yaml", []byte(Definition), store.System); err != nil {
		t.Fatalf("fieldtest questionnaire: %v", err)
	}
	if _, err := survey.Publish(ctx, db, "field", store.System); err != nil {
		t.Fatalf("fieldtest publish: %v", err)
	}
	f := &Field{DB: db, Service: rounds.New(db), Users: map[string]store.User{}}
	f.Service.Zone = sz.Zone
	hash, err := auth.HashPassword(Password)
	if err != nil {
		t.Fatal(err)
	}
	add := func(name, role string, street *int64) {
		if _, err := db.CreateUser(ctx, store.NewUser{Username: name, DisplayName: name, Role: role, StreetID: street, PasswordHash: hash}, store.System); err != nil {
			t.Fatalf("fieldtest user %s: %v", name, err)
		}
		u, err := db.UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		f.Users[name] = u
	}
	add("admin", store.RoleAdmin, nil)
	add("analyst", store.RoleAnalyst, nil)
	for s := 1; s <= sz.Streets; s++ {
		st, err := db.StreetByName(ctx, fmt.Sprintf("街道%d", s))
		if err != nil {
			t.Fatal(err)
		}
		f.Streets = append(f.Streets, st)
		id := st.ID
		add(fmt.Sprintf("sup%d", s), store.RoleSupervisor, &id)
		add(fmt.Sprintf("int%da", s), store.RoleInterviewer, &id)
		add(fmt.Sprintf("int%db", s), store.RoleInterviewer, &id)
	}
	return f
}

// AssignStreet gives every household of street s (1-based) to the
// interviewer "int<s>a".
func (f *Field) AssignStreet(t testing.TB, s int) {
	t.Helper()
	_, err := f.Service.Assign(context.Background(), f.Caller(fmt.Sprintf("sup%d", s)), f.Round.ID,
		rounds.AssignRequest{Interviewer: fmt.Sprintf("int%da", s), StreetID: f.Streets[s-1].ID})
	if err != nil {
		t.Fatalf("assign street %d: %v", s, err)
	}
}

// Answers returns a complete, valid set of answers: aware or not (with the
// follow-up when aware), support, and the same satisfaction code for the
// four items unless varied.
func Answers(aware bool, support bool, sat [4]int) string {
	a := `{"S1":1,"A1":2,`
	if aware {
		a = `{"S1":1,"A1":1,"A2":2,`
	}
	b := 2
	if support {
		b = 1
	}
	return fmt.Sprintf(`%s"B1":%d,"Q1":%d,"Q2":%d,"Q3":%d,"Q4":%d}`, a, b, sat[0], sat[1], sat[2], sat[3])
}
