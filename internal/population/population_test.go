package population

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

const def = `id: p
title: {zh-CN: 问卷, en: Survey}
sections:
  - id: s
    title: {zh-CN: 基本情况, en: About you}
    questions:
      - code: E1
        type: single_choice
        required: true
        label: {zh-CN: 性别（访问员观察记录）, en: Sex}
        options:
          - {code: 1, label: {zh-CN: 男, en: Male}}
          - {code: 2, label: {zh-CN: 女, en: Female}}
      - code: E2
        type: single_choice
        required: true
        label: {zh-CN: 请问您的年龄是？, en: Age}
        options:
          - {code: 1, label: {zh-CN: 18—29岁, en: 18–29}}
          - {code: 2, label: {zh-CN: 30岁及以上, en: 30+}}
          - {code: 9, label: {zh-CN: 拒答, en: Refused}, special: refused}
      - {code: E3, type: integer, required: true, min: 0, max: 99, label: {zh-CN: 居住年数, en: Years}}
`

var streets = map[string]int64{"城关街道": 1, "东城街道": 2}

func parse(t testing.TB) *questionnaire.Definition {
	d, err := questionnaire.Parse("p.yaml", []byte(def))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRead(t *testing.T) {
	d := parse(t)
	for _, c := range []struct {
		name, in string
		vars     string
		rows     int
		total    float64
		unit     string
		err      []string
	}{
		{name: "labels and words", in: "\ufeff街道,性别,年龄组,人数\n城关街道,男,18-29岁,100\n城关街道,女,30岁及以上,\"1,200\"\n\n东城街道,2,1,5.5\n",
			vars: "E1,E2", rows: 3, total: 1305.5, unit: "person"},
		{name: "codes as headers", in: "street,E2,count\n东城街道,30岁及以上,7\n", vars: "E2", rows: 1, total: 7},
		{name: "street only", in: "街道,人数\n城关街道,10\n东城街道,20\n", vars: "", rows: 2, total: 30, unit: "person"},
		{name: "households", in: "街道,户数\n城关街道,10\n东城街道,20\n", vars: "", rows: 2, total: 30, unit: "household"},
		{name: "two count columns", in: "街道,人数,户数\n城关街道,10,4\n", err: []string{"column 3 (户数): a second count column"}},
		{name: "every problem with its line", in: "街道,性别,人数\n西城街道,男,1\n城关街道,未知,1\n城关街道,男,-1\n城关街道,男,2\n城关街道,男,3\n",
			err: []string{"line 2: street \"西城街道\" is not in the frame", "line 3: E1: \"未知\" is not a category of E1 (1 男, 2 女)",
				"line 4: count \"-1\"", "line 6: the same street and categories as line 5"}},
		{name: "special option", in: "街道,E2,人数\n城关街道,拒答,1\n", err: []string{"\"拒答\" is not a category"}},
		{name: "not a choice question", in: "街道,E3,人数\n城关街道,1,1\n", err: []string{"E3 is not a single-choice question"}},
		{name: "unknown column", in: "街道,民族,人数\n城关街道,汉,1\n", err: []string{"column 2 (民族): not a question"}},
		{name: "no count column", in: "街道,性别\n城关街道,男\n", err: []string{"no count column"}},
		{name: "empty", in: "", err: []string{"the file is empty"}},
		{name: "header only", in: "街道,人数\n", err: []string{"no counts"}},
		{name: "not UTF-8", in: "\xb3\xc7,1\n", err: []string{"not UTF-8"}},
		{name: "huge count", in: "街道,人数\n城关街道,1e12\n", err: []string{"is not a number of people"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab, err := Read(strings.NewReader(c.in), "p.csv", streets, d)
			if len(c.err) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", c.err)
				}
				for _, w := range c.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(tab.Variables, ",") != c.vars || len(tab.Rows) != c.rows || tab.Total != c.total || tab.Unit != c.unit {
				t.Fatalf("got %v, %d rows, total %v, unit %q", tab.Variables, len(tab.Rows), tab.Total, tab.Unit)
			}
		})
	}
}

func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	for i, row := range [][]any{{"街道", "性别", "人数"}, {"城关街道", "男", 12}, {"东城街道", "女", 8}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &row)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err := Read(&buf, "人口.xlsx", streets, parse(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 2 || tab.Rows[1].Line != 3 || tab.Rows[1].StreetID != 2 || tab.Rows[1].Cell() != "2" || tab.Total != 20 {
		t.Fatalf("rows %+v", tab.Rows)
	}
	if _, err := Read(strings.NewReader("not a workbook"), "x.xlsx", streets, parse(t)); err == nil || !strings.Contains(err.Error(), "workbook") {
		t.Fatalf("bad workbook: %v", err)
	}
}

func TestCell(t *testing.T) {
	codes, err := ParseCell(CellKey([]int{2, 10, 1}))
	if err != nil || len(codes) != 3 || codes[1] != 10 {
		t.Fatalf("%v %v", codes, err)
	}
	if _, err := ParseCell("1,x"); err == nil {
		t.Fatal("a bad cell parsed")
	}
}

// FuzzRead: any input gives a table or an error, never a panic, and a
// table's rows are all from the frame's streets with non-negative counts.
func FuzzRead(f *testing.F) {
	f.Add("街道,性别,年龄组,人数\n城关街道,男,18-29岁,100\n")
	f.Add("街道,人数\n东城街道,\"1,2\"\n")
	f.Add("street,E1,E2,count\n")
	d := parse(f)
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := Read(strings.NewReader(in), "f.csv", streets, d)
		if err != nil {
			return
		}
		for _, r := range tab.Rows {
			if r.StreetID != 1 && r.StreetID != 2 || r.Count < 0 || len(r.Codes) != len(tab.Variables) {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}
