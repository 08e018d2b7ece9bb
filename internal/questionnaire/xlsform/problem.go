package xlsform

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Problem is one thing wrong with a workbook (or, as a warning, worth
// knowing about it), located by sheet, row and column. Row is 1-based as
// spreadsheets number them (row 1 is the header); it and Column are empty
// when the problem concerns the whole workbook or sheet.
type Problem struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"` // the column's letter, e.g. "D"
	Header string `json:"header,omitempty"` // the column's header, e.g. "relevant"
	// Message is in English, MessageZH in Chinese; Text picks one.
	Message   string `json:"message"`
	MessageZH string `json:"message_zh"`

	col int // 0-based column index, for ordering; -1 none
}

// Text returns the message in lang: Chinese for zh-CN (and zh), English
// otherwise.
func (p Problem) Text(lang string) string {
	if strings.HasPrefix(lang, "zh") && p.MessageZH != "" {
		return p.MessageZH
	}
	return p.Message
}

// Where writes the problem's place in lang, e.g. "survey row 7, column D
// (relevant)" or "工作表 survey 第 7 行 D 列（relevant）".
func (p Problem) Where(lang string) string {
	zh := strings.HasPrefix(lang, "zh")
	var b strings.Builder
	if p.Sheet != "" {
		if zh {
			fmt.Fprintf(&b, "工作表 %s", p.Sheet)
		} else {
			b.WriteString(p.Sheet)
		}
	}
	if p.Row > 0 {
		if zh {
			fmt.Fprintf(&b, " 第 %d 行", p.Row)
		} else {
			fmt.Fprintf(&b, " row %d", p.Row)
		}
	}
	if p.Column != "" {
		switch {
		case zh && p.Header != "":
			fmt.Fprintf(&b, " %s 列（%s）", p.Column, p.Header)
		case zh:
			fmt.Fprintf(&b, " %s 列", p.Column)
		case p.Header != "":
			fmt.Fprintf(&b, ", column %s (%s)", p.Column, p.Header)
		default:
			fmt.Fprintf(&b, ", column %s", p.Column)
		}
	}
	return strings.TrimSpace(b.String())
}

// String is the problem in English: place, then message.
func (p Problem) String() string { return p.Local("en") }

// Local is the problem with its place in lang.
func (p Problem) Local(lang string) string {
	w := p.Where(lang)
	if w == "" {
		return p.Text(lang)
	}
	sep := ": "
	if strings.HasPrefix(lang, "zh") {
		sep = "："
	}
	return w + sep + p.Text(lang)
}

// Problems is every problem of a workbook: the error of Read.
type Problems []Problem

// Error lists the problems one per line, in English.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

var sheetOrder = []string{sheetSettings, sheetSurvey, sheetChoices, sheetIndicators}

// maxProblems bounds the problems reported for one workbook: a sheet of
// garbage would otherwise give one per cell.
const maxProblems = 200

// capped keeps the first maxProblems and says how many more there were.
func (ps Problems) capped() Problems {
	if len(ps) <= maxProblems {
		return ps
	}
	more := len(ps) - maxProblems
	return append(ps[:maxProblems:maxProblems], Problem{
		Message:   fmt.Sprintf("and %d more problems", more),
		MessageZH: fmt.Sprintf("另有 %d 个问题未列出", more), col: -1})
}

// sorted orders problems by sheet (settings, survey, choices, indicators),
// row and column, keeping the order of discovery within a cell.
func (ps Problems) sorted() Problems {
	rank := func(s string) int {
		if i := slices.Index(sheetOrder, strings.ToLower(s)); i >= 0 {
			return i
		}
		return -1
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(rank(a.Sheet), rank(b.Sheet)), cmp.Compare(a.Row, b.Row), cmp.Compare(a.col, b.col))
	})
	return ps
}

