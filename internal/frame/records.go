package frame

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Record is one row of a small table read whole, with its line (CSV) or
// row (XLSX) number.
type Record struct {
	Line   int
	Fields []string
}

// Records reads a small table (an account list, say) whole, with the same
// detection as NewReader: XLSX or CSV by content, and for CSV the encoding
// (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, which reads
// GBK) and the delimiter, unless opts names them. Blank rows are left out.
// A malformed CSV record is an error naming its line.
func Records(in io.Reader, opts Options) ([]Record, Encoding, error) {
	br := bufio.NewReaderSize(in, sniffSize)
	head, err := peek(br)
	if err != nil {
		return nil, 0, fmt.Errorf("frame: %w", err)
	}
	format := opts.Format
	if format == FormatAuto {
		switch {
		case bytes.HasPrefix(head, zipMagic):
			format = FormatXLSX
		case bytes.HasPrefix(head, oleMagic):
			return nil, 0, errors.New("legacy .xls and encrypted workbooks are not supported; save the sheet as .xlsx or CSV")
		default:
			format = FormatCSV
		}
	}
	var src source
	enc := EncodingUTF8
	switch format {
	case FormatXLSX:
		x, err := newXLSXSource(br, opts.Sheet)
		if err != nil {
			return nil, 0, err
		}
		src = x
	default:
		c, e, _, err := newCSVSource(br, opts)
		if err != nil {
			return nil, 0, err
		}
		src, enc = c, e
	}
	defer src.close()
	var out []Record
	for {
		rec, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return out, enc, nil
		}
		if pe := parseError(err); pe != nil {
			return nil, enc, fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)
		}
		if err != nil {
			return nil, enc, err
		}
		if blank(rec) {
			continue
		}
		out = append(out, Record{Line: line, Fields: append([]string(nil), rec...)})
	}
}
