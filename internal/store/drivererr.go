package store

import (
	"errors"

	"github.com/lib/pq"
	sqlite "modernc.org/sqlite"
)

// IsDriverError reports whether err's chain holds an error of a database
// driver, whose text (SQL, constraint and column names, server messages) is
// for the log and must not be shown to a user, on a terminal either.
func IsDriverError(err error) bool {
	var pe *pq.Error
	var se *sqlite.Error
	return errors.As(err, &pe) || errors.As(err, &se)
}
