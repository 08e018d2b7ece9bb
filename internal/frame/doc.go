// Package frame owns reading a household frame (抽样框): the household
// registers that street offices keep as CSV or XLSX spreadsheets.
//
// A frame lists one household (户) per row with its street (街道, the
// stratum), community (社区, the cluster), household id or address (门牌号),
// and optionally a building (楼栋), a household size (户人数) and any number of
// extra columns, which are kept as attributes.
//
// The package is pure: it reads an io.Reader and never touches a database.
// Its Reader streams rows so that a loader can copy them into the database as
// they come, and reports every problem it finds with its line number. The
// importer is meant to be atomic: load inside a transaction and commit only
// when Reader.Err returns nil.
//
//	r, err := frame.NewReader(f, frame.Options{})
//	if err != nil { ... }
//	defer r.Close()
//	for r.Next() {
//		row := r.Row() // row.Line, row.Street, row.Community, row.Household ...
//	}
//	if err := r.Err(); err != nil {
//		var problems *frame.Errors
//		if errors.As(err, &problems) { ... } // line-numbered validation problems
//	}
//
// # Memory
//
// CSV input is read through a fixed-size buffer, so memory does not grow with
// the number of rows except for the duplicate check, which keeps one 16-byte
// key and the line of each household (about 50 bytes with the hash table's
// overhead: 50 MB for a million households) and a small table of streets and
// communities.
// XLSX is a zip archive, which needs random access: the compressed workbook is
// held in memory (as excelize does), while the worksheet rows are streamed
// with excelize's Rows iterator.
//
// # Encodings
//
// CSV files may be UTF-8 with or without a byte order mark, UTF-16 with a byte
// order mark (Excel's "Unicode text"), or GB18030 (a superset of GBK, which is
// what Excel on Chinese Windows writes). With EncodingAuto a byte order mark
// decides; otherwise the first 64 KiB are checked and anything that is not
// valid UTF-8 is read as GB18030. A field that is still not valid UTF-8 later
// in the file is reported as a problem, with a hint to set the encoding.
//
// # Headers
//
// The header row is the first row, within the first ten non-empty rows, that
// names every required column; rows above it (a title such as
// "某某街道户籍登记表") are skipped. Header names are trimmed, stripped of a
// byte order mark and matched case-insensitively, with '_' and '-' treated as
// spaces, against the aliases in Aliases. An explicit Mapping (field → header
// name) overrides the aliases for the fields it names.
//
// # Validation
//
// Each data row is checked for: an empty street, community or household id; a
// household size that is present but not a positive integer; a column count
// that differs from the header's; text that is not valid UTF-8 or holds a
// control character other than tab and line breaks (in any cell or header,
// package textcheck); a street or community name with a line break or a
// bidirectional override, or written in two spellings that differ only in
// case (names are returned in Unicode NFC); and a household listed twice in
// the same community (and building, when there is a building column). Rows whose cells are all empty are skipped silently
// (spreadsheet exports often end with ",,,," lines). A row with a problem is
// not returned by Next. Problems are collected up to Options.MaxErrors (100 by
// default), and all of them are counted in Errors.Total.
//
// Duplicate households are detected with 128-bit keys: two independently
// seeded 64-bit hashes (hash/maphash) of (street, community, building,
// household). Two different households share a key with probability about
// n²/2¹²⁹, below 10⁻²⁴ for ten million households.
package frame
