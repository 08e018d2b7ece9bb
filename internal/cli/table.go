package cli

import (
	"bytes"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// table writes tab-separated lines as columns aligned by display width:
// a Chinese character takes two terminal columns, a Latin letter one, a
// combining mark none. text/tabwriter counts runes, so every table with a
// street or community name in it came out ragged. Use it as tabwriter:
// write lines whose cells end in '\t', then Flush. The last cell of a line
// is not padded; cells are separated by two spaces.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

// newTable returns a table writing to w when flushed.
func newTable(w io.Writer) *table { return &table{w: w} }

// Write buffers p; nothing is written before Flush.
func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// tableGap separates columns.
const tableGap = 2

// Flush writes the buffered lines, aligned, and empties the buffer.
func (t *table) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	var rows [][]string
	for _, line := range strings.Split(text, "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	var widths []int // of every column that is followed by another
	for _, r := range rows {
		for i, c := range r[:len(r)-1] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+tableGap))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// displayWidth is the number of terminal columns s takes: two for East
// Asian wide and fullwidth characters (汉字, ，, Ａ), none for combining
// marks and format characters, one for the rest. Ambiguous-width
// characters (·, —) count one, as terminals outside a CJK locale show them.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case width.LookupRune(r).Kind() == width.EastAsianWide, width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