// checkZH translates the messages of questionnaire.Check that a workbook
// can cause into Chinese; a message matching none keeps its English words
// after a Chinese lead.
var checkZH = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^(.*?)(?:: )?(label|title|help|message|intro) missing for language (\S+)$`), "$1：缺少 $3 语言的 $2"},
	{regexp.MustCompile(`^(.*?)(?:: )?(label|title|help|message|intro) is required$`), "$1：必须填写 $2"},
	{regexp.MustCompile(`^id is required$`), "必须填写问卷编号（settings 表的 form_id）"},
	{regexp.MustCompile(`^id "(.*)" must be a slug of at most (\d+) lower-case letters, digits and hyphens$`), "问卷编号“$1”只能由小写字母、数字和连字符组成，最多 $2 个字符"},
	{regexp.MustCompile(`^question (\S+): code must start with a letter and hold only letters, digits and '_' \(at most 32\)$`), "题目 $1：名称须以字母开头，只含字母、数字和“_”（最多 32 个字符）"},
	{regexp.MustCompile(`^(.*): a (\S+) question needs at least two options$`), "$1：$2 题至少需要两个选项"},
	{regexp.MustCompile(`^(.*): an integer question needs min and max$`), "$1：整数题需要取值范围（constraint：. >= a and . <= b）"},
	{regexp.MustCompile(`^(.*): min (-?\d+) is greater than max (-?\d+)$`), "$1：下限 $2 大于上限 $3"},
	{regexp.MustCompile(`^(.*): needs at least one question$`), "$1：至少需要一道题"},
	{regexp.MustCompile(`^(.*): duplicate section id \(first: .*\)$`), "$1：分组名称重复"},
	{regexp.MustCompile(`^(.*): duplicate option code (\d+)$`), "$1：选项代码 $2 重复"},
	{regexp.MustCompile(`^(.*): condition refers to later question (\S+)$`), "$1：条件引用了后面的题目 $2"},
	{regexp.MustCompile(`^(.*): condition refers to unknown question (\S+)$`), "$1：条件引用了不存在的题目 $2"},
	{regexp.MustCompile(`^(.*): condition: (-?\d+) is not an option of (\S+)$`), "$1：条件中的 $2 不是 $3 的选项"},
	{regexp.MustCompile(`^(.*): condition: (-?\d+) is outside the range (-?\d+) to (-?\d+) of (\S+)$`), "$1：条件中的 $2 超出了 $5 的取值范围 $3 至 $4"},
	{regexp.MustCompile(`^(.*): exclusive is only for multiple-choice options$`), "$1：只有多选题的选项可以设为互斥（exclusive）"},
	{regexp.MustCompile(`^(.*): a (\S+) option of a multiple-choice question must be exclusive$`), "$1：多选题的 $2 选项必须设为互斥（exclusive）"},
	{regexp.MustCompile(`^(.*): unknown disposition "(.*)" \(known: (.*)\)$`), "$1：未知的结束状态“$2”（可用：$3）"},
	{regexp.MustCompile(`^(.*): (?:question|of): unknown (?:question|indicator) (\S+)$`), "$1：不存在的 $2"},
	{regexp.MustCompile(`^(.*): unknown kind "(.*)" \(known: (.*)\)$`), "$1：未知的指标类型“$2”（可用：$3）"},
	{regexp.MustCompile(`^(.*): unknown role "(.*)" \(known: (.*)\)$`), "$1：未知的四率角色“$2”（可用：$3）"},
	{regexp.MustCompile(`^(.*): the target of a rate is a proportion between 0 and 1 \(e\.g\. 0\.90\), not (.*)$`), "$1：比率的目标值应是 0 到 1 之间的比例（如 0.90），不是 $2"},
	{regexp.MustCompile(`^(.*): duplicate indicator id \(first: .*\)$`), "$1：指标编号重复"},
}

// translateCheck returns a questionnaire.Check message in Chinese.
func translateCheck(msg string) string {
	for _, t := range checkZH {
		if t.re.MatchString(msg) {
			out := t.re.ReplaceAllString(msg, t.repl)
			return strings.TrimPrefix(out, "：")
		}
	}
	return "问卷检查未通过：" + msg
}
