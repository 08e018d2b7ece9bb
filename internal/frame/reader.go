package frame

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/textcheck"
)

// headerSearchRows is how many non-empty rows may come before the header
// (titles, notes) before the reader gives up looking for it.
const headerSearchRows = 10

// Row is one household of the frame. Its strings stay valid after the next
// call to Next.
type Row struct {
	// Line is the 1-based line (CSV) or row (XLSX) number of the record.
	Line      int
	Street    string
	Community string
	Household string
	Building  string // "" when there is no building column or it is empty
	Size      int    // household size; 0 when unknown
	// Attrs are the non-empty values of the columns that are not fields, in
	// header order, keyed by header name.
	Attrs []Attr
}

// Attr is the value of an extra column.
type Attr struct {
	Key   string
	Value string
}

// field indexes into Reader.cols, in the order of Fields.
const (
	iStreet = iota
	iCommunity
	iHousehold
	iBuilding
	iSize
	numFields
)

// Reader streams the households of a frame file and validates them. See the
// package documentation for the rules.
type Reader struct {
	src    source
	xlsx   bool
	format Format
	enc    Encoding
	lay    *layout
	cols   [numFields]int // column of each field, -1 when absent
	max    int

	row   Row
	errs  Errors
	fatal error
	done  bool
	rows  int // valid rows returned

	tally  Tally
	names  names
	seen   map[[2]uint64]uint32 // household key → line of first occurrence
	h1, h2 maphash.Hash
	buf    [4]byte
}

// NewReader starts reading a frame from in and reads its header. It returns
// an *Errors when the file is empty or lacks a required column, and another
// error when in cannot be read or is not a workbook it can open. The caller
// must Close the reader.
func NewReader(in io.Reader, opts Options) (*Reader, error) {
	for f := range opts.Mapping {
		if !f.Valid() {
			return nil, fmt.Errorf("frame: unknown field %q in the column mapping (want street, community, household, building or size)", f)
		}
	}
	br := bufio.NewReaderSize(in, sniffSize)
	head, err := peek(br)
	if err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	r := &Reader{format: opts.Format, max: opts.maxErrors(), seen: make(map[[2]uint64]uint32)}
	if r.format == FormatAuto {
		switch {
		case bytes.HasPrefix(head, zipMagic):
			r.format = FormatXLSX
		case bytes.HasPrefix(head, oleMagic):
			return nil, errors.New("frame: legacy .xls and encrypted workbooks are not supported; save the sheet as .xlsx or CSV")
		default:
			r.format = FormatCSV
		}
	}
	switch r.format {
	case FormatXLSX:
		src, err := newXLSXSource(br, opts.Sheet)
		if err != nil {
			return nil, err
		}
		r.src, r.xlsx, r.enc = src, true, EncodingUTF8
	case FormatCSV:
		src, enc, _, err := newCSVSource(br, opts)
		if err != nil {
			return nil, fmt.Errorf("frame: %w", err)
		}
		r.src, r.enc = src, enc
	default:
		return nil, fmt.Errorf("frame: unknown format %v", opts.Format)
	}
	seed1, seed2 := maphash.MakeSeed(), maphash.MakeSeed()
	r.h1.SetSeed(seed1)
	r.h2.SetSeed(seed2)
	if err := r.readHeader(opts.Mapping); err != nil {
		_ = r.src.close()
		return nil, err
	}
	return r, nil
}

// readHeader finds the header row among the first non-empty rows.
func (r *Reader) readHeader(m Mapping) error {
	var (
		best        *layout
		bestMissing []Field
		bestLine    int
		seen        int
	)
	for seen < headerSearchRows {
		rec, line, err := r.src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if pe := parseError(err); pe != nil {
				r.problem(pe.StartLine, 0, CodeMalformedQuote, "malformed CSV: "+textcheck.CSVProblem(pe.Err))
				seen++
				continue
			}
			return fmt.Errorf("frame: line %d: %w", line, err)
		}
		if blank(rec) {
			continue
		}
		seen++
		lay, missing := resolve(rec, m)
		if len(missing) == 0 {
			for i, h := range rec { // header names become attribute keys
				if msg := textcheck.Field(h); msg != "" {
					r.problem(line, i+1, CodeInvalidText, fmt.Sprintf("the header of column %d %s", i+1, msg))
				}
			}
			r.useLayout(lay)
			return nil
		}
		if best == nil || len(missing) < len(bestMissing) {
			best, bestMissing, bestLine = lay, missing, line
		}
	}
	if best == nil {
		r.problem(0, 0, CodeEmptyFile, "the file is empty")
	} else {
		for _, f := range bestMissing {
			r.problem(bestLine, 0, CodeMissingColumn, missingMessage(f, m))
		}
	}
	e := r.errs
	return &e
}

