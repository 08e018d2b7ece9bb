package api

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/simround"
)

// designDeadline bounds one design evaluation on the server.
const designDeadline = 30 * time.Second

// designSlot lets one design evaluation run at a time: it keeps half the
// cores busy for up to designDeadline, and the other half serve.
var designSlot = make(chan struct{}, 1)

// EvaluateDesign runs a Monte Carlo evaluation of a sampling design on a
// stored frame (POST /api/v1/simulate/design, see simround.DesignRequest)
// and answers what minyi simulate design --format json writes.
func (s *Handler) EvaluateDesign(c echo.Context) error {
	var req simround.DesignRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	select {
	case designSlot <- struct{}{}:
		defer func() { <-designSlot }()
	default:
		return apperr.New(apperr.Conflict, "another design evaluation is running: try again in a moment")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), designDeadline)
	defer cancel()
	rep, err := simround.EvaluateStoredDesign(ctx, s.db, req, max(1, runtime.GOMAXPROCS(0)/2))
	if errors.Is(err, context.DeadlineExceeded) || err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return apperr.WithFields("the evaluation took too long", map[string]string{
			"reps": "fewer repetitions: this design did not finish within 30 s on the server (minyi simulate design has no limit)"})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
