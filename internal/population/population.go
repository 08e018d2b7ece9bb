// Package population reads population counts (人口数) for calibrating a
// round's weights: a CSV or XLSX table with one row per street and
// combination of categories of a questionnaire's demographic questions
// (e.g. 街道 × 性别 × 年龄组) and the number of people (人数) or of
// households (户数) in it. It checks
// every row against the frame's streets and the questionnaire's questions
// and options, and reports every problem with its line; it needs no
// database.
package population

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// MaxCount bounds one count: more people than live in any country is a
// typing error.
const MaxCount = 2e9

// maxProblems is how many problems an error lists.
const maxProblems = 100

// Table is a checked population table.
type Table struct {
	// Unit is what the count column's header says it counts: "person"
	// (人数, 人口, persons), "household" (户数, households), or "" when
	// it does not say (数量, count).
	Unit string `json:"unit"`
	// CountHeader is that header, as the file writes it.
	CountHeader string `json:"count_header"`
	// Variables are the question codes of the category columns, in file order.
	Variables []string `json:"variables"`
	Rows      []Row    `json:"rows"`
	Total     float64  `json:"total"`
}

// Row is one count: a street and one option code per variable.
type Row struct {
	Line     int     `json:"line"`
	StreetID int64   `json:"street_id"`
	Codes    []int   `json:"codes"`
	Count    float64 `json:"count"`
}

// Cell returns the row's codes as stored: joined by ','.
func (r Row) Cell() string { return CellKey(r.Codes) }

// CellKey joins option codes with ','.
func CellKey(codes []int) string {
	var b strings.Builder
	for i, c := range codes {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(c))
	}
	return b.String()
}

// ParseCell reads a stored cell.
func ParseCell(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("population cell %q: %w", s, err)
		}
		out[i] = n
	}
	return out, nil
}

