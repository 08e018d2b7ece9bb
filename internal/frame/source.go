package frame

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// source yields the raw records of a file with their line numbers.
type source interface {
	// next returns the next record and the line it starts on, or io.EOF.
	// A *csv.ParseError concerns one record only: reading may go on.
	next() (rec []string, line int, err error)
	close() error
}

// csvSource reads delimited text. Records are reused between calls, but the
// strings in them are not, so rows stay valid after the next call.
type csvSource struct {
	r *csv.Reader
}

func newCSVSource(br *bufio.Reader, opts Options) (*csvSource, Encoding, rune, error) {
	text, enc, err := decodeText(br, opts.Encoding)
	if err != nil {
		return nil, enc, 0, err
	}
	comma := opts.Comma
	// Buffer the decoded text too, so the delimiter can be sniffed from it.
	tb, ok := text.(*bufio.Reader)
	if !ok {
		tb = bufio.NewReaderSize(text, sniffSize)
	}
	if comma == 0 {
		head, err := peek(tb)
		if err != nil {
			return nil, enc, 0, err
		}
		comma = sniffComma(head)
	}
	if !validComma(comma) {
		return nil, enc, 0, fmt.Errorf("invalid CSV delimiter %q", comma)
	}
	cr := csv.NewReader(tb)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // the reader checks counts against the header itself
	cr.LazyQuotes = true    // hand-edited registers put quotes inside addresses
	cr.ReuseRecord = true
	return &csvSource{r: cr}, enc, comma, nil
}

func validComma(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != 0xFFFD
}

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, err
		}
		return nil, 0, err
	}
	line, _ := s.r.FieldPos(0)
	return rec, line, nil
}

func (s *csvSource) close() error { return nil }

// xlsxSource streams the rows of one worksheet. Empty rows come back as empty
// records, so the line number is the spreadsheet's row number.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("frame: opening workbook: %w", err)
	}
	if sheet == "" {
		list := f.GetSheetList()
		if len(list) == 0 {
			_ = f.Close()
			return nil, errors.New("frame: the workbook has no worksheet")
		}
		sheet = list[0]
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("frame: worksheet %q: %w", sheet, err)
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (s *xlsxSource) next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, s.line, err
		}
		return nil, s.line, io.EOF
	}
	s.line++
	// Raw values: a household number formatted as "1,001" or a date format
	// applied by mistake must not change the id.
	rec, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	return rec, s.line, err
}

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.f.Close())
}

type csvParseError = csv.ParseError
