package xlsform

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// MaxSize is the largest workbook Read accepts, in bytes.
const MaxSize = 20 << 20

// The sheets a workbook has.
const (
	sheetSurvey     = "survey"
	sheetChoices    = "choices"
	sheetSettings   = "settings"
	sheetIndicators = "indicators"
)

// Result is an imported workbook: the checked definition (to store as a
// draft), the settings' version, warnings, and the codes given to choices
// whose names are not whole numbers.
type Result struct {
	Definition *questionnaire.Definition
	Version    string         // settings' version, for information
	Warnings   Problems       // nothing wrong, but worth reading
	Codes      []AssignedCode // codes minyi chose for choice names
}

// AssignedCode is the code minyi gave a choice whose name is not a whole
// number; conditions and indicators of the workbook may use the name.
type AssignedCode struct {
	List string `json:"list"`
	Name string `json:"name"`
	Code int    `json:"code"`
	Row  int    `json:"row"` // in the choices sheet
}

// sheet is one worksheet read as text, its header parsed.
type sheet struct {
	name string
	rows [][]string
	cols []column
}

type column struct {
	idx    int
	header string // as written
	base   string // lower case, language part removed: label, hint, type …
	lang   string // language tag of a text column; "" for a plain one
}

// textColumns are the columns that take a language suffix (label::English (en)).
var textColumns = []string{"label", "hint", "end_if_message", "form_title"}

var langInParens = regexp.MustCompile(`\(([^()]+)\)\s*$`)

var langNames = map[string]string{
	"中文": "zh-CN", "汉语": "zh-CN", "简体中文": "zh-CN", "chinese": "zh-CN", "zh": "zh-CN", "zh-cn": "zh-CN",
	"english": "en", "英文": "en", "英语": "en", "en": "en",
}

// langTag reads the language part of a column header: "中文 (zh-CN)",
// "English (en)", "English" or a bare tag.
func langTag(spec string) string {
	spec = strings.TrimSpace(spec)
	if m := langInParens.FindStringSubmatch(spec); m != nil {
		return strings.TrimSpace(m[1])
	}
	if t, ok := langNames[strings.ToLower(spec)]; ok {
		return t
	}
	return spec
}

func newSheet(name string, rows [][]string) *sheet {
	sh := &sheet{name: name, rows: rows}
	if len(rows) == 0 {
		return sh
	}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		c := column{idx: i, header: h}
		base, spec, hasLang := strings.Cut(h, "::")
		base = strings.ToLower(strings.TrimSpace(base))
		base = strings.ReplaceAll(base, " ", "_") // "list name", "begin group"
		if hasLang && slices.Contains(textColumns, base) {
			c.lang = langTag(spec)
		}
		c.base = base
		sh.cols = append(sh.cols, c)
	}
	return sh
}

// col returns the column with base and language lang ("" for the plain
// one), or nil.
func (sh *sheet) col(base, lang string) *column {
	for i := range sh.cols {
		if sh.cols[i].base == base && sh.cols[i].lang == lang {
			return &sh.cols[i]
		}
	}
	return nil
}

// anyCol returns the column of base in lang, or else any column of base.
func (sh *sheet) anyCol(base, lang string) *column {
	if c := sh.col(base, lang); c != nil {
		return c
	}
	for i := range sh.cols {
		if sh.cols[i].base == base {
			return &sh.cols[i]
		}
	}
	return nil
}

// cell returns the text of row r (1-based) in column c.
func (sh *sheet) cell(r int, c *column) string {
	if c == nil || r-1 >= len(sh.rows) || c.idx >= len(sh.rows[r-1]) {
		return ""
	}
	return sh.rows[r-1][c.idx]
}

// get returns the trimmed text of row r in the plain column base.
func (sh *sheet) get(r int, base string) string {
	return strings.TrimSpace(sh.cell(r, sh.col(base, "")))
}

// reader builds a definition from a workbook, collecting problems.
type reader struct {
	sheets   map[string]*sheet
	defLang  string
	langs    []string
	probs    Problems
	warnings Problems
	loc      map[string]entity
}

// entity is where a part of the definition came from: a row of a sheet,
// the column of each of its fields, and the column of anything else.
type entity struct {
	sh   *sheet
	row  int
	def  string
	cols map[string]string
}

