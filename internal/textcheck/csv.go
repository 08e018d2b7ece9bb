package textcheck

import (
	"encoding/csv"
	"errors"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// What a CSV reader refuses, said so that a person can mend the file
// (the catalog says each in every language; Go's own words, "bare \" in
// non-quoted-field", say neither where nor what to do).
var (
	errBareQuote  = apperr.New(apperr.Invalid, `a quote (") inside a field that does not start with one: put the whole field in quotes and write the quote twice ("")`)
	errQuote      = apperr.New(apperr.Invalid, "a field in quotes is not closed, or has text after its closing quote")
	errFieldCount = apperr.New(apperr.Invalid, "this row has a different number of fields from the first")
)

// CSVProblem says what the error of a CSV record (a *csv.ParseError's Err)
// means and how to mend it; an error it does not know, as Go says it.
func CSVProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return apperr.PublicMessage(errBareQuote)
	case errors.Is(err, csv.ErrQuote):
		return apperr.PublicMessage(errQuote)
	case errors.Is(err, csv.ErrFieldCount):
		return apperr.PublicMessage(errFieldCount)
	case err == nil:
		return ""
	}
	return err.Error()
}
