package frame

import (
	"fmt"
	"strings"
)

// Problem codes: stable identifiers of the validation rules, for callers that
// translate messages or count problems by kind.
const (
	CodeEmptyFile      = "empty_file"
	CodeMissingColumn  = "missing_column"
	CodeEmptyValue     = "empty_value"
	CodeBadSize        = "bad_size"
	CodeColumnCount    = "column_count"
	CodeDuplicate      = "duplicate_household"
	CodeInvalidText    = "invalid_text"
	CodeMalformedQuote = "malformed_csv"
)

// Problem is one thing wrong with a frame file.
type Problem struct {
	// Line is the 1-based line (CSV) or row (XLSX) number; 0 for the whole file.
	Line int `json:"line"`
	// Column is the 1-based column number; 0 when the problem is the whole row.
	Column int `json:"column,omitempty"`
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Message is a readable English sentence without the line number.
	Message string `json:"message"`
}

// String formats the problem as "line 17: household id is empty".
func (p Problem) String() string {
	if p.Line <= 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// Errors is the error a Reader returns when a frame has problems. It keeps
// the first problems, in file order, up to the reader's cap; Total counts all
// of them.
type Errors struct {
	Problems []Problem `json:"problems"`
	Total    int       `json:"total"`
}

// Error lists the kept problems one per line, with a count first when there
// is more than one.
func (e *Errors) Error() string {
	if e == nil || e.Total == 0 {
		return "frame: no problems"
	}
	if e.Total == 1 && len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "frame has %d problems:", e.Total)
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	if more := e.Total - len(e.Problems); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more", more)
	}
	return b.String()
}

// add records a problem, keeping it only while under the cap.
func (e *Errors) add(max int, p Problem) {
	e.Total++
	if len(e.Problems) < max {
		e.Problems = append(e.Problems, p)
	}
}