func (r *Reader) useLayout(l *layout) {
	r.lay = l
	for i, f := range Fields {
		r.cols[i] = -1
		if c, ok := l.col[f]; ok {
			r.cols[i] = c
		}
	}
}

// Next advances to the next valid household. It returns false at the end of
// the file or on an error that stops reading; then call Err.
func (r *Reader) Next() bool {
	if r.done {
		return false
	}
	for {
		rec, line, err := r.src.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.finish()
				return false
			}
			if pe := parseError(err); pe != nil {
				r.problem(pe.StartLine, 0, CodeMalformedQuote, "malformed CSV: "+textcheck.CSVProblem(pe.Err))
				continue
			}
			r.fatal = fmt.Errorf("frame: line %d: %w", line, err)
			r.done = true
			return false
		}
		if r.parse(rec, line) {
			r.rows++
			return true
		}
	}
}

func (r *Reader) finish() {
	r.done = true
	if r.rows == 0 && r.errs.Total == 0 {
		r.problem(0, 0, CodeEmptyFile, "the file has a header but no households")
	}
}

func parseError(err error) *csvParseError {
	var pe *csvParseError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// parse validates rec and, when it is a good household, stores it in r.row.
// It reports false for blank and invalid rows.
func (r *Reader) parse(rec []string, line int) bool {
	if blank(rec) {
		return false
	}
	ok := true
	width := len(r.lay.header)
	if len(rec) != width {
		// Spreadsheets drop empty cells at the end of a row, so only extra
		// non-empty cells are wrong there.
		extra := len(rec) > width && !blank(rec[width:])
		if !r.xlsx || extra {
			r.problem(line, 0, CodeColumnCount,
				fmt.Sprintf("the row has %d columns but the header has %d", len(rec), width))
			ok = false
		}
	}
	for i, v := range rec {
		switch textcheck.Field(v) {
		case "":
			continue
		case textcheck.MsgInvalidUTF8:
			r.problem(line, i+1, CodeInvalidText, fmt.Sprintf(
				"column %d is not valid UTF-8 text (if the file comes from Excel on Chinese Windows, read it as GB18030)", i+1))
		default:
			r.problem(line, i+1, CodeInvalidText, fmt.Sprintf(
				"column %d contains a control character (such as a NUL byte); only tab and line breaks are allowed", i+1))
		}
		ok = false
		break
	}
	if !ok {
		return false
	}
	var val [numFields]string
	for i, c := range r.cols {
		if c >= 0 && c < len(rec) {
			val[i] = trim(rec[c])
		}
	}
	for _, i := range [...]int{iStreet, iCommunity, iHousehold} {
		if val[i] == "" {
			r.problem(line, r.cols[i]+1, CodeEmptyValue, fieldName(i)+" is empty")
			ok = false
		}
	}
	// Street and community names identify places: one spelling each, in
	// NFC, without bidirectional overrides or line breaks, and not two that
	// differ only in case.
	for _, i := range [...]int{iStreet, iCommunity} {
		if val[i] == "" {
			continue
		}
		n, err := r.names.name(i, val[iStreet], val[i], line)
		if err != nil {
			r.problem(line, r.cols[i]+1, CodeInvalidText, fieldName(i)+" "+err.Error())
			ok = false
		}
		val[i] = n
	}
	size := 0
	if val[iSize] != "" {
		n, err := strconv.Atoi(val[iSize])
		if err != nil || n <= 0 {
			r.problem(line, r.cols[iSize]+1, CodeBadSize,
				fmt.Sprintf("household size %q is not a positive integer", val[iSize]))
			ok = false
		}
		size = n
	}
	if !ok {
		return false
	}
	community := r.tally.intern(val[iStreet], val[iCommunity])
	key := r.key(community, val[iBuilding], val[iHousehold])
	if first, dup := r.seen[key]; dup {
		where := fmt.Sprintf("community %q", val[iCommunity])
		if val[iBuilding] != "" {
			where = fmt.Sprintf("building %q of community %q", val[iBuilding], val[iCommunity])
		}
		r.problem(line, r.cols[iHousehold]+1, CodeDuplicate,
			fmt.Sprintf("household %q appears twice in %s (first on line %d)", val[iHousehold], where, first))
		return false
	}
	r.seen[key] = uint32(line)
	r.tally.count(community)

	r.row = Row{
		Line:      line,
		Street:    val[iStreet],
		Community: val[iCommunity],
		Household: val[iHousehold],
		Building:  val[iBuilding],
		Size:      size,
	}
	for _, c := range r.lay.attrs {
		if c >= len(rec) {
			break
		}
		if v := trim(rec[c]); v != "" {
			r.row.Attrs = append(r.row.Attrs, Attr{Key: r.lay.keys[c], Value: v})
		}
	}
	return true
}

func fieldName(i int) string {
	switch i {
	case iStreet:
		return "street"
	case iCommunity:
		return "community"
	case iHousehold:
		return "household id"
	}
	return string(Fields[i])
}

// key is the 128-bit duplicate key of a household: two independently
// seeded hashes of (community index, building, household).
func (r *Reader) key(community int32, building, household string) [2]uint64 {
	var k [2]uint64
	for i, h := range [...]*maphash.Hash{&r.h1, &r.h2} {
		h.Reset()
		binary.LittleEndian.PutUint32(r.buf[:], uint32(community))
		_, _ = h.Write(r.buf[:])
		binary.LittleEndian.PutUint32(r.buf[:], uint32(len(building)))
		_, _ = h.Write(r.buf[:])
		_, _ = h.WriteString(building)
		_, _ = h.WriteString(household)
		k[i] = h.Sum64()
	}
	return k
}

func (r *Reader) problem(line, col int, code, msg string) {
	r.errs.add(r.max, Problem{Line: line, Column: col, Code: code, Message: msg})
}

// blank reports whether every cell is empty or white space.
func blank(rec []string) bool {
	for _, v := range rec {
		if trim(v) != "" {
			return false
		}
	}
	return true
}

// Row returns the household that the last call to Next advanced to.
func (r *Reader) Row() Row { return r.row }

// Err returns nil when every row so far was valid. Otherwise it returns an
// *Errors with the problems, joined with the error that stopped reading, if
// any. Call it after Next returns false.
func (r *Reader) Err() error {
	var problems error
	if r.errs.Total > 0 {
		e := r.errs
		e.Problems = append([]Problem(nil), r.errs.Problems...)
		problems = &e
	}
	if r.fatal != nil {
		return errors.Join(r.fatal, problems)
	}
	return problems
}

// Close releases the workbook and its temporary files, if any.
func (r *Reader) Close() error { return r.src.close() }

// Header returns the header row as written in the file.
func (r *Reader) Header() []string { return append([]string(nil), r.lay.header...) }

// Columns returns, for each field found, the header of its column.
func (r *Reader) Columns() map[Field]string {
	m := make(map[Field]string, len(r.lay.named))
	for f, h := range r.lay.named {
		m[f] = h
	}
	return m
}

// Format returns the format that was read.
func (r *Reader) Format() Format { return r.format }

// Encoding returns the encoding that was read (UTF-8 for XLSX).
func (r *Reader) Encoding() Encoding { return r.enc }

// Summary counts the valid households read so far.
func (r *Reader) Summary() Summary { return r.tally.Summary() }

// Validate reads a whole frame and returns its summary, with the error that
// Reader.Err would return.
func Validate(in io.Reader, opts Options) (Summary, error) {
	r, err := NewReader(in, opts)
	if err != nil {
		return Summary{}, err
	}
	for r.Next() {
	}
	err = r.Err()
	return r.Summary(), errors.Join(err, r.Close())
}

// trim is strings.TrimSpace with a fast path for the common case, a value
// that neither starts nor ends with space: TrimSpace falls back to a slow
// rune-by-rune scan as soon as it meets a Chinese character at either end.
func trim(s string) string {
	if s == "" {
		return s
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if !unicode.IsSpace(first) && !unicode.IsSpace(last) {
		return s
	}
	return strings.TrimSpace(s)
}