// Problem is one thing wrong with the file.
type Problem struct {
	Line    int    `json:"line"` // 0: the whole file
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// Problems is the error Read returns: every problem (up to a cap), in file
// order, and how many there were in all.
type Problems struct {
	List  []Problem `json:"problems"`
	Total int       `json:"total"`
}

func (p *Problems) add(line int, format string, args ...any) {
	p.Total++
	if len(p.List) < maxProblems {
		p.List = append(p.List, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *Problems) Error() string {
	var b strings.Builder
	if p.Total == 1 {
		return p.List[0].String()
	}
	fmt.Fprintf(&b, "%d problems:", p.Total)
	for _, x := range p.List {
		b.WriteString("\n")
		b.WriteString(x.String())
	}
	if more := p.Total - len(p.List); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more", more)
	}
	return b.String()
}

// Headers of the street and count columns (Chinese or English). A count
// header says what is counted: people, households, or nothing.
var (
	streetHeaders    = []string{"街道", "街道（乡镇）", "乡镇", "street"}
	personHeaders    = []string{"人数", "人口", "人口数", "persons", "people"}
	householdHeaders = []string{"户数", "住户数", "家庭户数", "households"}
	countHeaders     = []string{"数量", "count", "population"}
)

// Read reads a population table. name is the file name (".xlsx" is read
// as a workbook, anything else as CSV, UTF-8 with or without BOM); streets
// maps the names of the frame's streets to their ids; def is the
// questionnaire whose single-choice questions name the category columns.
// A column header is a question's code (E1), its label, or a word of its
// label (性别, 年龄组 for 年龄); a category is an option's code or label.
func Read(r io.Reader, name string, streets map[string]int64, def *questionnaire.Definition) (*Table, error) {
	records, err := records(r, name)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "%s cannot be read as %s: %s", name, kindOf(name), err.Error())
	}
	probs := &Problems{}
	if len(records) == 0 {
		probs.add(0, "the file is empty: want a header (街道, the demographic questions, 人数) and one row per count")
		return nil, fail(name, probs)
	}
	header := records[0].rec
	streetCol, countCol, countHeader := -1, -1, ""
	var qcols []int
	var qs []*questionnaire.Question
	for c, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch {
		case h == "":
			continue
		case anyFold(h, streetHeaders):
			streetCol = c
		case anyFold(h, personHeaders), anyFold(h, householdHeaders), anyFold(h, countHeaders):
			if countCol >= 0 {
				probs.add(records[0].line, "column %d (%s): a second count column", c+1, h)
				continue
			}
			countCol, countHeader = c, h
		default:
			q, msg := matchQuestion(def, h)
			if q == nil {
				probs.add(records[0].line, "column %d (%s): %s", c+1, h, msg)
				continue
			}
			for _, o := range qs {
				if o == q {
					probs.add(records[0].line, "column %d (%s): question %s has two columns", c+1, h, q.Code)
				}
			}
			qs = append(qs, q)
			qcols = append(qcols, c)
		}
	}
	if streetCol < 0 {
		probs.add(records[0].line, "no street column: name one 街道")
	}
	if countCol < 0 {
		probs.add(records[0].line, "no count column: name one 人数 (people) or 户数 (households)")
	}
	if probs.Total > 0 {
		return nil, fail(name, probs)
	}
	t := &Table{Variables: make([]string, len(qs)), CountHeader: countHeader}
	switch {
	case anyFold(countHeader, personHeaders):
		t.Unit = "person"
	case anyFold(countHeader, householdHeaders):
		t.Unit = "household"
	}
	for i, q := range qs {
		t.Variables[i] = q.Code
	}
	seen := map[string]int{}
	for _, rc := range records[1:] {
		rec, line := rc.rec, rc.line
		if blank(rec) {
			continue
		}
		cell := func(c int) string {
			if c < len(rec) {
				return strings.TrimSpace(rec[c])
			}
			return ""
		}
		row := Row{Line: line, Codes: make([]int, len(qs))}
		bad := false
		st := cell(streetCol)
		if msg := textcheck.Field(st); msg != "" {
			probs.add(line, "street %s", msg)
			bad = true
		} else if id, ok := streets[st]; !ok {
			if st == "" {
				probs.add(line, "the street is empty")
			} else {
				probs.add(line, "street %q is not in the frame", st)
			}
			bad = true
		} else {
			row.StreetID = id
		}
		for i, q := range qs {
			v := cell(qcols[i])
			code, msg := matchOption(q, v)
			if msg != "" {
				probs.add(line, "%s: %s", q.Code, msg)
				bad = true
				continue
			}
			row.Codes[i] = code
		}
		cv := cell(countCol)
		n, err := strconv.ParseFloat(strings.ReplaceAll(cv, ",", ""), 64)
		if err != nil || math.IsNaN(n) || n < 0 || n > MaxCount {
			probs.add(line, "count %q is not a number of people from 0 to %.0f", cv, float64(MaxCount))
			bad = true
		}
		row.Count = n
		if bad {
			continue
		}
		key := strconv.FormatInt(row.StreetID, 10) + ":" + row.Cell()
		if first, dup := seen[key]; dup {
			probs.add(line, "the same street and categories as line %d", first)
			continue
		}
		seen[key] = line
		t.Rows = append(t.Rows, row)
		t.Total += n
	}
	if probs.Total == 0 && len(t.Rows) == 0 {
		probs.add(0, "the file has a header but no counts")
	}
	if probs.Total > 0 {
		return nil, fail(name, probs)
	}
	return t, nil
}

func fail(name string, p *Problems) error {
	// The message lists the problems (the API answers it, with the list
	// again in details); no wrapped error repeats them in Error().
	return &apperr.Error{Kind: apperr.Invalid, Message: "nothing was imported from " + name + ": " + p.Error(), Details: p}
}

func kindOf(name string) string {
	if isXLSX(name) {
		return "a workbook (.xlsx)"
	}
	return "CSV"
}

func isXLSX(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".xlsx") }

type record struct {
	rec  []string
	line int
}

