package questionnaire_test

import (
	"bytes"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

// shipped loads every questionnaire in surveys.FS.
func shipped(t testing.TB) map[string]*questionnaire.Definition {
	t.Helper()
	names, err := fs.Glob(surveys.FS, "*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no shipped questionnaires: %v", err)
	}
	defs := map[string]*questionnaire.Definition{}
	for _, name := range names {
		d, err := questionnaire.Load(surveys.FS, name)
		if err != nil {
			t.Fatalf("%s:\n%v", name, err)
		}
		if name != d.ID+".yaml" {
			t.Errorf("%s holds id %q; name the file after the id", name, d.ID)
		}
		defs[d.ID] = d
	}
	return defs
}

func TestShippedQuestionnairesValidate(t *testing.T) {
	defs := shipped(t)
	for _, id := range []string{"wenming-household", "window-service"} {
		if defs[id] == nil {
			t.Errorf("%s is not shipped", id)
		}
	}
	roles := map[questionnaire.Role]string{}
	for _, ind := range defs["wenming-household"].Indicators {
		if ind.Role != "" {
			roles[ind.Role] = ind.ID
		}
		if ind.Scale() == "" {
			t.Errorf("indicator %s has no scale after Check", ind.ID)
		}
	}
	for _, r := range []questionnaire.Role{questionnaire.RoleAwareness, questionnaire.RoleSupport, questionnaire.RoleParticipation, questionnaire.RoleSatisfaction} {
		if roles[r] == "" {
			t.Errorf("wenming-household has no %s rate", r)
		}
	}
	if defs["wenming-household"].Composite == nil {
		t.Error("wenming-household has no composite index")
	}
	ws := defs["window-service"]
	if ind := ws.Indicator("score_overall"); ind == nil || ind.Target == nil || *ind.Target != 85 || ind.Scale() != questionnaire.ScalePoints {
		t.Errorf("window-service score_overall = %+v, want a points score with target 85", ind)
	}
}

func TestCanonicalJSONRoundTrip(t *testing.T) {
	for id, d := range shipped(t) {
		canon, err := d.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := questionnaire.ParseJSON(id+".json", canon)
		if err != nil {
			t.Fatalf("%s: canonical JSON does not parse:\n%v", id, err)
		}
		again, _ := back.CanonicalJSON()
		if !bytes.Equal(canon, again) {
			t.Errorf("%s: canonical JSON changes on a round trip", id)
		}
		h1, _ := d.ContentHash()
		h2, _ := back.ContentHash()
		if h1 != h2 || len(h1) != 64 {
			t.Errorf("%s: hash %q after round trip %q", id, h1, h2)
		}
		// Built-in options are spelled out for the tablet.
		if !bytes.Contains(canon, []byte(`"非常满意"`)) && id == "wenming-household" {
			t.Errorf("%s: canonical JSON lacks the built-in satisfaction options", id)
		}
	}
}

func TestContentHashIgnoresLayout(t *testing.T) {
	a := `# comment
id: h
title: {zh-CN: 标题, en: Title}
sections:
  - id: s
    title: {zh-CN: 部分, en: Part}
    questions:
      - {code: Q1, type: satisfaction, label: {zh-CN: 满意吗, en: Satisfied}}
      - {code: Q2, type: text, label: {zh-CN: 意见, en: Comments}}
indicators:
  - {id: sat, kind: rate, label: {zh-CN: 满意率, en: Satisfaction}, question: Q1, positive: [1, 2], dont_know: excluded}
`
	// Same content: other key order, flow/block style, defaults written out.
	b := `{"sections": [{"questions": [
  {"label": {"en": "Satisfied", "zh-CN": "满意吗"}, "type": "satisfaction", "code": "Q1", "required": false},
  {"code": "Q2", "max_length": 200, "type": "text", "label": {"zh-CN": "意见", "en": "Comments"}}],
  "title": {"en": "Part", "zh-CN": "部分"}, "id": "s"}],
 "languages": ["zh-CN", "en"],
 "indicators": [{"refused": "excluded", "dont_know": "excluded", "positive": [1, 2], "question": "Q1", "kind": "rate", "id": "sat",
                 "label": {"en": "Satisfaction", "zh-CN": "满意率"}}],
 "title": {"en": "Title", "zh-CN": "标题"}, "id": "h"}`
	c := strings.Replace(a, "positive: [1, 2]", "positive: [1]", 1)
	hash := func(src string) string {
		t.Helper()
		d, err := questionnaire.Parse("h", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.ContentHash()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if ha, hb := hash(a), hash(b); ha != hb {
		t.Errorf("equal definitions hash differently: %s vs %s", ha, hb)
	}
	if hash(a) == hash(c) {
		t.Error("different definitions hash the same")
	}
}

func TestParseJSONRejectsYAML(t *testing.T) {
	data, err := fs.ReadFile(surveys.FS, "window-service.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := questionnaire.ParseJSON("w.yaml", data); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("ParseJSON(YAML) = %v, want a not-valid-JSON problem", err)
	}
}

func TestQuestionsInOrder(t *testing.T) {
	d := shipped(t)["wenming-household"]
	var codes []string
	for _, q := range d.Questions() {
		codes = append(codes, q.Code)
	}
	want := []string{"S1", "S2", "A1", "A2", "B1", "C1", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "E1", "E2", "E3", "E5", "E4"}
	if !slices.Equal(codes, want) {
		t.Errorf("questions = %v, want %v", codes, want)
	}
	if q := d.Question("D3"); q == nil || len(q.Options) != 7 || q.Option(9).Special != questionnaire.SpecialRefused {
		t.Errorf("D3 should carry the built-in 7-option satisfaction scale, got %+v", q)
	}
}

func TestParseJSONSyntaxErrorPosition(t *testing.T) {
	_, err := questionnaire.ParseJSON("x.json", []byte("{\n  \"id\": \"x\",\n  \"title\": {\"en\": \"a\"}}\n  oops"))
	var probs questionnaire.Problems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Line != 4 {
		t.Fatalf("err = %v, want one problem on line 4", err)
	}
}
