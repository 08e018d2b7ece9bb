package streetoffice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// maxRescueItems bounds one rescued file: a tablet's outbox of several
// weeks holds a few hundred items.
const maxRescueItems = 20000

// Rescue shows the form that uploads a tablet's exported outbox
// (street_rescue.js posts it to POST /rescue and lists the outcome).
func (s *Handler) Rescue(c echo.Context) error {
	return s.ui.Render(c, "street_rescue", "street.rescue.title", nil)
}

// RescueItem is the outcome of one item of a rescued file: received
// (stored now), held (the server already had it) or refused, with the
// reason.
type RescueItem struct {
	rounds.SyncResult
	AssignmentID int64  `json:"assignment_id,omitempty"`
	Outcome      string `json:"outcome"` // received, held, refused
}

// RescueResult answers POST /rescue.
type RescueResult struct {
	File     string       `json:"file"`
	Items    []RescueItem `json:"items"`
	Received int          `json:"received"`
	Held     int          `json:"held"`
	Refused  int          `json:"refused"`
}

// RescueUpload takes the file a tablet exported from its unsent outbox (a
// POST /api/v1/sync body, multipart field "file") and sends every item
// through the same idempotent path as the tablet's own sync (rounds.Sync:
// RecordVisit and Submit) as the supervisor uploading it, within their
// street. Visits and responses are the assigned interviewer's; the audit
// entries name the supervisor, by way of "rescue". A
// second upload of the same file finds everything already held.
func (s *Handler) RescueUpload(c echo.Context) error {
	f, err := request.OpenUpload(c, "the file the tablet exported")
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "read the upload")
	}
	req, err := parseOutbox(raw)
	if err != nil {
		return err
	}
	caller := request.Caller(c)
	caller.Actor.Via = "rescue"
	caller.Rescue = true // the visits are the assigned interviewer's
	out := RescueResult{File: f.Name, Items: []RescueItem{}}
	for start := 0; start < len(req.Items); start += rounds.MaxSyncItems {
		chunk := req.Items[start:min(start+rounds.MaxSyncItems, len(req.Items))]
		res, err := s.rounds.Sync(c.Request().Context(), caller, rounds.SyncRequest{Items: chunk}, func(err error) int { return s.status(apperr.KindOf(err)) })
		if err != nil {
			return err
		}
		for i, r := range res {
			r.Index += start
			it := RescueItem{SyncResult: r}
			switch item := chunk[i]; {
			case item.Visit != nil:
				it.AssignmentID = item.Visit.AssignmentID
			case item.Response != nil:
				it.AssignmentID = item.Response.AssignmentID
			}
			switch r.Status {
			case http.StatusCreated:
				it.Outcome = "received"
				out.Received++
			case http.StatusOK:
				it.Outcome = "held"
				out.Held++
			default:
				it.Outcome = "refused"
				out.Refused++
			}
			out.Items = append(out.Items, it)
		}
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, out)
}

// fileProblem is a problem of an uploaded file, by line (form.js lists
// these).
type fileProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// parseOutbox reads a tablet's export: a JSON object {"items": [...]} as
// POST /api/v1/sync takes it, strictly (no unknown fields). A problem
// names its line.
func parseOutbox(raw []byte) (rounds.SyncRequest, error) {
	var req rounds.SyncRequest
	bad := func(offset int64, msg string) error {
		e := apperr.WithFields("the file is not a tablet's exported outbox", map[string]string{"file": msg})
		e.Details = []fileProblem{{Line: lineAt(raw, offset), Message: msg}}
		return e
	}
	if path, problem := textcheck.JSON(raw); problem != "" {
		return req, bad(0, strings.TrimSpace(path+" "+problem))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return req, bad(se.Offset, "malformed JSON: "+se.Error())
		case errors.As(err, &te):
			return req, bad(te.Offset, fmt.Sprintf("%s must be %s", te.Field, te.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			// The decoder has read past the field: find its first use as a key.
			name := strings.TrimPrefix(err.Error(), "json: unknown field ")
			at := int64(bytes.Index(raw, []byte(name+":")))
			if at < 0 {
				at = int64(bytes.Index(raw, []byte(name)))
			}
			return req, bad(at, "unknown field "+name)
		default:
			return req, bad(int64(len(raw)), "malformed JSON: the file ends too early")
		}
	}
	if dec.More() {
		return req, bad(dec.InputOffset(), "data after the outbox object")
	}
	switch {
	case len(req.Items) == 0:
		return req, bad(0, "the file holds no items")
	case len(req.Items) > maxRescueItems:
		return req, bad(0, fmt.Sprintf("at most %d items in one file", maxRescueItems))
	}
	return req, nil
}

// lineAt is the 1-based line of a byte offset.
func lineAt(raw []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(raw)))
	return 1 + bytes.Count(raw[:offset], []byte("\n"))
}
