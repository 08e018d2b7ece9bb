package questionnaire

import (
	"bytes"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/minyi-survey/minyi/internal/textcheck"
)

// maxTextProblems bounds the text problems reported for one file: a binary
// file would otherwise give one per line.
const maxTextProblems = 20

// badText reports, with line and column, every line of data that is not
// valid UTF-8 or holds a control character other than tab, CR and LF: a
// definition is text, and a database refuses a NUL byte in it.
func badText(file string, data []byte) Problems {
	var ps Problems
	line := 1
	for len(data) > 0 && len(ps) < maxTextProblems {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		l := data[:end]
		if textcheck.Field(string(l)) != "" {
			col, msg := firstBad(l)
			ps = append(ps, Problem{File: file, Line: line, Column: col, Message: "the line " + msg})
		}
		line++
		if end == len(data) {
			break
		}
		data = data[end+1:]
	}
	return ps
}

// firstBad returns the 1-based column (in characters) of the first bad
// character of l and what is wrong with it.
func firstBad(l []byte) (int, string) {
	col := 1
	for i := 0; i < len(l); col++ {
		_, n := utf8.DecodeRune(l[i:])
		if msg := textcheck.Field(string(l[i : i+n])); msg != "" {
			return col, msg
		}
		i += n
	}
	return col, textcheck.MsgInvalidUTF8
}

// badScalars reports every key or value that, once YAML or JSON escapes are
// decoded ("\0", "\u0000"), holds a control character.
func badScalars(file string, n *yaml.Node) Problems {
	var ps Problems
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil || len(ps) >= maxTextProblems {
			return
		}
		if n.Kind == yaml.ScalarNode {
			if msg := textcheck.Field(n.Value); msg != "" {
				ps = append(ps, Problem{File: file, Line: n.Line, Column: n.Column, Message: "the value " + msg})
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ps
}
