package export

import (
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// MaxXLSXRows is the number of data rows a sheet holds: Excel's limit of
// 1,048,576 rows, less the header.
const MaxXLSXRows = 1<<20 - 1

// xlsxBook writes a workbook with excelize's stream writer: rows go to a
// temporary file as they come, so memory stays flat however many there are.
// Text cells are written as text, never as formulas, so they need no
// defusing.
type xlsxBook struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	sheets int
	row    int
	cols   []Column
	vals   []any
	styles map[Kind]int
	err    error
	loc    *time.Location // of Time cells
}

func newXLSXBook(w io.Writer, creator string, loc *time.Location) (*xlsxBook, error) {
	b := &xlsxBook{out: w, f: excelize.NewFile(), loc: loc}
	if creator != "" {
		if err := b.f.SetDocProps(&excelize.DocProperties{Creator: creator, LastModifiedBy: creator}); err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "xlsx properties")
		}
	}
	return b, nil
}

// style returns the style of a kind of column (0: the default).
func (b *xlsxBook) style(k Kind) (int, error) {
	if b.styles == nil {
		b.styles = map[Kind]int{}
		defs := map[Kind]*excelize.Style{
			Fraction: {NumFmt: 10}, // 0.00%
			-1:       {Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}},
		}
		for k, s := range defs {
			id, err := b.f.NewStyle(s)
			if err != nil {
				return 0, apperr.Wrap(apperr.Internal, err, "xlsx style")
			}
			b.styles[k] = id
		}
	}
	return b.styles[k], nil
}

func (b *xlsxBook) Table(name string, cols []Column) (Table, error) {
	if err := b.finish(); err != nil {
		return nil, err
	}
	var err error
	if b.sheets == 0 {
		err = b.f.SetSheetName("Sheet1", name)
	} else {
		_, err = b.f.NewSheet(name)
	}
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
	}
	b.sheets++
	if b.sw, err = b.f.NewStreamWriter(name); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
	}
	// Widths and column styles go before the first row.
	for i, c := range cols {
		w := c.Width
		if w == 0 {
			w = map[Kind]float64{Text: 14, Integer: 10, Number: 12, Fraction: 10, Time: 26}[c.Kind]
		}
		if err := b.sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
		}
		if st, err := b.style(c.Kind); err != nil {
			return nil, err
		} else if st > 0 {
			if err := b.sw.SetColStyle(i+1, i+1, st); err != nil {
				return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
			}
		}
	}
	if err := b.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
	}
	head, err := b.style(-1)
	if err != nil {
		return nil, err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: head, Value: c.Name}
	}
	if err := b.sw.SetRow("A1", header); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "sheet %q", name)
	}
	b.row, b.cols, b.vals = 1, cols, make([]any, len(cols))
	return b, nil
}

func (b *xlsxBook) Row(cells []any) error {
	if b.err != nil {
		return b.err
	}
	if len(cells) != len(b.cols) {
		return apperr.New(apperr.Internal, "%d cells for %d columns", len(cells), len(b.cols))
	}
	if b.row > MaxXLSXRows {
		b.err = apperr.New(apperr.Invalid, "more than %d rows do not fit in an XLSX sheet: export CSV", MaxXLSXRows)
		return b.err
	}
	b.row++
	for i, v := range cells {
		switch x := v.(type) {
		case float64:
			if x != x || x > 1e308 || x < -1e308 { // NaN, ±Inf: empty
				v = nil
			}
		case time.Time:
			if x.IsZero() {
				v = nil
			} else {
				v = isoTime(x, b.loc) // text with its offset, as in CSV: an Excel date has no zone
			}
		}
		b.vals[i] = v
	}
	cell, _ := excelize.CoordinatesToCellName(1, b.row)
	if err := b.sw.SetRow(cell, b.vals); err != nil {
		b.err = apperr.Wrap(apperr.Internal, err, "xlsx row %d", b.row)
	}
	return b.err
}

// finish flushes the current sheet.
func (b *xlsxBook) finish() error {
	if b.sw == nil {
		return b.err
	}
	err := b.sw.Flush()
	b.sw = nil
	if err != nil && b.err == nil {
		b.err = apperr.Wrap(apperr.Internal, err, "xlsx sheet")
	}
	return b.err
}

func (b *xlsxBook) Close() error {
	defer b.f.Close() // removes the stream writers' temporary files
	if err := b.finish(); err != nil {
		return err
	}
	if b.sheets == 0 {
		return apperr.New(apperr.Internal, "an XLSX workbook needs a sheet")
	}
	if _, err := b.f.WriteTo(b.out); err != nil {
		return apperr.Wrap(apperr.Internal, err, "write xlsx")
	}
	return nil
}