// records reads every record with its line (CSV) or row (XLSX) number.
// Population tables are small (streets × categories), so they are read whole.
func records(r io.Reader, name string) ([]record, error) {
	var out []record
	if isXLSX(name) {
		f, err := excelize.OpenReader(r)
		if err != nil {
			return nil, errors.New("not a workbook")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, errors.New("the workbook has no worksheet")
		}
		rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, errors.New("the first worksheet cannot be read")
		}
		for i, rec := range rows {
			if len(out) == 0 && blank(rec) {
				continue
			}
			out = append(out, record{rec, i + 1})
		}
		return out, nil
	}
	br := bufio.NewReader(r)
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, errors.New("read error")
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8 text (save it as CSV UTF-8)")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: %s", pe.StartLine, textcheck.CSVProblem(pe.Err))
			}
			return nil, errors.New("read error")
		}
		line, _ := cr.FieldPos(0)
		if len(out) == 0 && blank(rec) {
			continue
		}
		out = append(out, record{rec, line})
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func anyFold(h string, list []string) bool {
	for _, s := range list {
		if strings.EqualFold(h, s) {
			return true
		}
	}
	return false
}

// norm folds what people type differently into one form: spaces removed,
// every kind of dash as '-', full-width brackets as ASCII.
func norm(s string) string {
	r := strings.NewReplacer(" ", "", "\u3000", "", "—", "-", "–", "-", "－", "-", "～", "-", "~", "-", "至", "-", "（", "(", "）", ")")
	return strings.ToLower(r.Replace(strings.TrimSpace(s)))
}

// matchQuestion finds the single-choice question a header names.
func matchQuestion(def *questionnaire.Definition, h string) (*questionnaire.Question, string) {
	if q := def.Question(h); q != nil {
		return choice(q)
	}
	if code, _, ok := strings.Cut(h, " "); ok {
		if q := def.Question(code); q != nil {
			return choice(q)
		}
	}
	nh := norm(h)
	short := strings.TrimRight(nh, "组段")
	var found []*questionnaire.Question
	for _, q := range def.Questions() {
		if q.Type != questionnaire.TypeSingleChoice && q.Type != questionnaire.TypeYesNo {
			continue
		}
		for _, l := range q.Label {
			nl := norm(l)
			if nl == nh || (short != "" && strings.Contains(nl, short)) {
				found = append(found, q)
				break
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, "not a question of questionnaire " + def.ID + " (use a question code such as E1)"
	case 1:
		return found[0], ""
	}
	codes := make([]string, len(found))
	for i, q := range found {
		codes[i] = q.Code
	}
	return nil, "matches questions " + strings.Join(codes, ", ") + "; use the question code"
}

func choice(q *questionnaire.Question) (*questionnaire.Question, string) {
	if q.Type != questionnaire.TypeSingleChoice && q.Type != questionnaire.TypeYesNo {
		return nil, "question " + q.Code + " is not a single-choice question"
	}
	return q, ""
}

// matchOption finds the option a category names, by code or label.
func matchOption(q *questionnaire.Question, v string) (int, string) {
	if v == "" {
		return 0, "the category is empty"
	}
	if n, err := strconv.Atoi(v); err == nil {
		if o := q.Option(n); o != nil && o.Special == "" {
			return n, ""
		}
	}
	nv := norm(v)
	for _, o := range q.Options {
		if o.Special != "" {
			continue
		}
		for _, l := range o.Label {
			if norm(l) == nv {
				return o.Code, ""
			}
		}
	}
	if msg := textcheck.Field(v); msg != "" {
		return 0, "the category " + msg
	}
	return 0, fmt.Sprintf("%q is not a category of %s (%s)", v, q.Code, optionList(q))
}

func optionList(q *questionnaire.Question) string {
	var parts []string
	for _, o := range q.Options {
		if o.Special == "" {
			parts = append(parts, fmt.Sprintf("%d %s", o.Code, o.Label["zh-CN"]))
		}
	}
	return strings.Join(parts, ", ")
}
