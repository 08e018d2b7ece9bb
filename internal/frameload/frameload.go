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

// Import reads a frame file and stores it as a new frame version. It reads
// the file twice: first to validate every row and collect its streets and
// communities, touching nothing (a file with problems never reaches the
// database), then to load it in one transaction. name is the file name
// recorded with the version. A file with problems is an Invalid error whose
// Details are the *frame.Errors (line, column, code and message of each
// problem, and the total).
func Import(ctx context.Context, db *store.DB, r io.ReadSeeker, name string, opts frame.Options, createdBy int64) (store.Frame, error) {
	h := sha256.New()
	places, err := scan(io.TeeReader(r, h), opts)
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return store.Frame{}, apperr.Wrap(apperr.Internal, err, "rewind %s", name)
	}
	second := opts
	second.NoDuplicateCheck = true // the first pass did it
	fr, err := frame.NewReader(r, second)
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	defer fr.Close()
	f, err := db.ImportFrame(ctx, store.FrameMeta{
		SourceName: name,
		Checksum:   func() string { return sum },
		CreatedBy:  createdBy,
	}, places, &source{r: fr})
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	return f, nil
}

// scan validates a whole frame file and returns its places in order of
// first appearance.
func scan(r io.Reader, opts frame.Options) ([]store.Place, error) {
	fr, err := frame.NewReader(r, opts)
	if err != nil {
		return nil, err
	}
	defer fr.Close()
	seen := map[store.Place]bool{}
	var places []store.Place
	for fr.Next() {
		row := fr.Row()
		p := store.Place{Street: row.Street, Community: row.Community}
		if !seen[p] {
			seen[p] = true
			places = append(places, p)
		}
	}
	if err := fr.Err(); err != nil {
		return nil, err
	}
	// Drain what the reader did not need, so the checksum covers the file.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	return places, nil
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