func (rd *reader) problem(sh *sheet, row int, base, lang, en, zh string) Problem {
	p := Problem{Row: row, Message: en, MessageZH: zh, col: -1}
	if sh != nil {
		p.Sheet = sh.name
		if c := sh.anyCol(base, lang); c != nil && base != "" {
			p.Column, _ = excelize.ColumnNumberToName(c.idx + 1)
			p.Header, p.col = c.header, c.idx
		}
	}
	return p
}

func (rd *reader) errorf(sh *sheet, row int, base, lang, en, zh string) {
	rd.probs = append(rd.probs, rd.problem(sh, row, base, lang, en, zh))
}

func (rd *reader) warnf(sh *sheet, row int, base, en, zh string) {
	rd.warnings = append(rd.warnings, rd.problem(sh, row, base, "", en, zh))
}

// exprProblem reports an expression that could not be read, quoting the
// part that could not be.
func (rd *reader) exprProblem(sh *sheet, row int, base string, e *exprError) {
	if e.en == "" {
		return // about a question that already has its own problem
	}
	if e.noQuote {
		rd.errorf(sh, row, base, "", e.en, e.zh)
		return
	}
	rd.errorf(sh, row, base, "", fmt.Sprintf("cannot read %q: %s", e.part, e.en), fmt.Sprintf("无法读取“%s”：%s", e.part, e.zh))
}

