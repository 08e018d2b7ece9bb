package survey_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/surveys"
)

func shipped(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(surveys.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportPublishGet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := shipped(t, "wenming-household.yaml")
		draft, err := survey.Import(ctx, db, "wenming-household.yaml", src, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if draft.Slug != "wenming-household" || draft.Status != store.VersionDraft || draft.Source != string(src) || len(draft.ContentHash) != 64 {
			t.Fatalf("draft = %+v", draft)
		}
		v, d, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Draft: true})
		if err != nil || v.ID != draft.ID || d.ID != "wenming-household" || len(d.Questions()) != 19 {
			t.Fatalf("Get draft = %+v, %v", v, err)
		}
		if h, _ := d.ContentHash(); h != draft.ContentHash {
			t.Fatalf("hash of the stored definition %s, stored hash %s", h, draft.ContentHash)
		}

		v1, err := survey.Publish(ctx, db, "wenming-household", store.CLI)
		if err != nil || v1.Version != 1 {
			t.Fatalf("publish = %+v, %v", v1, err)
		}
		if _, err := survey.Publish(ctx, db, "wenming-household", store.CLI); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("publish again: %v", err)
		}
		if _, err := survey.Publish(ctx, db, "nope", store.CLI); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("publish unknown: %v", err)
		}

		// The same content as canonical JSON is the same version.
		canonical, err := d.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		_, err = survey.Import(ctx, db, "wenming-household.json", canonical, store.CLI)
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "identical to published version 1") {
			t.Fatalf("identical import: %v", err)
		}

		changed := strings.Replace(string(src), "target: 0.90", "target: 0.95", 1)
		if _, err := survey.Import(ctx, db, "wenming-household.yaml", []byte(changed), store.CLI); err != nil {
			t.Fatal(err)
		}
		v2, err := survey.Publish(ctx, db, "wenming-household", store.CLI)
		if err != nil || v2.Version != 2 || v2.ContentHash == v1.ContentHash {
			t.Fatalf("second publish = %+v, %v", v2, err)
		}
		latest, dl, err := survey.Get(ctx, db, "wenming-household", survey.Latest)
		if err != nil || latest.Version != 2 || *dl.Indicator("awareness").Target != 0.95 {
			t.Fatalf("latest = %+v, %v", latest, err)
		}
		old, d1, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Version: 1})
		if err != nil || old.ContentHash != v1.ContentHash || *d1.Indicator("awareness").Target != 0.90 {
			t.Fatalf("version 1 = %+v, %v", old, err)
		}

		q, vs, err := survey.Versions(ctx, db, "wenming-household")
		if err != nil || q.Latest != 2 || len(vs) != 2 {
			t.Fatalf("versions = %+v %+v, %v", q, vs, err)
		}
		list, err := survey.List(ctx, db)
		if err != nil || len(list) != 1 || list[0].Title["zh-CN"] != "创建省级文明县城入户调查问卷" {
			t.Fatalf("list = %+v, %v", list, err)
		}
	})
}

func TestImportProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		broken := "id: broken\ntitle: {zh-CN: 坏, en: Broken}\nsections:\n  - id: s\n    title: {zh-CN: 部分, en: Part}\n" +
			"    questions:\n      - code: A1\n        type: yes_no\n        label: {zh-CN: 问题}\n"
		_, err := survey.Import(ctx, db, "broken.yaml", []byte(broken), store.CLI)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("broken import: %v", err)
		}
		pl, ok := apperr.DetailsOf(err).(survey.ProblemList)
		if !ok || pl.Total == 0 || len(pl.Problems) != pl.Total {
			t.Fatalf("details = %#v", apperr.DetailsOf(err))
		}
		p := pl.Problems[0]
		if p.File != "broken.yaml" || p.Line != 9 || p.Column == 0 || !strings.Contains(p.Message, "en") {
			t.Fatalf("problem = %+v", p)
		}
		if list, err := survey.List(ctx, db); err != nil || len(list) != 0 {
			t.Fatalf("a broken definition was stored: %+v, %v", list, err)
		}

		_, err = survey.Import(ctx, db, "broken.json", []byte("{\n  \"id\": \"x\",\n  oops\n}"), store.CLI)
		pl, _ = apperr.DetailsOf(err).(survey.ProblemList)
		if !apperr.Is(err, apperr.Invalid) || len(pl.Problems) != 1 || pl.Problems[0].Line != 3 {
			t.Fatalf("bad JSON: %v %+v", err, pl)
		}
		_, err = survey.Import(ctx, db, "binary.yaml", []byte("id: x\x00\xff"), store.CLI) // file:line:col of the NUL
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "binary.yaml:1:6: the line contains a control character") {
			t.Fatalf("binary: %v", err)
		}
	})
}

func TestEnsureShipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// An earlier start stopped after importing window-service: its
		// draft is finished; wenming-household is installed anew.
		if _, err := survey.Import(ctx, db, "w.yaml", shipped(t, "window-service.yaml"), store.CLI); err != nil {
			t.Fatal(err)
		}
		got, err := survey.EnsureShipped(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Slug != "wenming-household" || got[1].Slug != "window-service" || got[0].Version != 1 || got[1].Version != 1 {
			t.Fatalf("first EnsureShipped = %+v", got)
		}
		// A changed draft of a shipped questionnaire is the office's
		// business: later starts leave everything alone.
		changed := strings.Replace(string(shipped(t, "window-service.yaml")), "target: 85", "target: 90", 1)
		if _, err := survey.Import(ctx, db, "w.yaml", []byte(changed), store.CLI); err != nil {
			t.Fatal(err)
		}
		got, err = survey.EnsureShipped(ctx, db)
		if err != nil || len(got) != 0 {
			t.Fatalf("second EnsureShipped = %+v, %v", got, err)
		}
		list, _ := survey.List(ctx, db)
		if len(list) != 2 || list[1].Latest != 1 || !list[1].HasDraft {
			t.Fatalf("list = %+v", list)
		}
	})
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want survey.Ref
		err  bool
	}{
		{"", survey.Latest, false},
		{"latest", survey.Latest, false},
		{"draft", survey.Ref{Draft: true}, false},
		{"DRAFT", survey.Ref{Draft: true}, false},
		{"3", survey.Ref{Version: 3}, false},
		{"v2", survey.Ref{Version: 2}, false},
		{"0", survey.Ref{}, true},
		{"-1", survey.Ref{}, true},
		{"newest", survey.Ref{}, true},
	}
	for _, tt := range tests {
		got, err := survey.ParseRef(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseRef(%q) = %+v, %v", tt.in, got, err)
		}
		if err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseRef(%q): kind %v", tt.in, apperr.KindOf(err))
		}
		if err == nil {
			if back, _ := survey.ParseRef(got.String()); back != got {
				t.Errorf("ParseRef(%q).String() = %q does not read back", tt.in, got.String())
			}
		}
	}
}

const rulesYAML = `id: rules
title: {zh-CN: 规则, en: Rules}
sections:
  - id: s
    title: {zh-CN: 甄别, en: Screening}
    questions:
      - code: S1
        type: yes_no
        label: {zh-CN: 成年？, en: "Adult?"}
        end_if: {when: {equals: {question: S1, value: 2}}, disposition: not_eligible}
      - code: A1
        type: multiple_choice
        label: {zh-CN: 渠道, en: Channels}
        options:
          - {code: 1, label: {zh-CN: 电视, en: TV}}
          - {code: 2, label: {zh-CN: 网络, en: Web}}
      - code: E3
        type: integer
        min: 0
        max: 120
        label: {zh-CN: 年龄, en: Age}
  - id: t
    title: {zh-CN: 后续, en: Follow-up}
    show_if: {any: [{in: {question: A1, values: [1, 2]}}, {answered: E3}]}
    questions:
      - code: B1
        type: satisfaction
        label: {zh-CN: 满意吗, en: "Satisfied?"}
        show_if:
          all:
            - equals: {question: S1, value: 1}
            - not: {between: {question: E3, min: 18, max: 65}}
            - any: [{equals: {question: A1, value: 2}}, {answered: E3}]
indicators:
  - {id: sat, kind: rate, label: {zh-CN: 满意率, en: Satisfaction}, question: B1, positive: [1, 2], dont_know: excluded, target: 0.85}
  - {id: score, kind: score, label: {zh-CN: 得分, en: Score}, question: B1, scores: {1: 100, 2: 80, 3: 60, 4: 40, 5: 20}, dont_know: excluded, target: 85}
`

func TestDescribe(t *testing.T) {
	d, err := questionnaire.Parse("rules.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	s1, b1 := d.Question("S1"), d.Question("B1")
	tests := []struct {
		name, lang, got, want string
	}{
		{"end en", "en", survey.DescribeEnd(d, s1.EndIf, "en"), "ends the interview (not eligible) if S1 = 2 (No)"},
		{"end zh", "zh-CN", survey.DescribeEnd(d, s1.EndIf, "zh-CN"), "若 S1 = 2（否），结束访问（不符合调查条件）"},
		{"show en", "en", survey.DescribeShowIf(d, b1.ShowIf, "en"),
			"shown if S1 = 1 (Yes) and not (E3 between 18 and 65) and (A1 includes 2 (Web) or E3 answered)"},
		{"show zh", "zh-CN", survey.DescribeShowIf(d, b1.ShowIf, "zh-CN"),
			"仅当 S1 = 1（是） 且 非（E3 在 18 至 65 之间） 且 （A1 含 2（网络） 或 E3 已回答） 时显示"},
		{"section en", "en", survey.DescribeSectionShowIf(d, d.Sections[1].ShowIf, "en"),
			"section shown if A1 includes any of 1 (TV), 2 (Web) or E3 answered"},
		{"none", "en", survey.DescribeShowIf(d, s1.ShowIf, "en"), ""},
		{"unknown language falls back to zh-CN", "fr", survey.DescribeEnd(d, s1.EndIf, "fr"), "若 S1 = 2（否），结束访问（不符合调查条件）"},
		{"rate target", "", survey.TargetText(d.Indicator("sat")), "85%"},
		{"score target", "", survey.TargetText(d.Indicator("score")), "85"},
		{"codes", "en", survey.CodesText(d, "B1", []int{1, 2}, "en"), "1 (Very satisfied), 2 (Satisfied)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	w, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := survey.TargetText(w.Indicator("awareness")); got != "90%" {
		t.Errorf("target 0.90 = %q, want 90%%", got)
	}
	if got := survey.CompositeTargetText(w); got != "85%" {
		t.Errorf("composite target = %q, want 85%%", got)
	}
}
