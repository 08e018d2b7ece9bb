package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/msgs"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

func (s *Handler) ListRounds(c echo.Context) error {
	rs, err := s.rounds.Rounds(c.Request().Context(), request.Caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"rounds": nonNilSlice(rs)})
}

func (s *Handler) CreateRound(c echo.Context) error {
	var spec rounds.CreateSpec
	if err := request.BindJSON(c, &spec); err != nil {
		return err
	}
	r, err := s.rounds.Create(c.Request().Context(), request.Caller(c), spec)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// GetRound returns a round with its progress by street.
func (s *Handler) GetRound(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.rounds.Round(ctx, request.Caller(c), id)
	if err != nil {
		return err
	}
	out := map[string]any{"round": r}
	if u := request.User(c); u.Role != store.RoleInterviewer {
		p, err := s.rounds.Progress(ctx, request.Caller(c), id, "street")
		if err != nil {
			return err
		}
		out["progress"] = p
		out["households"] = p.Households
	}
	return c.JSON(http.StatusOK, out)
}

// RoundAction starts, closes or reopens a round (the last path segment).
func (s *Handler) RoundAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := request.IDParam(c, "id", "round")
		if err != nil {
			return err
		}
		r, err := s.rounds.SetState(c.Request().Context(), request.Caller(c), id, action)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

// CloseRound closes a round (POST /api/v1/rounds/:id/close). With work
// still open it answers 409 with the code round_has_open_work and the
// counts in error.details, unless the body says {"force": true}.
func (s *Handler) CloseRound(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	var req struct {
		Force bool `json:"force"`
	}
	if c.Request().ContentLength != 0 {
		if err := request.BindJSON(c, &req); err != nil {
			return err
		}
	}
	r, err := s.rounds.Close(c.Request().Context(), request.Caller(c), id, req.Force)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// MarkSimulated marks a round's data as simulated (POST
// /api/v1/rounds/:id/simulated), as minyi simulate round --url does before
// it submits into the round.
func (s *Handler) MarkSimulated(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	r, err := s.rounds.MarkSimulated(c.Request().Context(), request.Caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Handler) ListAssignments(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := store.AssignmentFilter{CommunityID: request.QueryID(c, "community", fields), Status: c.QueryParam("status")}
	if len(fields) > 0 {
		return apperr.WithFields("invalid filter", fields)
	}
	as, err := s.rounds.Assignments(c.Request().Context(), request.Caller(c), id, f)
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, map[string]any{"assignments": as})
}

func (s *Handler) Assign(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	var req rounds.AssignRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Assign(c.Request().Context(), request.Caller(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// MyAssignments answers GET /api/v1/me/assignments?round=ID: the
// interviewer's own assignments with the questionnaire version to use.
func (s *Handler) MyAssignments(c echo.Context) error {
	fields := map[string]string{}
	id := request.QueryID(c, "round", fields)
	if id == 0 && fields["round"] == "" {
		fields["round"] = "required: the round's id"
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid request", fields)
	}
	ctx := c.Request().Context()
	r, err := s.rounds.Round(ctx, request.Caller(c), id)
	if err != nil {
		return err
	}
	as, err := s.rounds.Assignments(ctx, request.Caller(c), id, store.AssignmentFilter{})
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, map[string]any{
		"round":         map[string]any{"id": r.ID, "name": r.Name, "status": r.Status, "kind": r.Kind},
		"questionnaire": map[string]any{"slug": r.Questionnaire, "version": r.QuestionnaireVersion},
		"assignments":   as,
		// The tablet shows its times, and reads an appointment's, in the
		// district's zone, kept with the assignments offline.
		"time_zone": s.zoneName(),
	})
}

func (s *Handler) GetAssignment(c echo.Context) error {
	id, err := request.IDParam(c, "id", "assignment")
	if err != nil {
		return err
	}
	a, err := s.db.AssignmentByID(c.Request().Context(), id, request.Caller(c).Scope())
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, a)
}

func (s *Handler) RecordVisit(c echo.Context) error {
	var req rounds.VisitRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.RecordVisit(c.Request().Context(), request.Caller(c), req)
	if err != nil {
		return err
	}
	request.NoStore(c)
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

func (s *Handler) SubmitResponse(c echo.Context) error {
	var req rounds.ResponseRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Submit(c.Request().Context(), request.Caller(c), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

// Sync takes a tablet's outbox and answers one result per item, in order.
func (s *Handler) Sync(c echo.Context) error {
	var req rounds.SyncRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Sync(c.Request().Context(), request.Caller(c), req, func(err error) int { return s.status(apperr.KindOf(err)) })
	if err != nil {
		return err
	}
	// An item's error is shown to the interviewer: in their language.
	lang := request.Lang(c)
	for _, r := range res {
		if r.Error != nil {
			r.Error.Message, r.Error.Fields = msgs.Message(r.Error.Message, lang), localizeFields(r.Error.Fields, lang)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"results": res})
}

// localizeFields says field messages in lang, in a new map.
func localizeFields(fields map[string]string, lang string) map[string]string {
	if len(fields) == 0 {
		return fields
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = msgs.Message(v, lang)
	}
	return out
}

func (s *Handler) RoundProgress(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	p, err := s.rounds.Progress(c.Request().Context(), request.Caller(c), id, c.QueryParam("by"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Handler) RoundResponses(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	f := store.ResponseFilter{Status: c.QueryParam("status"), Review: c.QueryParam("review")}
	switch c.QueryParam("flagged") {
	case "", "false":
	case "true":
		f.Flagged = true
	default:
		return apperr.WithFields("invalid filter", map[string]string{"flagged": "true or false"})
	}
	rs, err := s.rounds.Responses(c.Request().Context(), request.Caller(c), id, f)
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, map[string]any{"responses": rs})
}

func (s *Handler) GetResponse(c echo.Context) error {
	id, err := request.IDParam(c, "id", "response")
	if err != nil {
		return err
	}
	r, err := s.rounds.Response(c.Request().Context(), request.Caller(c), id)
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, r)
}

func (s *Handler) ReviewResponse(c echo.Context) error {
	id, err := request.IDParam(c, "id", "response")
	if err != nil {
		return err
	}
	var req rounds.ReviewRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.rounds.Review(c.Request().Context(), request.Caller(c), id, req)
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, rounds.Detail(r))
}

func (s *Handler) ReplaceAssignment(c echo.Context) error {
	id, err := request.IDParam(c, "id", "assignment")
	if err != nil {
		return err
	}
	var req rounds.ReplaceRequest
	if c.Request().ContentLength != 0 {
		if err := request.BindJSON(c, &req); err != nil {
			return err
		}
	}
	a, err := s.rounds.Replace(c.Request().Context(), request.Caller(c), id, req)
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusOK, a)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// RoundData answers a round's accepted responses as CSV (a supervisor's
// own street only), the input of 'minyi estimate' or R.
func (s *Handler) RoundData(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.db.RoundByID(ctx, id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	request.Attachment(c, r.Name+".csv")
	request.NoStore(c)
	c.Response().WriteHeader(http.StatusOK)
	return results.WriteRoundData(ctx, s.db, id, store.Scope{StreetID: request.Caller(c).Scope().StreetID}, c.Response())
}

// SyncStatus answers which of a tablet's client ids the server holds, in
// the caller's scope: the receipts a tablet shows after a sync.
func (s *Handler) SyncStatus(c echo.Context) error {
	var req rounds.StatusRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.SyncStatus(c.Request().Context(), request.Caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// zoneName is the district's time zone's IANA name (UTC when unset).
func (s *Handler) zoneName() string {
	if s.Location == nil {
		return "UTC"
	}
	return s.Location.String()
}
