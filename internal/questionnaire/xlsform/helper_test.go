package xlsform_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/xuri/excelize/v2"
)

// book is a workbook written cell by cell: sheet name → rows.
type book map[string][][]string

// xlsx writes b with excelize.
func (b book) xlsx(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	first := true
	for _, name := range []string{"survey", "choices", "settings", "indicators", "Survey"} {
		rows, ok := b[name]
		if !ok {
			continue
		}
		if first {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
			first = false
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if first {
		if err := f.SetSheetName("Sheet1", "other"); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// base is a small valid workbook: a screening question with an end rule,
// a group with a condition, choices with names that are not numbers.
func base() book {
	return book{
		"survey": {
			{"type", "name", "label::中文 (zh-CN)", "label::English (en)", "hint::中文 (zh-CN)", "hint::English (en)", "required", "relevant", "constraint", "end_if", "end_if_disposition", "end_if_message::中文 (zh-CN)", "end_if_message::English (en)"},
			{"note", "intro", "您好", "Hello"},
			{"begin_group", "screen", "甄别", "Screening"},
			{"select_one yn", "S1", "年满18岁？", "Aged 18+?", "", "", "yes", "", "", "${S1} = 'no'", "not_eligible", "结束", "End"},
			{"integer", "AGE", "年龄", "Age", "周岁", "Years", "yes", "", ". >= 18 and . <= 99"},
			{"end_group"},
			{"begin_group", "main", "主体", "Main", "", "", "", "${AGE} >= 30"},
			{"select_multiple acts", "C1", "参加过哪些？", "Which?", "", "", "yes"},
			{"satisfaction", "D1", "满意吗？", "Satisfied?", "", "", "yes", "selected(${C1}, '1') or selected(${C1}, '2')"},
			{"text", "E1", "建议", "Comments", "", "", "", "${D1} = 1 or ${D1} = 2", "string-length(.) <= 300"},
			{"end_group"},
		},
		"choices": {
			{"list_name", "name", "label::中文 (zh-CN)", "label::English (en)", "exclusive", "special"},
			{"yn", "yes", "是", "Yes"},
			{"yn", "no", "否", "No"},
			{"acts", "1", "志愿", "Volunteering"},
			{"acts", "2", "劝导", "Guiding"},
			{"acts", "7", "都没有", "None", "yes"},
			{"acts", "9", "拒答", "Refused", "yes", "refused"},
		},
		"settings": {
			{"form_id", "form_title::中文 (zh-CN)", "form_title::English (en)", "version", "default_language"},
			{"test-form", "测试问卷", "Test form", "3", "中文 (zh-CN)"},
		},
		"indicators": {
			{"id", "kind", "role", "question", "positive", "dont_know", "refused", "target", "label::中文 (zh-CN)", "label::English (en)", "weights"},
			{"participation", "rate", "participation", "C1", "1 2", "", "excluded", "0.8", "参与率", "Participation"},
			{"satisfaction", "rate", "satisfaction", "D1", "1,2", "negative", "excluded", "85%", "满意率", "Satisfaction"},
			{"", "composite", "", "", "", "", "", "0.85", "综合", "Composite", "participation:0.5 satisfaction:0.5"},
		},
	}
}

// set changes one cell of a copy of b (row and column 0-based).
func (b book) set(sheet string, row, col int, v string) book {
	out := book{}
	for k, rows := range b {
		cp := make([][]string, len(rows))
		for i, r := range rows {
			cp[i] = append([]string(nil), r...)
		}
		out[k] = cp
	}
	for len(out[sheet]) <= row {
		out[sheet] = append(out[sheet], nil)
	}
	for len(out[sheet][row]) <= col {
		out[sheet][row] = append(out[sheet][row], "")
	}
	out[sheet][row][col] = v
	return out
}

func (b book) without(sheet string) book {
	out := book{}
	for k, v := range b {
		if k != sheet {
			out[k] = v
		}
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
