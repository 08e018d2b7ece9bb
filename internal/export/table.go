package export

import (
	"io"
	"math"
	"strconv"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Format is a file format a Book writes.
type Format string

// The formats.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// ParseFormat reads "csv" or "xlsx" ("" is csv).
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "csv":
		return FormatCSV, nil
	case "xlsx":
		return FormatXLSX, nil
	}
	return "", apperr.WithFields("unknown format", map[string]string{"format": "csv or xlsx"})
}

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	if f == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Kind says how a column's cells are written and shown.
type Kind int

// The kinds of column.
const (
	Text     Kind = iota // a string, defused in CSV
	Integer              // an int64 (or int)
	Number               // a float64 at full precision; NaN and ±Inf are empty
	Fraction             // a float64 between 0 and 1, shown as a percentage in XLSX
	Time                 // a time.Time, ISO 8601 with its offset in Options.Location (CSV and XLSX alike); the zero time is empty
)

// Column is a column of a table.
type Column struct {
	Name  string
	Kind  Kind
	Width float64 // XLSX column width in characters; 0 for a default by kind
}

// Options are a Book's options.
type Options struct {
	// NoBOM leaves out the UTF-8 byte-order mark of a CSV file.
	NoBOM bool
	// Creator names the program that wrote an XLSX workbook (its
	// document properties; a CSV file has nowhere to say it).
	Creator string
	// Location is the zone a Time cell is written in, as ISO 8601 with the
	// zone's offset (2026-11-21T00:30:00+05:30), in CSV and XLSX alike, so
	// that no reader takes one zone's clock for another's: the district's
	// for what a person reads; nil is UTC (2026-11-20T19:00:00Z).
	Location *time.Location
}

// isoTime writes a Time cell: ISO 8601 (RFC 3339) with the offset of loc
// (nil: UTC).
func isoTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.RFC3339)
}

// Book writes tables in a format: a CSV file holds one table, an XLSX
// workbook one sheet per table. Tables are written one after another: a
// table is finished by the next call to Table or by Close.
type Book interface {
	// Table starts a table (an XLSX sheet named name) with its header.
	Table(name string, cols []Column) (Table, error)
	// Close finishes the last table and writes what is buffered.
	Close() error
}

// Table takes the rows of a table. A row has one cell per column: string
// for Text, int64 or int for Integer, float64 for Number and Fraction,
// time.Time for Time; nil is an empty cell.
type Table interface {
	Row(cells []any) error
}

// NewBook returns a Book writing format f to w.
func NewBook(w io.Writer, f Format, o Options) (Book, error) {
	switch f {
	case FormatCSV:
		return &csvBook{w: w, bom: !o.NoBOM, loc: o.Location}, nil
	case FormatXLSX:
		return newXLSXBook(w, o.Creator, o.Location)
	}
	return nil, apperr.New(apperr.Invalid, "unknown format %q", f)
}

// csvBook writes one table as CSV.
type csvBook struct {
	w    io.Writer
	bom  bool
	c    *CSV
	cols []Column
	rec  []string
	buf  []byte
	loc  *time.Location // of Time cells
}

func (b *csvBook) Table(name string, cols []Column) (Table, error) {
	if b.c != nil {
		return nil, apperr.New(apperr.Internal, "a CSV file holds one table (%s)", name)
	}
	if b.bom {
		b.c = NewCSV(b.w)
	} else {
		b.c = NewCSVNoBOM(b.w)
	}
	b.cols = cols
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	b.c.Write(header)
	b.rec = make([]string, len(cols))
	return b, nil
}

func (b *csvBook) Row(cells []any) error {
	if len(cells) != len(b.cols) {
		return apperr.New(apperr.Internal, "%d cells for %d columns", len(cells), len(b.cols))
	}
	for i, v := range cells {
		s, ok := b.format(v)
		if !ok {
			return apperr.New(apperr.Internal, "column %s: a cell of type %T", b.cols[i].Name, v)
		}
		b.rec[i] = s
	}
	b.c.WriteRaw(b.rec)
	return b.c.err
}

// format writes a cell: text defused, numbers at full precision; ok is
// false for a type a table does not take.
func (b *csvBook) format(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return Cell(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", true
		}
		b.buf = strconv.AppendFloat(b.buf[:0], x, 'g', -1, 64)
		return string(b.buf), true
	case time.Time:
		if x.IsZero() {
			return "", true
		}
		return isoTime(x, b.loc), true
	}
	return "", false
}

func (b *csvBook) Close() error {
	if b.c == nil {
		return nil
	}
	return b.c.Flush()
}