// text reads the text columns of base in row r into a Text: a plain column
// is the default language. Empty cells are left out.
func (rd *reader) text(sh *sheet, r int, base string) questionnaire.Text {
	t := questionnaire.Text{}
	for i := range sh.cols {
		c := &sh.cols[i]
		if c.base != base {
			continue
		}
		v := sh.cell(r, c)
		if strings.TrimSpace(v) == "" {
			continue
		}
		lang := c.lang
		if lang == "" {
			lang = rd.defLang
		}
		if _, dup := t[lang]; !dup {
			t[lang] = v
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

// need reports a cell of a text column that is empty in a declared
// language while another language has the text.
func (rd *reader) need(sh *sheet, r int, base string, required bool) {
	t := rd.text(sh, r, base)
	if len(t) == 0 && !required {
		return
	}
	for _, lang := range rd.langs {
		if strings.TrimSpace(t[lang]) != "" {
			continue
		}
		col := lang
		if sh.col(base, lang) == nil && lang == rd.defLang {
			col = ""
		}
		rd.errorf(sh, r, base, col, fmt.Sprintf("%s missing in language %s", base, lang), fmt.Sprintf("缺少 %s 语言的 %s", lang, base))
	}
}

// Read imports a workbook (XLSX) in the XLSForm layout. On failure the
// error is Problems listing every problem with sheet, row and column.
func Read(data []byte) (*Result, error) {
	if len(data) > MaxSize {
		return nil, Problems{{Message: fmt.Sprintf("the workbook is larger than the limit of %d MB", MaxSize>>20),
			MessageZH: fmt.Sprintf("工作簿超过了 %d MB 的上限", MaxSize>>20)}}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, Problems{{Message: "not an XLSX workbook (save it from Excel or WPS as .xlsx)",
			MessageZH: "不是 XLSX 工作簿（请在 Excel 或 WPS 中另存为 .xlsx）"}}
	}
	defer f.Close()
	rd := &reader{sheets: map[string]*sheet{}, loc: map[string]entity{}}
	for _, name := range f.GetSheetList() {
		key := strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(sheetOrder, key) || rd.sheets[key] != nil {
			continue
		}
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, Problems{{Sheet: name, Message: "the sheet cannot be read", MessageZH: "无法读取此工作表"}}
		}
		rd.sheets[key] = newSheet(name, rows)
	}
	return rd.read()
}

func (rd *reader) read() (*Result, error) {
	survey := rd.sheets[sheetSurvey]
	if survey == nil || len(survey.rows) == 0 {
		return nil, Problems{{Sheet: sheetSurvey, Message: "the workbook has no survey sheet (its questions)", MessageZH: "工作簿中没有 survey 工作表（题目）"}}
	}
	for _, sh := range rd.sheets {
		for r, row := range sh.rows {
			for i, v := range row {
				if msg := textcheck.Field(v); msg != "" {
					col, _ := excelize.ColumnNumberToName(i + 1)
					rd.probs = append(rd.probs, Problem{Sheet: sh.name, Row: r + 1, Column: col, col: i,
						Message: "the cell " + msg, MessageZH: "单元格含有无效字符（" + msg + "）"})
				}
			}
		}
	}
	if len(rd.probs) > 0 {
		return nil, rd.probs.sorted().capped()
	}
	res := &Result{}
	d := &questionnaire.Definition{}
	settings := rd.sheets[sheetSettings]
	rd.defLang = "zh-CN"
	if settings != nil {
		if v := settings.get(2, "default_language"); v != "" {
			rd.defLang = langTag(v)
		}
		d.ID = settings.get(2, "form_id")
		res.Version = settings.get(2, "version")
		rd.loc["id"] = entity{sh: settings, row: 2, def: "form_id"}
		rd.loc["title"] = entity{sh: settings, row: 2, def: "form_title"}
	}
	for _, c := range survey.cols {
		if c.base != "label" {
			continue
		}
		lang := c.lang
		if lang == "" {
			lang = rd.defLang
		}
		if !slices.Contains(rd.langs, lang) {
			rd.langs = append(rd.langs, lang)
		}
	}
	if len(rd.langs) == 0 {
		rd.errorf(survey, 1, "", "", "the survey sheet has no label column (label, or label::中文 (zh-CN) and label::English (en))",
			"survey 工作表没有 label 列（label，或 label::中文 (zh-CN) 与 label::English (en)）")
		return nil, rd.probs.sorted().capped()
	}
	d.Languages = rd.langs
	rd.loc["languages"] = entity{sh: survey, row: 1, def: "label"}
	rd.loc["sections"] = entity{sh: survey, row: 1, def: "type"}
	if settings != nil {
		d.Title = rd.text(settings, 2, "form_title")
		rd.need(settings, 2, "form_title", true)
	} else {
		rd.errorf(nil, 0, "", "", "the workbook has no settings sheet (form_id, form_title)", "工作簿中没有 settings 工作表（form_id、form_title）")
	}
	lists := rd.choices(res)
	rd.survey(d, lists)
	rd.indicators(d, lists)
	// Check even after problems of our own, so that one import reports
	// everything; a problem at a cell already reported is dropped.
	if err := d.Check(); err != nil {
		var cps questionnaire.Problems
		if !errors.As(err, &cps) {
			return nil, err
		}
		rd.addCheck(cps)
	}
	if len(rd.probs) > 0 {
		return nil, rd.probs.sorted().capped()
	}
	res.Definition = d
	res.Warnings = rd.warnings.sorted()
	return res, nil
}

// choiceList is one list of the choices sheet.
type choiceList struct {
	name    string
	rows    []int
	options []*questionnaire.Option
	names   map[string]int
}

func (rd *reader) choices(res *Result) map[string]*choiceList {
	lists := map[string]*choiceList{}
	sh := rd.sheets[sheetChoices]
	if sh == nil {
		return lists
	}
	var order []string
	type pending struct {
		l    *choiceList
		o    *questionnaire.Option
		name string
		row  int
	}
	var later []pending
	for r := 2; r <= len(sh.rows); r++ {
		ln := sh.get(r, "list_name")
		name := sh.get(r, "name")
		if ln == "" && name == "" {
			continue
		}
		if ln == "" {
			rd.errorf(sh, r, "list_name", "", "list_name is required", "必须填写 list_name（选项列表名称）")
			continue
		}
		if name == "" {
			rd.errorf(sh, r, "name", "", "name is required", "必须填写 name（选项名称）")
			continue
		}
		l := lists[ln]
		if l == nil {
			l = &choiceList{name: ln, names: map[string]int{}}
			lists[ln] = l
			order = append(order, ln)
		}
		if _, dup := l.names[name]; dup {
			rd.errorf(sh, r, "name", "", fmt.Sprintf("duplicate name %q in list %s", name, ln), fmt.Sprintf("列表 %s 中的选项名称“%s”重复", ln, name))
			continue
		}
		o := &questionnaire.Option{Label: rd.text(sh, r, "label")}
		rd.need(sh, r, "label", true)
		switch v := strings.ToLower(sh.get(r, "exclusive")); v {
		case "", "no", "false", "false()", "0", "否":
		case "yes", "true", "true()", "1", "是":
			o.Exclusive = true
		default:
			rd.errorf(sh, r, "exclusive", "", fmt.Sprintf("exclusive is yes or empty, not %q", v), fmt.Sprintf("exclusive 应为 yes 或留空，而不是“%s”", v))
		}
		o.Special = questionnaire.Special(sh.get(r, "special"))
		code, err := strconv.Atoi(name)
		if err != nil {
			later = append(later, pending{l, o, name, r})
			l.names[name] = -1
		} else {
			o.Code = code
			l.names[name] = code
		}
		l.options = append(l.options, o)
		l.rows = append(l.rows, r)
	}
	// Names that are not whole numbers get the codes after the list's
	// largest, in order.
	for _, p := range later {
		next := 1
		for _, c := range p.l.names {
			next = max(next, c+1)
		}
		p.o.Code = next
		p.l.names[p.name] = next
		res.Codes = append(res.Codes, AssignedCode{List: p.l.name, Name: p.name, Code: next, Row: p.row})
	}
	return lists
}

// group is an open begin_group.
type group struct {
	name string
	row  int
	cond *questionnaire.Condition
}

func (rd *reader) survey(d *questionnaire.Definition, lists map[string]*choiceList) {
	sh := rd.sheets[sheetSurvey]
	sc := &scope{questions: map[string]*qinfo{}, later: map[string]bool{}}
	failed := map[string]bool{}
	firstRow := map[string]int{}
	for r := 2; r <= len(sh.rows); r++ {
		if n := sh.get(r, "name"); n != "" {
			sc.later[n] = true
		}
	}
	var stack []group
	var sec *questionnaire.Section
	implicit := 0
	var pendingNote questionnaire.Text
	noteRow := 0
	questions := 0
	newSection := func(id string, row int, title questionnaire.Text, cond *questionnaire.Condition, cols map[string]string) {
		sec = &questionnaire.Section{ID: id, Title: title, ShowIf: cond, Questions: []*questionnaire.Question{}}
		rd.loc[fmt.Sprintf("sections[%d]", len(d.Sections))] = entity{sh: sh, row: row, def: "name", cols: cols}
		d.Sections = append(d.Sections, sec)
	}
	relevant := func(r int, self string) *questionnaire.Condition {
		src := sh.get(r, "relevant")
		if src == "" {
			return nil
		}
		sc.self, sc.selfOK = self, false
		c, err := sc.convert(src)
		if err != nil {
			rd.exprProblem(sh, r, "relevant", silenceFailed(err, failed))
			return nil
		}
		return c
	}
	for r := 2; r <= len(sh.rows); r++ {
		typ := strings.Join(strings.Fields(sh.get(r, "type")), " ")
		name := sh.get(r, "name")
		delete(sc.later, name)
		if typ == "" {
			if name != "" || sh.get(r, "label") != "" {
				rd.errorf(sh, r, "type", "", "type is required", "必须填写 type（题型）")
			}
			continue
		}
		words := strings.Fields(strings.ToLower(typ))
		kind := words[0]
		switch typ := strings.ToLower(typ); typ {
		case "begin group", "end group", "begin repeat", "end repeat":
			kind = strings.ReplaceAll(typ, " ", "_")
			words = []string{kind}
		}
		if name != "" && kind != "end_group" {
			key := name
			if kind == "begin_group" {
				key = "group " + name // sections and questions are named apart
			}
			if first, dup := firstRow[key]; dup {
				rd.errorf(sh, r, "name", "", fmt.Sprintf("duplicate name %s (first at row %d)", name, first), fmt.Sprintf("名称 %s 重复（第一次出现在第 %d 行）", name, first))
				failed[name] = true
				continue
			}
			firstRow[key] = r
		}
		switch kind {
		case "begin_group":
			cond := relevant(r, "")
			if len(stack) == 0 {
				newSection(name, r, rd.text(sh, r, "label"), cond, map[string]string{"id": "name", "title": "label", "show_if": "relevant", "questions": "name"})
				rd.need(sh, r, "label", true)
				stack = append(stack, group{name: name, row: r})
			} else {
				rd.warnf(sh, r, "type", fmt.Sprintf("group %s is inside group %s: minyi has no nested sections, so its questions stay in section %s (its relevant applies to each of them)", name, stack[0].name, stack[0].name),
					fmt.Sprintf("分组 %s 嵌套在分组 %s 中：minyi 不支持嵌套分组，其题目归入分组 %s（其 relevant 条件加到每道题上）", name, stack[0].name, stack[0].name))
				stack = append(stack, group{name: name, row: r, cond: cond})
			}
			continue
		case "end_group":
			if len(stack) == 0 {
				rd.errorf(sh, r, "type", "", "end_group without a begin_group", "end_group 之前没有对应的 begin_group")
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				sec = nil
			}
			continue
		case "note":
			t := rd.text(sh, r, "label")
			if questions == 0 {
				d.Intro = joinText(d.Intro, t)
				rd.loc["intro"] = entity{sh: sh, row: r, def: "label"}
				rd.need(sh, r, "label", true)
			} else {
				if pendingNote != nil {
					rd.warnf(sh, noteRow, "type", "two notes in a row: the first one is not imported", "连续两个说明（note）：第一个未导入")
				}
				pendingNote, noteRow = t, r
			}
			continue
		}
		q, listName, ok := rd.questionType(sh, r, words, typ, lists)
		if !ok {
			failed[name] = true
			continue
		}
		q.Code = name
		if name == "" {
			rd.errorf(sh, r, "name", "", "name is required", "必须填写 name（题目名称）")
		}
		q.Label = rd.text(sh, r, "label")
		rd.need(sh, r, "label", true)
		q.Help = rd.text(sh, r, "hint")
		rd.need(sh, r, "hint", false)
		if pendingNote != nil {
			if len(q.Help) == 0 {
				q.Help = pendingNote
				rd.warnf(sh, noteRow, "type", fmt.Sprintf("the note becomes the interviewer note (help) of %s", name), fmt.Sprintf("此说明（note）成为题目 %s 的访员提示", name))
			} else {
				rd.warnf(sh, noteRow, "type", fmt.Sprintf("the note is not imported: minyi has no place for it (%s has its own hint)", name), fmt.Sprintf("此说明（note）未导入：%s 已有提示（hint），minyi 没有别的位置放它", name))
			}
			pendingNote = nil
		}
		switch v := strings.ToLower(sh.get(r, "required")); v {
		case "", "no", "false", "false()", "0", "否":
		case "yes", "true", "true()", "1", "是":
			q.Required = true
		default:
			rd.errorf(sh, r, "required", "", fmt.Sprintf("required is yes or empty, not %q", v), fmt.Sprintf("required 应为 yes 或留空，而不是“%s”", v))
		}
		if c := sh.get(r, "constraint"); c != "" {
			switch q.Type {
			case questionnaire.TypeInteger:
				lo, hi, err := rangeConstraint(c)
				if err != nil {
					rd.exprProblem(sh, r, "constraint", err)
				} else {
					q.Min, q.Max = &lo, &hi
				}
			case questionnaire.TypeText:
				n, err := lengthConstraint(c)
				if err != nil {
					rd.exprProblem(sh, r, "constraint", err)
				} else {
					q.MaxLength = n
				}
			default:
				rd.errorf(sh, r, "constraint", "", "minyi reads a constraint only on integer (. >= a and . <= b) and text (string-length(.) <= n) questions",
					"minyi 只读取整数题（. >= a and . <= b）和文字题（string-length(.) <= n）的约束")
			}
		} else if q.Type == questionnaire.TypeInteger {
			rd.errorf(sh, r, "constraint", "", "an integer question needs its range as constraint: . >= a and . <= b", "整数题需要在 constraint 中写明取值范围：. >= a and . <= b")
			zero := 0
			q.Min, q.Max = &zero, &zero
		}
		own := relevant(r, name)
		var conds []*questionnaire.Condition
		for _, g := range stack {
			if g.cond != nil {
				conds = append(conds, g.cond)
			}
		}
		switch {
		case len(conds) > 0 && own != nil:
			q.ShowIf = &questionnaire.Condition{All: append(conds, own)}
		case len(conds) == 1:
			q.ShowIf = conds[0]
		case len(conds) > 1:
			q.ShowIf = &questionnaire.Condition{All: conds}
		default:
			q.ShowIf = own
		}
		qi := &qinfo{q: q, names: map[string]int{}}
		if l := lists[listName]; l != nil {
			qi.names = l.names
		} else {
			for _, o := range q.Options {
				qi.names[strconv.Itoa(o.Code)] = o.Code
			}
			if q.Type.IsChoice() && q.Options == nil {
				for _, o := range builtin(q.Type) {
					qi.names[strconv.Itoa(o)] = o
				}
			}
		}
		sc.questions[name] = qi
		rd.endRule(sh, r, q, sc, failed)
		if sec == nil {
			implicit++
			id := "section"
			if implicit > 1 {
				id = fmt.Sprintf("section_%d", implicit)
			}
			for firstRow["group "+id] != 0 {
				id += "_"
			}
			newSection(id, r, d.Title, nil, map[string]string{"title": "label"})
			rd.warnf(sh, r, "type", fmt.Sprintf("questions outside a group: minyi puts them in a section %s titled with the form's title", id),
				fmt.Sprintf("题目不在任何分组中：minyi 将其归入分组 %s，标题为问卷标题", id))
		}
		path := fmt.Sprintf("sections[%d].questions[%d]", len(d.Sections)-1, len(sec.Questions))
		def := "name"
		if q.Type == questionnaire.TypeInteger {
			def = "constraint"
		}
		rd.loc[path] = entity{sh: sh, row: r, def: def, cols: map[string]string{
			"code": "name", "type": "type", "label": "label", "help": "hint", "options": "type", "required": "required",
			"min": "constraint", "max": "constraint", "max_length": "constraint", "show_if": "relevant", "end_if": "end_if"}}
		rd.loc[path+".end_if"] = entity{sh: sh, row: r, def: "end_if", cols: map[string]string{"when": "end_if", "disposition": "end_if_disposition", "message": "end_if_message"}}
		if l := lists[listName]; l != nil {
			for k, row := range l.rows {
				rd.loc[fmt.Sprintf("%s.options[%d]", path, k)] = entity{sh: rd.sheets[sheetChoices], row: row, def: "name",
					cols: map[string]string{"code": "name", "label": "label", "exclusive": "exclusive", "special": "special"}}
			}
		}
		sec.Questions = append(sec.Questions, q)
		questions++
	}
	if pendingNote != nil {
		rd.warnf(sh, noteRow, "type", "the note is not imported: no question follows it", "此说明（note）未导入：后面没有题目")
	}
	for _, g := range stack {
		rd.errorf(sh, g.row, "type", "", fmt.Sprintf("group %s has no end_group", g.name), fmt.Sprintf("分组 %s 缺少 end_group", g.name))
	}
}

// silenceFailed drops an expression problem about a question whose own row
// already has one.
func silenceFailed(e *exprError, failed map[string]bool) *exprError {
	for name := range failed {
		if strings.Contains(e.part, "${"+name+"}") && strings.Contains(e.en, "${"+name+"}") {
			return &exprError{}
		}
	}
	return e
}

func builtin(t questionnaire.QuestionType) []int {
	switch t {
	case questionnaire.TypeYesNo:
		return []int{1, 2, 8}
	case questionnaire.TypeSatisfaction:
		return []int{1, 2, 3, 4, 5, 8, 9}
	}
	return nil
}

func joinText(a, b questionnaire.Text) questionnaire.Text {
	if a == nil {
		return b
	}
	for k, v := range b {
		if a[k] != "" {
			a[k] += "\n" + v
		} else {
			a[k] = v
		}
	}
	return a
}

// questionType reads the type column of a question row: the minyi type,
// its options from the list it names, and the list's name.
func (rd *reader) questionType(sh *sheet, r int, words []string, typ string, lists map[string]*choiceList) (*questionnaire.Question, string, bool) {
	q := &questionnaire.Question{}
	kind := words[0]
	switch kind {
	case "select_one", "select_multiple", "satisfaction", "yes_no":
		q.Type = map[string]questionnaire.QuestionType{
			"select_one": questionnaire.TypeSingleChoice, "select_multiple": questionnaire.TypeMultipleChoice,
			"satisfaction": questionnaire.TypeSatisfaction, "yes_no": questionnaire.TypeYesNo,
		}[kind]
		switch {
		case len(words) == 1 && (kind == "satisfaction" || kind == "yes_no"):
			return q, "", true // the built-in options
		case len(words) == 1:
			rd.errorf(sh, r, "type", "", kind+" needs the name of its choice list: "+kind+" LIST", kind+" 需要写明选项列表名称："+kind+" 列表名")
			return nil, "", false
		case len(words) > 2:
			rd.errorf(sh, r, "type", "", fmt.Sprintf("type %q is not supported by minyi (or_other and the like: list an option instead)", typ),
				fmt.Sprintf("minyi 不支持题型“%s”（or_other 等：请改为列出一个选项）", typ))
			return nil, "", false
		}
		name := strings.Fields(typ)[1]
		l := lists[name]
		if l == nil {
			rd.errorf(sh, r, "type", "", fmt.Sprintf("the choice list %s does not exist in the choices sheet", name), fmt.Sprintf("choices 工作表中没有选项列表 %s", name))
			return nil, "", false
		}
		for _, o := range l.options {
			c := *o
			q.Options = append(q.Options, &c)
		}
		return q, name, true
	case "integer":
		q.Type = questionnaire.TypeInteger
	case "text":
		q.Type = questionnaire.TypeText
	default:
		rd.errorf(sh, r, "type", "", fmt.Sprintf("type %q is not supported by minyi (it reads select_one, select_multiple, integer, text, note, begin_group, end_group, and its own satisfaction and yes_no)", typ),
			fmt.Sprintf("minyi 不支持题型“%s”（支持 select_one、select_multiple、integer、text、note、begin_group、end_group，以及 minyi 自有的 satisfaction 和 yes_no）", typ))
		return nil, "", false
	}
	if len(words) > 1 {
		rd.errorf(sh, r, "type", "", fmt.Sprintf("type %q: %s takes no list", typ, kind), fmt.Sprintf("题型“%s”：%s 不需要选项列表", typ, kind))
		return nil, "", false
	}
	return q, "", true
}

func (rd *reader) endRule(sh *sheet, r int, q *questionnaire.Question, sc *scope, failed map[string]bool) {
	src := sh.get(r, "end_if")
	disp := sh.get(r, "end_if_disposition")
	msg := rd.text(sh, r, "end_if_message")
	if src == "" {
		if disp != "" || len(msg) > 0 {
			rd.errorf(sh, r, "end_if", "", "end_if_disposition or end_if_message without an end_if condition", "填写了 end_if_disposition 或 end_if_message，但没有 end_if 条件")
		}
		return
	}
	sc.self, sc.selfOK = q.Code, true
	c, err := sc.convert(src)
	if err != nil {
		rd.exprProblem(sh, r, "end_if", silenceFailed(err, failed))
		return
	}
	q.EndIf = &questionnaire.EndRule{When: c, Disposition: questionnaire.Disposition(disp), Message: msg}
	rd.need(sh, r, "end_if_message", false)
}

// splitList splits a cell listing several values: separated by spaces,
// commas (also Chinese ones) or semicolons.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || r == '\t' || r == '\n'
	})
}

