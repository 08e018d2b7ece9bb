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
// column, code and message of each problem, and the total). The import is
// audited as by's (frame.import) in its own transaction.
func Import(ctx context.Context, db *store.DB, r io.Reader, name string, opts frame.Options, by store.Actor) (store.Frame, error) {
	h := sha256.New()
	tee := io.TeeReader(r, h)
	fr, err := frame.NewReader(tee, opts)
	if err != nil {
		return store.Frame{}, problemsError(name, err)
	}
	defer fr.Close()
	src := newSource(fr)
	defer src.close() // before fr.Close: the goroutine must be done with the reader
	f, err := db.ImportFrame(ctx, store.FrameMeta{
		SourceName: name,
		Checksum: func() string {
			io.Copy(io.Discard, tee) // what the reader left, so the sum covers the file
			return hex.EncodeToString(h.Sum(nil))
		},
		By: by,
	}, src)
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

// source adapts a frame.Reader to store.HouseholdSource. A goroutine
// reads and validates the file while the database loads the rows already
// read: on two cores, parsing and COPY overlap instead of taking turns. Rows
// travel in batches, which are recycled.
type source struct {
	full  chan []store.HouseholdIn // batches read, in file order; closed at the end
	empty chan []store.HouseholdIn // batches handed back for reuse
	stop  chan struct{}            // closed when the consumer gives up early
	done  chan error               // the reader's Err, once the goroutine ends
	cur   []store.HouseholdIn
	i     int
	err   error
	ended bool
}

// batchRows is the number of households per batch.
const batchRows = 512

func newSource(fr *frame.Reader) *source {
	s := &source{
		full:  make(chan []store.HouseholdIn, 4),
		empty: make(chan []store.HouseholdIn, 6),
		stop:  make(chan struct{}),
		done:  make(chan error, 1),
		i:     -1,
	}
	go s.read(fr)
	return s
}

// read runs in its own goroutine until the file ends or stop is closed.
func (s *source) read(fr *frame.Reader) {
	defer close(s.full)
	var buf strings.Builder
	batch := make([]store.HouseholdIn, 0, batchRows)
	send := func() bool {
		select {
		case <-s.stop: // the consumer gave up: stop reading at once
			return false
		default:
		}
		select {
		case s.full <- batch:
		case <-s.stop:
			return false
		}
		select {
		case batch = <-s.empty:
			batch = batch[:0]
		default:
			batch = make([]store.HouseholdIn, 0, batchRows)
		}
		return true
	}
	for fr.Next() {
		row := fr.Row()
		batch = append(batch, store.HouseholdIn{
			Line:      row.Line,
			Street:    row.Street,
			Community: row.Community,
			Household: row.Household,
			Building:  row.Building,
			Size:      row.Size,
			Attrs:     attrsJSON(&buf, row.Attrs),
		})
		if len(batch) == batchRows && !send() {
			s.done <- nil
			return
		}
	}
	if len(batch) > 0 && !send() {
		s.done <- nil
		return
	}
	s.done <- fr.Err()
}

func (s *source) Next() bool {
	s.i++
	for s.i >= len(s.cur) {
		if s.ended {
			return false
		}
		if s.cur != nil {
			select {
			case s.empty <- s.cur:
			default:
			}
		}
		b, ok := <-s.full
		if !ok {
			s.err, s.ended, s.cur = <-s.done, true, nil
			return false
		}
		s.cur, s.i = b, 0
	}
	return true
}

func (s *source) Household() store.HouseholdIn { return s.cur[s.i] }

// Err returns the reader's error once Next has returned false.
func (s *source) Err() error { return s.err }

// close stops the reading goroutine if the consumer gave up early, and
// waits for it, so the reader can be closed safely afterwards.
func (s *source) close() {
	if s.ended {
		return
	}
	close(s.stop)
	for range s.full {
	}
	<-s.done
	s.ended = true
}

// attrsJSON encodes the extra columns as a JSON object in header order.
func attrsJSON(buf *strings.Builder, attrs []frame.Attr) string {
	if len(attrs) == 0 {
		return ""
	}
	buf.Reset()
	buf.WriteByte('{')
	for i, a := range attrs {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(a.Key)
		v, _ := json.Marshal(a.Value)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.String()
}
