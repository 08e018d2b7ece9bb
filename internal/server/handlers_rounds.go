package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

// caller is the fieldwork caller of a request: the logged-in user and the
// actor the audit log records.
func (s *Server) caller(c echo.Context) rounds.Caller {
	u := currentUser(c)
	return rounds.Caller{User: u, Actor: actor(c)}
}

// idParam reads a positive id from the path; anything else names nothing
// (404).
func idParam(c echo.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.NotFound, "%s %q not found", what, c.Param(name))
	}
	return id, nil
}

// queryID reads an optional positive id from the query.
func queryID(c echo.Context, name string, fields map[string]string) int64 {
	v := c.QueryParam(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		fields[name] = "a positive id"
		return 0
	}
	return id
}

// noStore marks an answer that carries households, addresses or answers.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}

func (s *Server) listRounds(c echo.Context) error {
	rs, err := s.rounds.Rounds(c.Request().Context(), s.caller(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"rounds": nonNilSlice(rs)})
}

func (s *Server) createRound(c echo.Context) error {
	var spec rounds.CreateSpec
	if err := bindJSON(c, &spec); err != nil {
		return err
	}
	r, err := s.rounds.Create(c.Request().Context(), s.caller(c), spec)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// getRound returns a round with its progress by street.
func (s *Server) getRound(c echo.Context) error {
	id, err := idParam(c, "id", "round")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := s.rounds.Round(ctx, s.caller(c), id)
	if err != nil {
		return err
	}
	out := map[string]any{"round": r}
	if u := currentUser(c); u.Role != store.RoleInterviewer {
		p, err := s.rounds.Progress(ctx, s.caller(c), id, "street")
		if err != nil {
			return err
		}
		out["progress"] = p
	}
	return c.JSON(http.StatusOK, out)
}

// roundAction starts, closes or reopens a round (the last path segment).
func (s *Server) roundAction(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id", "round")
		if err != nil {
			return err
		}
		r, err := s.rounds.SetState(c.Request().Context(), s.caller(c), id, action)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

// markSimulated marks a round's data as simulated (POST
// /api/v1/rounds/:id/simulated), as minyi simulate round --url does before
// it submits into the round.
func (s *Server) markSimulated(c echo.Context) error {
	id, err := idParam(c, "id", "round")
	if err != nil {
		return err
	}
	r, err := s.rounds.MarkSimulated(c.Request().Context(), s.caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) listAssignments(c echo.Context) error {
	id, err := idParam(c, "id", "round")
	if err != nil {
		return err
	}
	fields := map[string]string{}
	f := store.AssignmentFilter{CommunityID: queryID(c, "community", fields), Status: c.QueryParam("status")}
	if len(fields) > 0 {
		return apperr.WithFields("invalid filter", fields)
	}
	as, err := s.rounds.Assignments(c.Request().Context(), s.caller(c), id, f)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"assignments": as})
}

func (s *Server) assign(c echo.Context) error {
	id, err := idParam(c, "id", "round")
	if err != nil {
		return err
	}
	var req rounds.AssignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Assign(c.Request().Context(), s.caller(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// myAssignments answers GET /api/v1/me/assignments?round=ID: the
// interviewer's own assignments with the questionnaire version to use.
func (s *Server) myAssignments(c echo.Context) error {
	fields := map[string]string{}
	id := queryID(c, "round", fields)
	if id == 0 && fields["round"] == "" {
		fields["round"] = "required: the round's id"
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid request", fields)
	}
	ctx := c.Request().Context()
	r, err := s.rounds.Round(ctx, s.caller(c), id)
	if err != nil {
		return err
	}
	as, err := s.rounds.Assignments(ctx, s.caller(c), id, store.AssignmentFilter{})
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{
		"round":         map[string]any{"id": r.ID, "name": r.Name, "status": r.Status, "kind": r.Kind},
		"questionnaire": map[string]any{"slug": r.Questionnaire, "version": r.QuestionnaireVersion},
		"assignments":   as,
	})
}

func (s *Server) getAssignment(c echo.Context) error {
	id, err := idParam(c, "id", "assignment")
	if err != nil {
		return err
	}
	a, err := s.db.AssignmentByID(c.Request().Context(), id, s.caller(c).Scope())
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, a)
}

func (s *Server) recordVisit(c echo.Context) error {
	var req rounds.VisitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.RecordVisit(c.Request().Context(), s.caller(c), req)
	if err != nil {
		return err
	}
	noStore(c)
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

func (s *Server) submitResponse(c echo.Context) error {
	var req rounds.ResponseRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Submit(c.Request().Context(), s.caller(c), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return c.JSON(status, res)
}

// sync takes a tablet's outbox and answers one result per item, in order.
func (s *Server) sync(c echo.Context) error {
	var req rounds.SyncRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.Sync(c.Request().Context(), s.caller(c), req, func(err error) int { return statusOf(apperr.KindOf(err)) })
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"results": res})
}

func (s *Server) roundProgress(c echo.Context) error {
	id, err := idParam(c, "id", "round")
	if err != nil {
		return err
	}
	p, err := s.rounds.Progress(c.Request().Context(), s.caller(c), id, c.QueryParam("by"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) roundResponses(c echo.Context) error {
	id, err := idParam(c, "id", "round")
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
	rs, err := s.rounds.Responses(c.Request().Context(), s.caller(c), id, f)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"responses": rs})
}

func (s *Server) getResponse(c echo.Context) error {
	id, err := idParam(c, "id", "response")
	if err != nil {
		return err
	}
	r, err := s.rounds.Response(c.Request().Context(), s.caller(c), id)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, r)
}

func (s *Server) reviewResponse(c echo.Context) error {
	id, err := idParam(c, "id", "response")
	if err != nil {
		return err
	}
	var req rounds.ReviewRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.rounds.Review(c.Request().Context(), s.caller(c), id, req)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, rounds.Detail(r))
}

func (s *Server) replaceAssignment(c echo.Context) error {
	id, err := idParam(c, "id", "assignment")
	if err != nil {
		return err
	}
	var req rounds.ReplaceRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	a, err := s.rounds.Replace(c.Request().Context(), s.caller(c), id, req)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, a)
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// roundData answers a round's accepted responses as CSV (a supervisor's
// own street only), the input of 'minyi estimate' or R.
func (s *Server) roundData(c echo.Context) error {
	id, err := idParam(c, "id", "round")
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
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename*=UTF-8''%s.csv", url.PathEscape(r.Name)))
	noStore(c)
	c.Response().WriteHeader(http.StatusOK)
	return results.WriteRoundData(ctx, s.db, id, store.Scope{StreetID: s.caller(c).Scope().StreetID}, c.Response())
}

// syncStatus answers which of a tablet's client ids the server holds, in
// the caller's scope: the receipts a tablet shows after a sync.
func (s *Server) syncStatus(c echo.Context) error {
	var req rounds.StatusRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	res, err := s.rounds.SyncStatus(c.Request().Context(), s.caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
