package rounds

import (
	"context"
	"fmt"
	"net/http"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/store"
)

// SyncItem is one entry of a tablet's outbox: a visit or a response.
type SyncItem struct {
	Type     string           `json:"type"` // visit or response
	Visit    *VisitRequest    `json:"visit,omitempty"`
	Response *ResponseRequest `json:"response,omitempty"`
}

// SyncRequest is a tablet's outbox (POST /api/v1/sync).
type SyncRequest struct {
	Items []SyncItem `json:"items"`
}

// SyncError is why one item was refused, in the API's error shape.
type SyncError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// SyncResult is the answer for one item, in the order sent: the HTTP
// status the item would have had alone (201 stored, 200 already held,
// 409, 422, 404 …), the stored id, or the error.
type SyncResult struct {
	Index    int        `json:"index"`
	Type     string     `json:"type"`
	ClientID string     `json:"client_id,omitempty"`
	Status   int        `json:"status"`
	ID       int64      `json:"id,omitempty"`
	Error    *SyncError `json:"error,omitempty"`
}

// MaxSyncItems bounds one sync request.
const MaxSyncItems = 500

// Sync records a batch of visits and responses in order, each through
// RecordVisit or Submit on its own, so that one bad item does not block
// the others. statusOf maps an error to its HTTP status (the server's one
// mapping).
func (s *Service) Sync(ctx context.Context, c Caller, req SyncRequest, statusOf func(error) int) ([]SyncResult, error) {
	if len(req.Items) > MaxSyncItems {
		return nil, apperr.WithFields("too many items", map[string]string{"items": "at most 500 per request; send the rest in another"})
	}
	out := make([]SyncResult, len(req.Items))
	for i, it := range req.Items {
		res := SyncResult{Index: i, Type: it.Type}
		var (
			id      int64
			created bool
			err     error
		)
		switch {
		case it.Type == "visit" && it.Visit != nil && it.Response == nil:
			res.ClientID = it.Visit.ClientID
			var v VisitResult
			v, err = s.RecordVisit(ctx, c, *it.Visit)
			id, created = v.Visit.ID, v.Created
		case it.Type == "response" && it.Response != nil && it.Visit == nil:
			res.ClientID = it.Response.ClientID
			var r SubmitResult
			r, err = s.Submit(ctx, c, *it.Response)
			id, created = r.ID, r.Created
		default:
			err = apperr.WithFields("invalid item", map[string]string{"type": "visit with a \"visit\" object, or response with a \"response\" object"})
		}
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			res.Status = statusOf(err)
			res.Error = &SyncError{Code: apperr.KindOf(err).String(), Message: apperr.PublicMessage(err), Fields: apperr.FieldsOf(err)}
		case created:
			res.Status, res.ID = http.StatusCreated, id
		default:
			res.Status, res.ID = http.StatusOK, id
		}
		out[i] = res
	}
	return out, nil
}

// StatusRequest asks which of a tablet's client ids the server holds
// (POST /api/v1/sync/status).
type StatusRequest struct {
	ClientIDs []string `json:"client_ids"`
}

// StatusResult answers a StatusRequest: the client ids held (a receipt
// each: type, id, status) and those not held, in the order asked.
type StatusResult struct {
	Held    []store.Held `json:"held"`
	Missing []string     `json:"missing"`
}

// SyncStatus reports which of the given client ids the server holds within
// the caller's scope, so that a tablet can mark items safe on the server
// and resend the rest. Another interviewer's or street's items are
// reported missing, as everything outside a caller's scope is unknown.
func (s *Service) SyncStatus(ctx context.Context, c Caller, req StatusRequest) (StatusResult, error) {
	fields := map[string]string{}
	if len(req.ClientIDs) > MaxSyncItems {
		fields["client_ids"] = "at most 500 per request; ask for the rest in another"
	}
	for i, id := range req.ClientIDs {
		if !uuidRE.MatchString(id) {
			fields[fmt.Sprintf("client_ids[%d]", i)] = "a UUID made by the tablet"
			break
		}
	}
	if len(fields) > 0 {
		return StatusResult{}, apperr.WithFields("invalid client ids", fields)
	}
	held, err := s.db.HeldByClientIDs(ctx, req.ClientIDs, c.Scope())
	if err != nil {
		return StatusResult{}, err
	}
	have := make(map[string]bool, len(held))
	for _, h := range held {
		have[h.ClientID] = true
	}
	res := StatusResult{Held: held, Missing: []string{}}
	for _, id := range req.ClientIDs {
		if !have[id] {
			res.Missing = append(res.Missing, id)
			have[id] = true // once, if asked twice
		}
	}
	return res, nil
}
