package xlsform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// languageNames are the display names of the language columns the export
// writes ("label::中文 (zh-CN)"); other languages are written as their tag.
var languageNames = map[string]string{"zh-CN": "中文", "en": "English"}

func langHeader(base, lang string) string {
	name := languageNames[lang]
	if name == "" {
		name = lang
	}
	return fmt.Sprintf("%s::%s (%s)", base, name, lang)
}

// Write renders a checked definition as an XLSForm workbook that Read
// reads back to an equal definition (the same content hash). version is
// written to the settings sheet for information.
func Write(d *questionnaire.Definition, version string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	w := &writer{f: f, d: d}
	if err := f.SetSheetName("Sheet1", sheetSurvey); err != nil {
		return nil, err
	}
	for _, name := range []string{sheetChoices, sheetSettings, sheetIndicators} {
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
	}
	w.survey()
	w.settings(version)
	w.indicators()
	if w.err != nil {
		return nil, w.err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type writer struct {
	f   *excelize.File
	d   *questionnaire.Definition
	err error
}

// row writes the values of one row; "" and nil leave a cell empty.
func (w *writer) row(sheet string, r int, vals []any) {
	for i, v := range vals {
		if v == nil || v == "" {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, r)
		var err error
		switch x := v.(type) {
		case string:
			err = w.f.SetCellStr(sheet, cell, x)
		case int:
			err = w.f.SetCellInt(sheet, cell, int64(x))
		case float64:
			err = w.f.SetCellFloat(sheet, cell, x, -1, 64)
		}
		if err != nil && w.err == nil {
			w.err = err
		}
	}
}

// header writes row 1 in bold, freezes it and widens the text columns.
func (w *writer) header(sheet string, cols []string) {
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = c
		name, _ := excelize.ColumnNumberToName(i + 1)
		width := 14.0
		if strings.Contains(c, "::") {
			width = 40
		}
		_ = w.f.SetColWidth(sheet, name, name, width)
	}
	w.row(sheet, 1, vals)
	if style, err := w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		last, _ := excelize.CoordinatesToCellName(len(cols), 1)
		_ = w.f.SetCellStyle(sheet, "A1", last, style)
	}
	_ = w.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// texts returns t in every language, in the definition's order.
func (w *writer) texts(t questionnaire.Text) []any {
	out := make([]any, len(w.d.Languages))
	for i, l := range w.d.Languages {
		out[i] = t[l]
	}
	return out
}

func (w *writer) langCols(base string) []string {
	out := make([]string, len(w.d.Languages))
	for i, l := range w.d.Languages {
		out[i] = langHeader(base, l)
	}
	return out
}

var typeNames = map[questionnaire.QuestionType]string{
	questionnaire.TypeSingleChoice:   "select_one",
	questionnaire.TypeMultipleChoice: "select_multiple",
	questionnaire.TypeSatisfaction:   "satisfaction",
	questionnaire.TypeYesNo:          "yes_no",
}

func (w *writer) survey() {
	d := w.d
	cols := []string{"type", "name"}
	cols = append(cols, w.langCols("label")...)
	cols = append(cols, w.langCols("hint")...)
	cols = append(cols, "required", "relevant", "constraint", "end_if", "end_if_disposition")
	cols = append(cols, w.langCols("end_if_message")...)
	w.header(sheetSurvey, cols)
	w.header(sheetChoices, append([]string{"list_name", "name"}, append(w.langCols("label"), "exclusive", "special")...))

	r, cr := 2, 2
	line := func(typ, name string, label, hint questionnaire.Text, rest ...any) {
		vals := []any{typ, name}
		vals = append(vals, w.texts(label)...)
		vals = append(vals, w.texts(hint)...)
		vals = append(vals, rest...)
		w.row(sheetSurvey, r, vals)
		r++
	}
	if len(d.Intro) > 0 {
		line("note", "intro", d.Intro, nil)
	}
	lists := map[string]string{} // options as JSON → list name
	for _, s := range d.Sections {
		line("begin_group", s.ID, s.Title, nil, nil, render(s.ShowIf, d))
		for _, q := range s.Questions {
			typ := string(q.Type)
			if t, ok := typeNames[q.Type]; ok {
				key, _ := json.Marshal(q.Options)
				name := lists[string(key)]
				if name == "" {
					name = q.Code
					lists[string(key)] = name
					for _, o := range q.Options {
						vals := []any{name, o.Code}
						vals = append(vals, w.texts(o.Label)...)
						ex := ""
						if o.Exclusive {
							ex = "yes"
						}
						vals = append(vals, ex, string(o.Special))
						w.row(sheetChoices, cr, vals)
						cr++
					}
				}
				typ = t + " " + name
			}
			req := ""
			if q.Required {
				req = "yes"
			}
			constraint := ""
			switch {
			case q.Type == questionnaire.TypeInteger && q.Min != nil && q.Max != nil:
				constraint = fmt.Sprintf(". >= %d and . <= %d", *q.Min, *q.Max)
			case q.Type == questionnaire.TypeText && q.MaxLength != 0 && q.MaxLength != 200:
				constraint = fmt.Sprintf("string-length(.) <= %d", q.MaxLength)
			}
			rest := []any{req, render(q.ShowIf, d), constraint}
			if e := q.EndIf; e != nil {
				rest = append(rest, render(e.When, d), string(e.Disposition))
				rest = append(rest, w.texts(e.Message)...)
			}
			line(typ, q.Code, q.Label, q.Help, rest...)
		}
		line("end_group", "", nil, nil)
	}
}

func (w *writer) settings(version string) {
	d := w.d
	cols := []string{"form_id"}
	cols = append(cols, w.langCols("form_title")...)
	cols = append(cols, "version", "default_language")
	w.header(sheetSettings, cols)
	vals := []any{d.ID}
	vals = append(vals, w.texts(d.Title)...)
	vals = append(vals, version, langHeaderName(d.Languages[0]))
	w.row(sheetSettings, 2, vals)
}

func langHeaderName(lang string) string {
	if n := languageNames[lang]; n != "" {
		return n + " (" + lang + ")"
	}
	return lang
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func codesText(cs []int) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, " ")
}

func (w *writer) indicators() {
	d := w.d
	cols := []string{"id", "kind", "role", "question", "positive", "excluded", "scores", "dont_know", "refused", "of", "target", "weights"}
	cols = append(cols, w.langCols("label")...)
	w.header(sheetIndicators, cols)
	r := 2
	for _, ind := range d.Indicators {
		var scores []string
		for _, c := range slices.Sorted(maps.Keys(ind.Scores)) {
			scores = append(scores, fmt.Sprintf("%d:%s", c, num(ind.Scores[c])))
		}
		var target any
		if ind.Target != nil {
			target = *ind.Target
		}
		vals := []any{ind.ID, string(ind.Kind), string(ind.Role), ind.Question, codesText(ind.Positive), codesText(ind.Excluded),
			strings.Join(scores, " "), string(ind.DontKnow), string(ind.Refused), strings.Join(ind.Of, " "), target, ""}
		w.row(sheetIndicators, r, append(vals, w.texts(ind.Label)...))
		r++
	}
	if cp := d.Composite; cp != nil {
		var weights []string
		for _, k := range slices.Sorted(maps.Keys(cp.Weights)) {
			weights = append(weights, k+":"+num(cp.Weights[k]))
		}
		var target any
		if cp.Target != nil {
			target = *cp.Target
		}
		vals := []any{"", "composite", "", "", "", "", "", "", "", "", target, strings.Join(weights, " ")}
		w.row(sheetIndicators, r, append(vals, w.texts(cp.Label)...))
	}
}
