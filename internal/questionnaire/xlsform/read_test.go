package xlsform_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
)

func TestReadMapsEveryFeature(t *testing.T) {
	res, err := xlsform.Read(base().xlsx(t))
	if err != nil {
		t.Fatalf("%v", err)
	}
	d := res.Definition
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	checks := []struct{ what, got, want string }{
		{"id", d.ID, "test-form"},
		{"languages", js(d.Languages), `["zh-CN","en"]`},
		{"title", js(d.Title), `{"en":"Test form","zh-CN":"测试问卷"}`},
		{"intro", js(d.Intro), `{"en":"Hello","zh-CN":"您好"}`},
		{"sections", js([]string{d.Sections[0].ID, d.Sections[1].ID}), `["screen","main"]`},
		{"section show_if", js(d.Sections[1].ShowIf), `{"between":{"question":"AGE","min":30,"max":99}}`},
		{"S1 type", string(d.Question("S1").Type), "single_choice"},
		{"S1 codes", js([]int{d.Question("S1").Options[0].Code, d.Question("S1").Options[1].Code}), `[1,2]`},
		{"S1 end", js(d.Question("S1").EndIf), `{"when":{"equals":{"question":"S1","value":2}},"disposition":"not_eligible","message":{"en":"End","zh-CN":"结束"}}`},
		{"S1 required", js(d.Question("S1").Required), "true"},
		{"AGE range", js([]int{*d.Question("AGE").Min, *d.Question("AGE").Max}), `[18,99]`},
		{"AGE help", js(d.Question("AGE").Help), `{"en":"Years","zh-CN":"周岁"}`},
		{"C1 type", string(d.Question("C1").Type), "multiple_choice"},
		{"C1 refused", js(d.Question("C1").Options[3]), `{"code":9,"label":{"en":"Refused","zh-CN":"拒答"},"exclusive":true,"special":"refused"}`},
		{"D1 type", string(d.Question("D1").Type), "satisfaction"},
		{"D1 options", js(len(d.Question("D1").Options)), "7"},
		{"D1 show_if", js(d.Question("D1").ShowIf), `{"in":{"question":"C1","values":[1,2]}}`},
		{"E1 show_if", js(d.Question("E1").ShowIf), `{"in":{"question":"D1","values":[1,2]}}`},
		{"E1 max_length", js(d.Question("E1").MaxLength), "300"},
		{"E1 optional", js(d.Question("E1").Required), "false"},
		{"participation", js(d.Indicator("participation").Positive), `[1,2]`},
		{"satisfaction target", js(*d.Indicator("satisfaction").Target), `0.85`},
		{"satisfaction dont_know", string(d.Indicator("satisfaction").DontKnow), "negative"},
		{"composite", js(d.Composite.Weights), `{"participation":0.5,"satisfaction":0.5}`},
		{"version", res.Version, "3"},
		{"codes", js(res.Codes), `[{"list":"yn","name":"yes","code":1,"row":2},{"list":"yn","name":"no","code":2,"row":3}]`},
		{"warnings", js(len(res.Warnings)), "0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %s, want %s", c.what, c.got, c.want)
		}
	}
}

