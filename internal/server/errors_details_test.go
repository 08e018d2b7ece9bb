package server

import (
	"encoding/json"
	"testing"

	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
)

// TestLocalizeDetails says the problems of a file in the request's
// language: a register's and a questionnaire's in Chinese with their
// codes, the rest of the details as they were, and an XLSForm's problems
// (which say themselves in both languages) untouched.
func TestLocalizeDetails(t *testing.T) {
	tests := []struct {
		name    string
		details any
		lang    string
		want    string
	}{
		{"register zh", frame.Errors{Problems: []frame.Problem{{Line: 3, Column: 1, Code: "empty_value", Message: "the street is empty"},
			{Line: 9, Code: "column_count", Message: "the row has 4 columns but the header has 5"}}, Total: 12}, "zh-CN",
			`{"problems":[{"code":"empty_value","column":1,"line":3,"message":"街道为空","message_code":"street_empty"},` +
				`{"code":"column_count","line":9,"message":"该行有 4 列，而表头有 5 列","message_code":"row_has_columns_but_header"}],"total":12}`},
		{"register en", frame.Errors{Problems: []frame.Problem{{Line: 3, Column: 1, Code: "empty_value", Message: "the street is empty"}}, Total: 1}, "en",
			`{"problems":[{"code":"empty_value","column":1,"line":3,"message":"the street is empty","message_code":"street_empty"}],"total":1}`},
		{"questionnaire zh", questionnaire.Problems{{File: "q.yaml", Line: 12, Column: 5, Path: "sections[0].questions[1].options", Message: "E1: code 3 listed twice"}}, "zh-CN",
			`[{"column":5,"file":"q.yaml","line":12,"message":"E1：代码 3 列出了两次","message_code":"code_listed_twice","path":"sections[0].questions[1].options"}]`},
		{"xlsform", xlsform.Problems{{Sheet: "survey", Row: 4, Message: "the sheet cannot be read", MessageZH: "无法读取此工作表"}}, "zh-CN",
			`[{"message":"the sheet cannot be read","message_zh":"无法读取此工作表","row":4,"sheet":"survey"}]`},
		{"no message", map[string]int{"rows": 3}, "zh-CN", `{"rows":3}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(localizeDetails(tt.details, tt.lang))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, b, tt.want)
		}
	}
}
