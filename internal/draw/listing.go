package draw

import (
	"io"

	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/store"
)

// listingColumns are the columns of a sample listing.
var listingColumns = []export.Column{
	{Name: "street", Kind: export.Text}, {Name: "community", Kind: export.Text}, {Name: "building", Kind: export.Text},
	{Name: "household", Kind: export.Text}, {Name: "frame_line", Kind: export.Integer}, {Name: "reserve_rank", Kind: export.Integer},
	{Name: "psu", Kind: export.Integer}, {Name: "pi1", Kind: export.Number}, {Name: "pi2", Kind: export.Number},
	{Name: "pi", Kind: export.Number}, {Name: "weight", Kind: export.Number},
}

// WriteListingCSV writes drawn households as CSV for the field team and for
// analysis: where to go, the reserve rank (empty for the main sample), and
// the design variables an estimator needs. It starts with a UTF-8 byte
// order mark, without which Excel on Chinese Windows reads the street names
// as GBK, and defuses cells from the register that a spreadsheet would run
// as formulas (export.Book).
func WriteListingCSV(w io.Writer, rows []store.SampleListing) error {
	return WriteListing(w, rows, export.FormatCSV, export.Options{})
}

// WriteListing writes drawn households as a CSV or XLSX table.
func WriteListing(w io.Writer, rows []store.SampleListing, f export.Format, o export.Options) error {
	book, err := export.NewBook(w, f, o)
	if err != nil {
		return err
	}
	tab, err := book.Table("households", listingColumns)
	if err != nil {
		return err
	}
	for _, r := range rows {
		var rank any
		if r.ReserveRank.Valid {
			rank = r.ReserveRank.Int64
		}
		if err := tab.Row([]any{r.Street, r.Community, r.Building, r.Household, r.Line, rank, r.PSU, r.Prob1, r.Prob2, r.Prob, r.Weight}); err != nil {
			return err
		}
	}
	return book.Close()
}
