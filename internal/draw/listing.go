package draw

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/store"
)

// WriteListingCSV writes drawn households as CSV for the field team and for
// analysis: where to go, the reserve rank (empty for the main sample), and
// the design variables an estimator needs. It starts with a UTF-8 byte
// order mark, without which Excel on Chinese Windows reads the street names
// as GBK, and defuses cells from the register that a spreadsheet would run
// as formulas.
func WriteListingCSV(w io.Writer, rows []store.SampleListing) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"street", "community", "building", "household", "frame_line", "reserve_rank", "psu", "pi1", "pi2", "pi", "weight"})
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range rows {
		rank := ""
		if r.ReserveRank.Valid {
			rank = strconv.FormatInt(r.ReserveRank.Int64, 10)
		}
		cw.Write([]string{cell(r.Street), cell(r.Community), cell(r.Building), cell(r.Household), strconv.Itoa(r.Line), rank,
			strconv.FormatInt(r.PSU, 10), g(r.Prob1), g(r.Prob2), g(r.Prob), g(r.Weight)})
	}
	cw.Flush()
	return cw.Error()
}

// cell defuses text that a spreadsheet would take for a formula (OWASP's
// advice on CSV injection): a leading =, +, -, @, tab or carriage return
// gets an apostrophe in front.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