// TestReadConditions reads each relevant form into its condition.
func TestReadConditions(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"${AGE} = 40", `{"equals":{"question":"AGE","value":40}}`},
		{"${S1} = 'yes'", `{"equals":{"question":"S1","value":1}}`},
		{"${S1} != 'no'", `{"not":{"equals":{"question":"S1","value":2}}}`},
		{"${AGE} < 30", `{"between":{"question":"AGE","min":18,"max":29}}`},
		{"${AGE} <= 30", `{"between":{"question":"AGE","min":18,"max":30}}`},
		{"${AGE} > 30", `{"between":{"question":"AGE","min":31,"max":99}}`},
		{"40 <= ${AGE}", `{"between":{"question":"AGE","min":40,"max":99}}`},
		{"${AGE} >= 20 and ${AGE} <= 60", `{"between":{"question":"AGE","min":20,"max":60}}`},
		{"${S1} >= 2", `{"in":{"question":"S1","values":[2]}}`},
		{"selected(${S1}, 'yes')", `{"equals":{"question":"S1","value":1}}`},
		{"not(selected(${S1}, 'no'))", `{"not":{"equals":{"question":"S1","value":2}}}`},
		{"${AGE} != ''", `{"answered":"AGE"}`},
		{"${AGE} = ''", `{"not":{"answered":"AGE"}}`},
		{"string-length(${AGE}) > 0", `{"answered":"AGE"}`},
		{"${S1} = 'yes' and (${AGE} > 60 or ${AGE} < 20)", `{"all":[{"equals":{"question":"S1","value":1}},{"any":[{"between":{"question":"AGE","min":61,"max":99}},{"between":{"question":"AGE","min":18,"max":19}}]}]}`},
		{"${S1} = 'yes' or ${AGE} = 30 and ${AGE} != ''", `{"any":[{"equals":{"question":"S1","value":1}},{"all":[{"equals":{"question":"AGE","value":30}},{"answered":"AGE"}]}]}`},
		{"(${AGE} = 30) or (${AGE} = 40)", `{"any":[{"equals":{"question":"AGE","value":30}},{"equals":{"question":"AGE","value":40}}]}`},
		{"${AGE} = 30 or ${AGE} = 40", `{"in":{"question":"AGE","values":[30,40]}}`},
		{"${AGE} = 30 or ${AGE} = 30", `{"in":{"question":"AGE","values":[30]}}`},
		{"${AGE} = 30 or ${AGE} = 40 or ${AGE} = 30", `{"in":{"question":"AGE","values":[30,40]}}`},
		{"true() and ${AGE} = 30", `{"all":[{"equals":{"question":"AGE","value":30}}]}`},
		{"（${AGE} = 30）", `{"equals":{"question":"AGE","value":30}}`},
	}
	for _, c := range cases {
		b := base().set("survey", 7, 7, c.expr) // relevant of C1
		res, err := xlsform.Read(b.xlsx(t))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, _ := json.Marshal(res.Definition.Question("C1").ShowIf)
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.expr, got, c.want)
		}
	}
}