func (rd *reader) indicators(d *questionnaire.Definition, lists map[string]*choiceList) {
	sh := rd.sheets[sheetIndicators]
	if sh == nil {
		rd.warnf(nil, 0, "", "the workbook has no indicators sheet: the questionnaire defines no rates (add one with id, kind, role, question, positive, … to estimate the four rates)",
			"工作簿中没有 indicators 工作表：问卷没有定义任何比率（如需计算四率，请添加含 id、kind、role、question、positive 等列的 indicators 工作表）")
		return
	}
	names := func(code string) map[string]int {
		q := d.Question(code)
		if q == nil {
			return nil
		}
		m := map[string]int{}
		for _, o := range q.Options {
			m[strconv.Itoa(o.Code)] = o.Code
		}
		for _, c := range builtin(q.Type) {
			m[strconv.Itoa(c)] = c
		}
		return m
	}
	// choice names of each question's list, for positive and scores
	listNames := map[string]map[string]int{}
	survey := rd.sheets[sheetSurvey]
	for r := 2; r <= len(survey.rows); r++ {
		if w := strings.Fields(survey.get(r, "type")); len(w) == 2 && lists[w[1]] != nil {
			listNames[survey.get(r, "name")] = lists[w[1]].names
		}
	}
	code := func(r int, col, question, v string) (int, bool) {
		if m := listNames[question]; m != nil {
			if c, ok := m[v]; ok {
				return c, true
			}
		}
		if m := names(question); m != nil {
			if c, ok := m[v]; ok {
				return c, true
			}
		}
		if c, err := strconv.Atoi(v); err == nil {
			return c, true
		}
		rd.errorf(sh, r, col, "", fmt.Sprintf("%q is not a choice of %s", v, question), fmt.Sprintf("“%s”不是 %s 的选项", v, question))
		return 0, false
	}
	codes := func(r int, col, question string) []int {
		var out []int
		for _, v := range splitList(sh.get(r, col)) {
			if c, ok := code(r, col, question, v); ok {
				out = append(out, c)
			}
		}
		return out
	}
	number := func(r int, col, v string) (float64, bool) {
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%"), 64)
		if err != nil {
			rd.errorf(sh, r, col, "", fmt.Sprintf("%q is not a number", v), fmt.Sprintf("“%s”不是数字", v))
			return 0, false
		}
		if strings.HasSuffix(strings.TrimSpace(v), "%") {
			x /= 100
		}
		return x, true
	}
	pairs := func(r int, col string, key func(string) (string, bool)) map[string]float64 {
		out := map[string]float64{}
		for _, p := range splitList(sh.get(r, col)) {
			k, v, ok := strings.Cut(p, ":")
			if !ok {
				k, v, ok = strings.Cut(p, "=")
			}
			if !ok {
				rd.errorf(sh, r, col, "", fmt.Sprintf("%q is not name:value", p), fmt.Sprintf("“%s”不是“名称:数值”的形式", p))
				continue
			}
			kk, ok := key(k)
			if !ok {
				continue
			}
			if x, ok := number(r, col, v); ok {
				out[kk] = x
			}
		}
		return out
	}
	cols := map[string]string{}
	for _, k := range []string{"id", "kind", "role", "label", "question", "positive", "scores", "dont_know", "refused", "excluded", "of", "target", "weights"} {
		cols[k] = k
	}
	for r := 2; r <= len(sh.rows); r++ {
		id, kind := sh.get(r, "id"), strings.ToLower(sh.get(r, "kind"))
		if id == "" && kind == "" {
			continue
		}
		var target *float64
		if v := sh.get(r, "target"); v != "" {
			if x, ok := number(r, "target", v); ok {
				target = &x
			}
		}
		label := rd.text(sh, r, "label")
		rd.need(sh, r, "label", true)
		if kind == "composite" {
			if d.Composite != nil {
				rd.errorf(sh, r, "kind", "", "a second composite row", "第二个 composite（综合指数）行")
				continue
			}
			d.Composite = &questionnaire.Composite{Label: label, Target: target,
				Weights: pairs(r, "weights", func(k string) (string, bool) { return k, true })}
			rd.loc["composite"] = entity{sh: sh, row: r, def: "kind", cols: cols}
			continue
		}
		q := sh.get(r, "question")
		ind := &questionnaire.Indicator{
			ID: id, Kind: questionnaire.IndicatorKind(kind), Role: questionnaire.Role(sh.get(r, "role")),
			Label: label, Question: q, Positive: codes(r, "positive", q), Excluded: codes(r, "excluded", q),
			DontKnow: questionnaire.Treatment(sh.get(r, "dont_know")), Refused: questionnaire.Treatment(sh.get(r, "refused")),
			Of: splitList(sh.get(r, "of")), Target: target,
		}
		if sh.get(r, "scores") != "" {
			ind.Scores = map[int]float64{}
			for k, v := range pairs(r, "scores", func(k string) (string, bool) {
				c, ok := code(r, "scores", q, k)
				return strconv.Itoa(c), ok
			}) {
				c, _ := strconv.Atoi(k)
				ind.Scores[c] = v
			}
		}
		if sh.get(r, "weights") != "" {
			rd.errorf(sh, r, "weights", "", "weights belong on the composite row (kind composite)", "weights 只用于 composite（综合指数）行")
		}
		rd.loc[fmt.Sprintf("indicators[%d]", len(d.Indicators))] = entity{sh: sh, row: r, def: "id", cols: cols}
		d.Indicators = append(d.Indicators, ind)
	}
}

