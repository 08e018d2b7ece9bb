package draw

import (
	"io"
	"strconv"

	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/store"
)

// WriteListingCSV writes drawn households as CSV for the field team and for
// analysis: where to go, the reserve rank (empty for the main sample), and
// the design variables an estimator needs. It starts with a UTF-8 byte
// order mark, without which Excel on Chinese Windows reads the street names
// as GBK, and defuses cells from the register that a spreadsheet would run
// as formulas.
func WriteListingCSV(w io.Writer, rows []store.SampleListing) error {
	cw := export.NewCSV(w)
	cw.Write([]string{"street", "community", "building", "household", "frame_line", "reserve_rank", "psu", "pi1", "pi2", "pi", "weight"})
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range rows {
		rank := ""
		if r.ReserveRank.Valid {
			rank = strconv.FormatInt(r.ReserveRank.Int64, 10)
		}
		cw.Write([]string{r.Street, r.Community, r.Building, r.Household, strconv.Itoa(r.Line), rank,
			strconv.FormatInt(r.PSU, 10), g(r.Prob1), g(r.Prob2), g(r.Prob), g(r.Weight)})
	}
	return cw.Flush()
}