// TestReadProblems: every class of bad input is a problem at its sheet,
// row and column, in both languages, and nothing is returned.
func TestReadProblems(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want string // one problem, as Problem.String writes it
	}{
		{"not xlsx", func(*testing.T) []byte { return []byte("id: x\n") }, "not an XLSX workbook"},
		{"missing survey", func(t *testing.T) []byte { return base().without("survey").xlsx(t) }, "survey: the workbook has no survey sheet"},
		{"duplicate name", func(t *testing.T) []byte { return base().set("survey", 4, 1, "S1").xlsx(t) }, "survey row 5, column B (name): duplicate name S1 (first at row 4)"},
		{"duplicate choice", func(t *testing.T) []byte { return base().set("choices", 2, 1, "yes").xlsx(t) }, `choices row 3, column B (name): duplicate name "yes" in list yn`},
		{"missing list", func(t *testing.T) []byte { return base().set("survey", 3, 0, "select_one nolist").xlsx(t) }, "survey row 4, column A (type): the choice list nolist does not exist"},
		{"later question", func(t *testing.T) []byte { return base().set("survey", 4, 7, "${D1} = 1").xlsx(t) }, `survey row 5, column H (relevant): cannot read "${D1}": ${D1} is a later question`},
		{"unknown question", func(t *testing.T) []byte { return base().set("survey", 4, 7, "${ZZ} = 1").xlsx(t) }, `survey row 5, column H (relevant): cannot read "${ZZ}": ${ZZ} is not a question of this form`},
		{"unreadable function", func(t *testing.T) []byte {
			return base().set("survey", 4, 7, "${S1} = 'yes' and today() > 3").xlsx(t)
		}, `survey row 5, column H (relevant): cannot read "today()": the function today() is not supported`},
		{"bad syntax", func(t *testing.T) []byte { return base().set("survey", 4, 7, "${S1} = = 1").xlsx(t) }, `survey row 5, column H (relevant): cannot read "="`},
		{"not a range", func(t *testing.T) []byte { return base().set("survey", 4, 8, ". > 17 or . < 100").xlsx(t) }, `survey row 5, column I (constraint): cannot read ". > 17 or . < 100": the constraint is not a range`},
		{"label missing", func(t *testing.T) []byte { return base().set("survey", 4, 3, "").xlsx(t) }, "survey row 5, column D (label::English (en)): label missing in language en"},
		{"choice label missing", func(t *testing.T) []byte { return base().set("choices", 3, 2, "").xlsx(t) }, "choices row 4, column C (label::中文 (zh-CN)): label missing in language zh-CN"},
		{"unsupported type", func(t *testing.T) []byte { return base().set("survey", 4, 0, "geopoint").xlsx(t) }, `survey row 5, column A (type): type "geopoint" is not supported`},
		{"bad choice value", func(t *testing.T) []byte { return base().set("survey", 4, 7, "${S1} = 'maybe'").xlsx(t) }, `cannot read "'maybe'": "maybe" is not a choice of S1`},
		{"select_multiple with =", func(t *testing.T) []byte { return base().set("survey", 8, 7, "${C1} = 1").xlsx(t) }, "C1 is a select_multiple question"},
		{"bad disposition", func(t *testing.T) []byte { return base().set("survey", 3, 10, "gone").xlsx(t) }, `survey row 4, column K (end_if_disposition): question S1: end_if: unknown disposition "gone"`},
		{"bad positive", func(t *testing.T) []byte { return base().set("indicators", 1, 4, "1 5").xlsx(t) }, "indicators row 2, column E (positive)"},
		{"no end_group", func(t *testing.T) []byte { return base().set("survey", 10, 0, "").xlsx(t) }, "survey row 7, column A (type): group main has no end_group"},
		{"missing form_id", func(t *testing.T) []byte { return base().set("settings", 1, 0, "").xlsx(t) }, "settings row 2, column A (form_id): id is required"},
		{"integer without range", func(t *testing.T) []byte { return base().set("survey", 4, 8, "").xlsx(t) }, "survey row 5, column I (constraint): an integer question needs its range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := xlsform.Read(c.data(t))
			if err == nil {
				t.Fatalf("no error; definition %v", res.Definition.ID)
			}
			var ps xlsform.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T %v", err, err)
			}
			found := false
			for _, p := range ps {
				if strings.Contains(p.String(), c.want) {
					found = true
					if p.MessageZH == "" || p.MessageZH == p.Message {
						t.Errorf("no Chinese message: %+v", p)
					}
				}
			}
			if !found {
				t.Errorf("want a problem %q, got:\n%v", c.want, err)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	_, err := xlsform.Read(make([]byte, xlsform.MaxSize+1))
	if err == nil || !strings.Contains(err.Error(), "larger than the limit of 20 MB") {
		t.Fatalf("got %v", err)
	}
}

func TestReadWarnings(t *testing.T) {
	b := base().without("indicators")
	b["survey"] = [][]string{
		b["survey"][0],
		{"integer", "N1", "人数", "People", "", "", "yes", "", ". >= 1 and . <= 9"},
		{"begin_group", "main", "主体", "Main"},
		{"begin_group", "inner", "内层", "Inner", "", "", "", "${N1} > 1"},
		{"note", "n", "请出示卡片", "Show the card"},
		{"select_one yn", "S1", "是吗？", "Is it?", "", "", "", "${N1} < 9"},
		{"end_group"},
		{"end_group"},
	}
	res, err := xlsform.Read(b.xlsx(t))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range res.Warnings {
		msgs = append(msgs, w.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"no indicators sheet",
		"survey row 2, column A (type): questions outside a group",
		"survey row 4, column A (type): group inner is inside group main",
		"survey row 5, column A (type): the note becomes the interviewer note (help) of S1",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in\n%s", want, all)
		}
	}
	d := res.Definition
	got, _ := json.Marshal(d.Question("S1").ShowIf)
	if want := `{"all":[{"between":{"question":"N1","min":2,"max":9}},{"between":{"question":"N1","min":1,"max":8}}]}`; string(got) != want {
		t.Errorf("S1 show_if %s, want %s", got, want)
	}
	if d.Question("S1").Help["en"] != "Show the card" || len(d.Sections) != 2 || d.Sections[0].ID != "section" {
		t.Errorf("help %v, sections %d", d.Question("S1").Help, len(d.Sections))
	}
}

func TestReadCapsProblems(t *testing.T) {
	b := base()
	for i := range 300 {
		b["survey"] = append(b["survey"], []string{"geopoint", "G" + strconv.Itoa(i), "位置", "Place"})
	}
	_, err := xlsform.Read(b.xlsx(t))
	var ps xlsform.Problems
	if !errors.As(err, &ps) || len(ps) != 201 || ps[200].Message != "and 100 more problems" {
		t.Fatalf("got %d problems, last %v", len(ps), ps[len(ps)-1])
	}
}
