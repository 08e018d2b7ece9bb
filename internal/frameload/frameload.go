// Package frameload imports a household frame file into the database: it
// joins the pure frame reader to the store, atomically (the whole file or
// nothing), with every problem reported by line.
package frameload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/store"
)

// Import reads a frame file from r and stores it as a new frame version, in
// one pass and one transaction: a file with any problem is rolled back
// whole. name is the file name recorded with the version. A file with
// problems is an Invalid error whose Details are the *frame.Errors (line,
// column, code and message of each problem, and the total).
func Import(ctx context.Context, db *store.DB, r io.Reader, name string, opts frame.Options, createdBy int64) (store.Frame, error) {
	h := sha256.New()
	tee := io.TeeReader(r, h)
	fr, err := frame.NewReader(tee, opts)
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	defer fr.Close()
	f, err := db.ImportFrame(ctx, store.FrameMeta{
		SourceName: name,
		Checksum: func() string {
			io.Copy(io.Discard, tee) // what the reader left, so the sum covers the file
			return hex.EncodeToString(h.Sum(nil))
		},
		CreatedBy: createdBy,
	}, &source{r: fr})
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	return f, nil
}

// problemsError turns the reader's *frame.Errors into an Invalid error that
// carries them; other errors pass through (an unreadable file is Invalid).
func problemsError(name string, err error) error {
	var fe *frame.Errors
	if errors.As(err, &fe) {
		return &apperr.Error{Kind: apperr.Invalid, Message: "nothing was imported from " + name, Details: fe, Err: err}
	}
	if apperr.KindOf(err) == apperr.Internal && !isStoreError(err) {
		return apperr.Wrap(apperr.Invalid, err, "cannot read %s", name)
	}
	return err
}

func isStoreError(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae)
}

// source adapts a frame.Reader to store.HouseholdSource.
type source struct {
	r   *frame.Reader
	buf strings.Builder
}

func (s *source) Next() bool { return s.r.Next() }
func (s *source) Err() error { return s.r.Err() }

func (s *source) Household() store.HouseholdIn {
	row := s.r.Row()
	return store.HouseholdIn{
		Line:      row.Line,
		Street:    row.Street,
		Community: row.Community,
		Household: row.Household,
		Building:  row.Building,
		Size:      row.Size,
		Attrs:     s.attrsJSON(row.Attrs),
	}
}

// attrsJSON encodes the extra columns as a JSON object in header order.
func (s *source) attrsJSON(attrs []frame.Attr) string {
	if len(attrs) == 0 {
		return ""
	}
	s.buf.Reset()
	s.buf.WriteByte('{')
	for i, a := range attrs {
		if i > 0 {
			s.buf.WriteByte(',')
		}
		k, _ := json.Marshal(a.Key)
		v, _ := json.Marshal(a.Value)
		s.buf.Write(k)
		s.buf.WriteByte(':')
		s.buf.Write(v)
	}
	s.buf.WriteByte('}')
	return s.buf.String()
}
