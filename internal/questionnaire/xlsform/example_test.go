package xlsform_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
)

var update = flag.Bool("update", false, "rewrite surveys/examples/xlsform-example.xlsx")

// examplePath is the example workbook the README describes.
const examplePath = "../../../surveys/examples/xlsform-example.xlsx"

// exampleBook is a street office's own satisfaction survey as an XLSForm
// workbook, using every column minyi reads.
func exampleBook() book {
	zhEn := func(zh, en string) []string { return []string{zh, en} }
	row := func(cells ...any) []string {
		var out []string
		for _, c := range cells {
			switch x := c.(type) {
			case string:
				out = append(out, x)
			case []string:
				out = append(out, x...)
			}
		}
		return out
	}
	return book{
		"survey": {
			{"type", "name", "label::中文 (zh-CN)", "label::English (en)", "hint::中文 (zh-CN)", "hint::English (en)", "required", "relevant", "constraint", "end_if", "end_if_disposition", "end_if_message::中文 (zh-CN)", "end_if_message::English (en)"},
			row("note", "intro", zhEn("您好！我是街道办的访问员，想了解您对本街道工作的看法，只需几分钟。", "Hello! I am an interviewer for the street office and would like a few minutes of your views on its work.")),
			row("begin_group", "screening", zhEn("甄别", "Screening")),
			row("select_one yes_no", "S1", zhEn("您是否年满18周岁？", "Are you 18 or older?"), "", "", "yes", "", "", "${S1} = 'no'", "not_eligible", zhEn("不符合条件，请致谢后结束访问。", "Not eligible: thank them and end the interview.")),
			row("integer", "S2", zhEn("您在本街道居住了几年？（不满1年记0）", "How many years have you lived in this street? (0 if under one)"), "", "", "yes", "", ". >= 0 and . <= 100"),
			row("end_group"),
			row("begin_group", "campaign", zhEn("创城工作", "The campaign")),
			row("select_one know", "A1", zhEn("您是否知道本区正在创建文明城市？", "Do you know the district is working to become a civilized city?"), "", "", "yes"),
			row("select_one support", "B1", zhEn("您是否支持创建文明城市？", "Do you support the campaign?"), "", "", "yes", "${A1} = 1"),
			row("select_multiple activities", "C1", zhEn("近一年您参加过哪些活动？（可多选）", "Which activities have you taken part in this year? (all that apply)"), zhEn("逐项读出。", "Read out each item."), "yes"),
			row("end_group"),
			row("begin_group", "satisfaction", zhEn("满意度", "Satisfaction")),
			row("satisfaction", "D1", zhEn("您对小区环境卫生是否满意？", "How satisfied are you with cleanliness in your estate?"), "", "", "yes"),
			row("satisfaction", "D2", zhEn("您对街道办事服务是否满意？", "How satisfied are you with the street office's services?"), "", "", "yes"),
			row("text", "D3", zhEn("您不满意的主要原因是什么？", "What is the main reason you are not satisfied?"), "", "", "", "${D2} = 4 or ${D2} = 5", "string-length(.) <= 300"),
			row("end_group"),
		},
		"choices": {
			{"list_name", "name", "label::中文 (zh-CN)", "label::English (en)", "exclusive", "special"},
			row("yes_no", "yes", zhEn("是", "Yes")),
			row("yes_no", "no", zhEn("否", "No")),
			row("know", "1", zhEn("知道", "Yes, I know")),
			row("know", "2", zhEn("不知道", "No")),
			row("support", "1", zhEn("支持", "I support it")),
			row("support", "2", zhEn("无所谓", "I don't mind")),
			row("support", "3", zhEn("不支持", "I don't support it")),
			row("support", "8", zhEn("说不清", "Hard to say"), "", "dont_know"),
			row("activities", "1", zhEn("志愿服务", "Volunteering")),
			row("activities", "2", zhEn("文明劝导", "Civility guiding")),
			row("activities", "3", zhEn("环境整治", "Clean-up")),
			row("activities", "7", zhEn("都没有参加", "None of these"), "yes"),
		},
		"settings": {
			{"form_id", "form_title::中文 (zh-CN)", "form_title::English (en)", "version", "default_language"},
			row("street-satisfaction", zhEn("街道群众满意度调查", "Street residents' satisfaction survey"), "1", "中文 (zh-CN)"),
		},
		"indicators": {
			{"id", "kind", "role", "question", "positive", "dont_know", "refused", "target", "weights", "label::中文 (zh-CN)", "label::English (en)"},
			row("awareness", "rate", "awareness", "A1", "1", "", "", "0.9", "", zhEn("知晓率", "Awareness rate")),
			row("support", "rate", "support", "B1", "1", "negative", "", "0.9", "", zhEn("支持率", "Support rate")),
			row("participation", "rate", "participation", "C1", "1 2 3", "", "", "0.8", "", zhEn("参与率", "Participation rate")),
			row("sat_clean", "rate", "", "D1", "1 2", "excluded", "excluded", "0.85", "", zhEn("环境卫生满意率", "Satisfaction with cleanliness")),
			row("sat_service", "rate", "", "D2", "1 2", "excluded", "excluded", "0.85", "", zhEn("办事服务满意率", "Satisfaction with services")),
			row("satisfaction", "mean", "satisfaction", "", "", "", "", "0.85", "", zhEn("满意率", "Satisfaction rate")),
			row("", "composite", "", "", "", "", "", "0.85", "awareness:0.2 support:0.2 participation:0.2 satisfaction:0.4", zhEn("综合指数", "Composite index")),
		},
	}
}

func TestExampleWorkbook(t *testing.T) {
	b := exampleBook()
	// the mean's of column, kept out of row() for readability
	b = b.set("indicators", 6, 11, "").set("indicators", 0, 11, "of").set("indicators", 6, 11, "sat_clean sat_service")
	fresh := b.xlsx(t)
	if *update {
		if err := os.WriteFile(examplePath, fresh, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := xlsform.Read(fresh)
	if err != nil {
		t.Fatalf("the example does not import:\n%v", err)
	}
	wantHash, _ := want.Definition.ContentHash()
	for _, file := range []string{examplePath, "testdata/xlsform-example-libreoffice.xlsx"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if file == examplePath && !bytes.Equal(data, fresh) {
			t.Errorf("%s is not what exampleBook writes: run go test ./internal/questionnaire/xlsform -run Example -update", file)
		}
		got, err := xlsform.Read(data)
		if err != nil {
			t.Fatalf("%s:\n%v", file, err)
		}
		if h, _ := got.Definition.ContentHash(); h != wantHash {
			a, _ := got.Definition.CanonicalJSON()
			b, _ := want.Definition.CanonicalJSON()
			t.Errorf("%s imports as %s, want %s:\n%s\n%s", file, h, wantHash, a, b)
		}
		if len(got.Codes) != 2 || got.Codes[0].Name != "yes" || got.Codes[0].Code != 1 {
			t.Errorf("%s: codes %+v", file, got.Codes)
		}
	}
}
