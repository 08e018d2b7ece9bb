package questionnaire

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a definition, located in its source.
// Line and Column are 1-based; they are 0 when the definition was not parsed
// from text (built in Go) or the problem concerns the whole input.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"` // e.g. sections[0].questions[2].show_if
	Message string `json:"message"`        // e.g. question A3: condition refers to later question B1
}

// String formats the problem like a compiler: file:line:col: message.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	switch {
	case p.Line > 0 && p.Column > 0:
		fmt.Fprintf(&b, "%d:%d:", p.Line, p.Column)
	case p.Line > 0:
		fmt.Fprintf(&b, "%d:", p.Line)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a definition. It is the error type of
// Parse, ParseJSON, Load and Check.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sorted orders problems by position, keeping the order of discovery for
// problems at the same place.
func (ps Problems) sorted() Problems {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return ps
}

// pos is a position in the source text.
type pos struct{ line, col int }

// at records where the parts of a value came from: "" is the value itself,
// a key its field ("positive"), key[i] the i-th element of a list field
// ("positive[2]") and key.k an entry of a mapping field ("label.en").
// It is nil for values built in Go.
type at map[string]pos

// get returns the position of key, falling back to the nearest recorded
// parent ("positive[2]" → "positive" → "").
func (a at) get(key string) pos {
	for {
		if p, ok := a[key]; ok {
			return p
		}
		if key == "" {
			return pos{}
		}
		if i := strings.LastIndexAny(key, ".["); i >= 0 {
			key = key[:i]
		} else {
			key = ""
		}
	}
}

// problemList collects problems for one file.
type problemList struct {
	file  string
	probs Problems
	// failed holds the paths of values the decoder already reported as
	// malformed; later checks stay silent about them and what they contain.
	failed map[string]bool
}

// silenced reports whether path or one of its parents failed to decode.
func (l *problemList) silenced(path string) bool {
	for {
		if l.failed[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}

// add records a problem at key of a (see at.get); path is the structural
// path of the value a belongs to, key is appended to it.
func (l *problemList) add(a at, path, key, format string, args ...any) {
	p := a.get(key)
	full := join(path, key)
	if l.silenced(full) {
		return
	}
	l.probs = append(l.probs, Problem{
		File: l.file, Line: p.line, Column: p.col, Path: full,
		Message: fmt.Sprintf(format, args...),
	})
}
