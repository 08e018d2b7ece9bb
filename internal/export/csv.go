// Package export writes minyi's tables for other programs: CSV that Excel
// on a Chinese Windows opens correctly (UTF-8 with a byte-order mark, unless
// asked not to) and that cannot smuggle a formula into a spreadsheet, and
// XLSX written row by row with excelize's stream writer. Every table the
// CLI and the API write goes through a Book (table.go), so the rules live
// in one place.
package export

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSV writes records with a leading UTF-8 byte-order mark and defused text
// cells.
type CSV struct {
	w   *csv.Writer
	bom bool
	out io.Writer
	err error
}

// NewCSV returns a CSV writer on w; nothing is written until the first
// record, which the byte-order mark precedes.
func NewCSV(w io.Writer) *CSV { return &CSV{w: csv.NewWriter(w), out: w} }

// NewCSVNoBOM returns a CSV writer on w without the byte-order mark (for
// programs that take it for part of the first column's name).
func NewCSVNoBOM(w io.Writer) *CSV { return &CSV{w: csv.NewWriter(w), out: w, bom: true} }

// Write writes one record; text cells are defused (see Cell). Numbers
// written with strconv never need it, and a negative number keeps its
// sign: use WriteRaw for records of numbers only.
func (c *CSV) Write(record []string) {
	out := make([]string, len(record))
	for i, s := range record {
		out[i] = Cell(s)
	}
	c.WriteRaw(out)
}

// WriteRaw writes one record as it is (for cells the caller formatted,
// such as numbers).
func (c *CSV) WriteRaw(record []string) {
	if c.err != nil {
		return
	}
	if !c.bom {
		c.bom = true
		if _, c.err = io.WriteString(c.out, "\ufeff"); c.err != nil {
			return
		}
	}
	c.err = c.w.Write(record)
}

// Flush writes what is buffered and returns the first error.
func (c *CSV) Flush() error {
	if c.err != nil {
		return c.err
	}
	c.w.Flush()
	return c.w.Error()
}

// Cell defuses text that a spreadsheet would take for a formula (OWASP's
// advice on CSV injection): a leading =, +, -, @, tab or carriage return
// gets an apostrophe in front.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
