package questionnaire_test

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"testing"

	q "github.com/minyi-survey/minyi/internal/questionnaire"
)

// complete is a valid, eligible wenming-household response; tests change
// it with with.
func complete() q.Response {
	return q.Response{
		"S1": q.CodeAnswer(1), "S2": q.CodeAnswer(1),
		"A1": q.CodeAnswer(1), "A2": q.CodesAnswer(1, 3),
		"B1": q.CodeAnswer(1),
		"C1": q.CodesAnswer(1, 3),
		"D1": q.CodeAnswer(1), "D2": q.CodeAnswer(2), "D3": q.CodeAnswer(3), "D4": q.CodeAnswer(8),
		"D5": q.CodeAnswer(2), "D6": q.CodeAnswer(4), "D7": q.CodeAnswer(1), "D8": q.CodeAnswer(2),
		"E1": q.CodeAnswer(2), "E2": q.CodeAnswer(3), "E3": q.IntAnswer(12),
	}
}

// with returns complete() changed by set; an Answer{} deletes the code.
func with(set q.Response) q.Response {
	r := complete()
	for k, v := range set {
		if v.Kind == q.AnswerNone {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

func TestValidateResponse(t *testing.T) {
	d := shipped(t)["wenming-household"]
	long := make([]rune, 501)
	for i := range long {
		long[i] = '好'
	}
	tests := []struct {
		name     string
		r        q.Response
		errs     map[string]string // question → rule
		ended    bool
		eligible bool
	}{
		{"complete", complete(), nil, false, true},
		{"optional text answered", with(q.Response{"E4": q.TextAnswer("多建几个公厕")}), nil, false, true},
		{"under 18 ends the interview", q.Response{"S1": q.CodeAnswer(2)}, nil, true, false},
		{"answers after not eligible", with(q.Response{"S2": q.CodeAnswer(2)}), map[string]string{
			"A1": q.RuleAfterEnd, "A2": q.RuleAfterEnd, "B1": q.RuleAfterEnd, "C1": q.RuleAfterEnd,
			"D1": q.RuleAfterEnd, "D2": q.RuleAfterEnd, "D3": q.RuleAfterEnd, "D4": q.RuleAfterEnd,
			"D5": q.RuleAfterEnd, "D6": q.RuleAfterEnd, "D7": q.RuleAfterEnd, "D8": q.RuleAfterEnd,
			"E1": q.RuleAfterEnd, "E2": q.RuleAfterEnd, "E3": q.RuleAfterEnd,
		}, true, false},
		{"not aware skips the channels", with(q.Response{"A1": q.CodeAnswer(2), "A2": {}}), nil, false, true},
		{"channels answered though hidden", with(q.Response{"A1": q.CodeAnswer(2)}), map[string]string{"A2": q.RuleHidden}, false, true},
		{"channels required when shown", with(q.Response{"A2": {}}), map[string]string{"A2": q.RuleRequired}, false, true},
		{"none of these alone", with(q.Response{"C1": q.CodesAnswer(7)}), nil, false, true},
		{"none of these with an activity", with(q.Response{"C1": q.CodesAnswer(1, 7)}), map[string]string{"C1": q.RuleExclusive}, false, true},
		{"refused with an activity", with(q.Response{"C1": q.CodesAnswer(9, 2)}), map[string]string{"C1": q.RuleExclusive}, false, true},
		{"activity twice", with(q.Response{"C1": q.CodesAnswer(2, 2)}), map[string]string{"C1": q.RuleDuplicate}, false, true},
		{"no such activity", with(q.Response{"C1": q.CodesAnswer(8)}), map[string]string{"C1": q.RuleCode}, false, true},
		{"scale code out of range", with(q.Response{"D2": q.CodeAnswer(6)}), map[string]string{"D2": q.RuleCode}, false, true},
		{"years out of range", with(q.Response{"E3": q.IntAnswer(101)}), map[string]string{"E3": q.RuleRange}, false, true},
		{"years as text", with(q.Response{"E3": q.TextAnswer("12")}), map[string]string{"E3": q.RuleType}, false, true},
		{"one code as a list", with(q.Response{"B1": q.CodesAnswer(1)}), map[string]string{"B1": q.RuleType}, false, true},
		{"comment too long", with(q.Response{"E4": q.TextAnswer(string(long))}), map[string]string{"E4": q.RuleTooLong}, false, true},
		{"missing required", with(q.Response{"D8": {}, "E1": {}}), map[string]string{"D8": q.RuleRequired, "E1": q.RuleRequired}, false, true},
		{"unknown question", with(q.Response{"Z1": q.CodeAnswer(1)}), map[string]string{"Z1": q.RuleUnknownQuestion}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := d.ValidateResponse(tt.r)
			got := map[string]string{}
			var fe q.ResponseErrors
			if errors.As(err, &fe) {
				for _, f := range fe {
					got[f.Question] = f.Rule
					if f.Message == "" {
						t.Errorf("%s: empty message", f.Question)
					}
				}
				if len(fe.Fields()) != len(fe) {
					t.Errorf("Fields() has %d entries for %d errors", len(fe.Fields()), len(fe))
				}
			} else if err != nil {
				t.Fatalf("error %T is not ResponseErrors", err)
			}
			if !maps.Equal(got, tt.errs) && (len(got) > 0 || len(tt.errs) > 0) {
				t.Errorf("errors = %v, want %v", got, tt.errs)
			}
			if st.Ended != tt.ended || st.Eligible() != tt.eligible {
				t.Errorf("ended %v eligible %v, want %v %v", st.Ended, st.Eligible(), tt.ended, tt.eligible)
			}
		})
	}
}

func TestScore(t *testing.T) {
	d := shipped(t)["wenming-household"]
	const missing = -1.0 // marks an expected missing value
	tests := []struct {
		name string
		r    q.Response
		want map[string]float64
	}{
		{"complete", complete(), map[string]float64{
			"awareness": 1, "support": 1, "participation": 1, "satisfaction": 1,
			"sat_sanitation": 1, "sat_traffic": 1, "sat_public_order": 0, "sat_market": missing,
			"sat_facilities": 1, "sat_window": 0, "sat_community": 1,
			"satisfaction_items": 4.0 / 6, // D4 不了解 is excluded: 4 of the 6 known items
			"satisfaction_score": 80,
		}},
		{"not aware", with(q.Response{"A1": q.CodeAnswer(2), "A2": {}}), map[string]float64{"awareness": 0}},
		{"support hard to say counts negative", with(q.Response{"B1": q.CodeAnswer(8)}), map[string]float64{"support": 0}},
		{"support refused is excluded", with(q.Response{"B1": q.CodeAnswer(9)}), map[string]float64{"support": missing}},
		{"indifferent is not support", with(q.Response{"B1": q.CodeAnswer(2)}), map[string]float64{"support": 0}},
		{"no activity", with(q.Response{"C1": q.CodesAnswer(7)}), map[string]float64{"participation": 0}},
		{"any one activity", with(q.Response{"C1": q.CodesAnswer(6)}), map[string]float64{"participation": 1}},
		{"participation refused", with(q.Response{"C1": q.CodesAnswer(9)}), map[string]float64{"participation": missing}},
		{"overall don't know", with(q.Response{"D8": q.CodeAnswer(8)}), map[string]float64{"satisfaction": 0, "satisfaction_score": missing}},
		{"overall refused", with(q.Response{"D8": q.CodeAnswer(9)}), map[string]float64{"satisfaction": missing, "satisfaction_score": missing}},
		{"overall very dissatisfied", with(q.Response{"D8": q.CodeAnswer(5)}), map[string]float64{"satisfaction": 0, "satisfaction_score": 20}},
		{"all items unknown", with(q.Response{
			"D1": q.CodeAnswer(8), "D2": q.CodeAnswer(9), "D3": q.CodeAnswer(8), "D4": q.CodeAnswer(8),
			"D5": q.CodeAnswer(8), "D6": q.CodeAnswer(9), "D7": q.CodeAnswer(8),
		}), map[string]float64{"sat_sanitation": missing, "satisfaction_items": missing}},
		{"all items satisfied", with(q.Response{
			"D1": q.CodeAnswer(1), "D2": q.CodeAnswer(1), "D3": q.CodeAnswer(2), "D4": q.CodeAnswer(2),
			"D5": q.CodeAnswer(1), "D6": q.CodeAnswer(1), "D7": q.CodeAnswer(2),
		}), map[string]float64{"satisfaction_items": 1}},
		{"not eligible: everything missing", q.Response{"S1": q.CodeAnswer(2), "A1": q.CodeAnswer(1)}, map[string]float64{
			"awareness": missing, "satisfaction_items": missing, "satisfaction_score": missing,
		}},
		{"hidden answer ignored", with(q.Response{"S2": q.CodeAnswer(2)}), map[string]float64{"awareness": missing}},
		{"invalid code is missing, not negative", with(q.Response{"A1": q.CodeAnswer(5), "A2": {}}), map[string]float64{"awareness": missing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := d.Score(tt.r)
			if len(vals) != len(d.Indicators) {
				t.Fatalf("%d values for %d indicators", len(vals), len(d.Indicators))
			}
			m := vals.Map()
			for id, want := range tt.want {
				v, ok := vals.Get(id)
				switch {
				case want == missing && ok:
					t.Errorf("%s = %v, want missing", id, v)
				case want == missing && !math.IsNaN(m[id]):
					t.Errorf("Map()[%s] = %v, want NaN", id, m[id])
				case want != missing && (!ok || math.Abs(v-want) > 1e-12):
					t.Errorf("%s = %v (ok %v), want %v", id, v, ok, want)
				}
			}
		})
	}
}

func TestScoreWindowService(t *testing.T) {
	d := shipped(t)["window-service"]
	r := q.Response{
		"W0": q.CodeAnswer(1), "W1": q.CodeAnswer(2),
		"W2": q.CodeAnswer(1), "W3": q.CodeAnswer(2), "W4": q.CodeAnswer(8), "W5": q.CodeAnswer(4),
		"W6": q.CodeAnswer(4), "W7": q.TextAnswer("等了一个多小时"),
	}
	if _, err := d.ValidateResponse(r); err != nil {
		t.Fatal(err)
	}
	vals := d.Score(r)
	want := map[string]float64{"score_items": (100 + 80 + 40) / 3.0, "score_overall": 40, "satisfaction": 0}
	for id, w := range want {
		if v, ok := vals.Get(id); !ok || math.Abs(v-w) > 1e-12 {
			t.Errorf("%s = %v, %v; want %v", id, v, ok, w)
		}
	}
	if _, ok := vals.Get("score_guidance"); ok {
		t.Error("score_guidance should be missing for 不了解")
	}
	ind := d.Indicator("score_items")
	if met, has := ind.MeetsTarget(73.3); !has || met {
		t.Errorf("73.3 against target 85: met %v has %v", met, has)
	}
	// W7 only follows dissatisfaction.
	r["W6"] = q.CodeAnswer(1)
	if _, err := d.ValidateResponse(r); err == nil {
		t.Error("a reason for dissatisfaction after 非常满意 should be rejected")
	}
}

func TestComposite(t *testing.T) {
	c := shipped(t)["wenming-household"].Composite
	est := map[string]float64{"awareness": 0.95, "support": 0.9, "participation": 0.5, "satisfaction": 0.8}
	v, err := c.Combine(est)
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.2*0.95 + 0.2*0.9 + 0.2*0.5 + 0.4*0.8; math.Abs(v-want) > 1e-12 {
		t.Errorf("composite = %v, want %v", v, want)
	}
	if met, has := c.MeetsTarget(v); !has || met {
		t.Errorf("%v against 0.85: met %v has %v", v, met, has)
	}
	delete(est, "support")
	if _, err := c.Combine(est); err == nil {
		t.Error("Combine without a support estimate should fail")
	}
}

func TestResponseJSON(t *testing.T) {
	d := shipped(t)["wenming-household"]
	data := []byte(`{"S1": 1, "S2": 1.0, "A1": 1, "A2": [1, 3], "B1": 1, "C1": [1, 3],
		"D1": 1, "D2": 2, "D3": 3, "D4": 8, "D5": 2, "D6": 4, "D7": 1, "D8": 2,
		"E1": 2, "E2": 3, "E3": 12, "E4": null}`)
	r, err := q.ParseResponse(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ValidateResponse(r); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := q.ParseResponse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(r) || back["A2"].List[1] != 3 || back["E3"].Number != 12 {
		t.Errorf("round trip: %s", out)
	}
	for _, bad := range []string{`[]`, `null`, `"x"`, `{"A1": }`} {
		if _, err := q.ParseResponse([]byte(bad)); err == nil {
			t.Errorf("ParseResponse(%s) should fail", bad)
		}
	}
	odd, err := q.ParseResponse([]byte(`{"A1": true, "E3": 1.5, "C1": [1, "2"], "E4": {"x": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	for code, a := range odd {
		if a.Kind != q.AnswerInvalid {
			t.Errorf("%s: kind %v, want AnswerInvalid", code, a.Kind)
		}
	}
}

// TestDefinitionBuiltInGo checks that Check fills in defaults and finds
// problems in a Definition that was not parsed (positions are then 0).
func TestDefinitionBuiltInGo(t *testing.T) {
	d := &q.Definition{
		ID:    "go-built",
		Title: q.Text{"zh-CN": "测试", "en": "Test"},
		Sections: []*q.Section{{ID: "s", Title: q.Text{"zh-CN": "部分", "en": "Part"}, Questions: []*q.Question{
			{Code: "Q1", Type: q.TypeYesNo, Label: q.Text{"zh-CN": "是吗", "en": "Is it"}, Required: true},
			{Code: "Q2", Type: q.TypeText, Label: q.Text{"zh-CN": "说明", "en": "Explain"},
				ShowIf: &q.Condition{Equals: &q.Equals{Question: "Q1", Value: 1}}},
		}}},
		Indicators: []*q.Indicator{{ID: "yes", Kind: q.KindRate, Label: q.Text{"zh-CN": "是", "en": "Yes"}, Question: "Q1", Positive: []int{1}, DontKnow: q.Exclude}},
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	if len(d.Languages) != 2 || len(d.Question("Q1").Options) != 3 || d.Question("Q2").MaxLength != 200 {
		t.Errorf("defaults not applied: languages %v, Q1 options %d, Q2 max_length %d",
			d.Languages, len(d.Question("Q1").Options), d.Question("Q2").MaxLength)
	}
	if st := d.Evaluate(q.Response{"Q1": q.CodeAnswer(1)}); !st.IsVisible("Q2") {
		t.Errorf("Q2 should be visible: %+v", st)
	}
	d.Indicators[0].Positive = []int{3}
	err := d.Check()
	var probs q.Problems
	if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Line != 0 || probs[0].Path != "indicators[0].positive[0]" {
		t.Errorf("Check = %#v, want one problem at indicators[0].positive[0] without a position", err)
	}
}