var forLanguage = regexp.MustCompile(`(?:for language|in undeclared language "?)([A-Za-z0-9-]+)"?`)

// addCheck adds the problems questionnaire.Check found, located by their
// path through rd.loc; one at a cell that already has a problem of ours is
// dropped.
func (rd *reader) addCheck(cps questionnaire.Problems) {
	have := map[string]bool{}
	key := func(p Problem) string { return fmt.Sprintf("%s|%d|%s", p.Sheet, p.Row, p.Header) }
	for _, p := range rd.probs {
		have[key(p)] = true
	}
	for _, cp := range cps {
		var p Problem
		lang := ""
		if m := forLanguage.FindStringSubmatch(cp.Message); m != nil {
			lang = m[1]
		}
		path := cp.Path
		found := false
		for cur := path; ; {
			if e, ok := rd.loc[cur]; ok {
				rest := strings.TrimPrefix(path[len(cur):], ".")
				seg := rest
				if i := strings.IndexAny(seg, ".["); i >= 0 {
					seg = seg[:i]
				}
				col := e.def
				if c, ok := e.cols[seg]; ok {
					col = c
				}
				l := ""
				if lang != "" && e.sh.col(col, lang) != nil {
					l = lang
				}
				p = rd.problem(e.sh, e.row, col, l, cp.Message, translateCheck(cp.Message))
				found = true
				break
			}
			if cur == "" {
				break
			}
			if i := strings.LastIndexAny(cur, ".["); i >= 0 {
				cur = cur[:i]
			} else {
				cur = ""
			}
		}
		if !found {
			p = Problem{Message: cp.Message, MessageZH: translateCheck(cp.Message), col: -1}
		}
		if have[key(p)] {
			continue
		}
		have[key(p)] = true
		rd.probs = append(rd.probs, p)
	}
}
