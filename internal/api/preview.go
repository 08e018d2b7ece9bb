package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/request"
)

// previewRequest is a sample draw's specification (the body of POST
// /api/v1/samples, the name not needed) and the response rate to expect.
type previewRequest struct {
	draw.Request
	ResponseRate *float64 `json:"response_rate,omitempty"`
}

// PreviewSample answers POST /api/v1/samples/preview: the allocation of the
// sample per street (n, communities, main sample, reserves and expected
// interviews) that POST /api/v1/samples would draw, computed by the same
// code, storing nothing.
func (s *Handler) PreviewSample(c echo.Context) error {
	var req previewRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	spec, err := req.Spec()
	if err != nil {
		return err
	}
	rr := draw.DefaultResponseRate
	if req.ResponseRate != nil {
		rr = *req.ResponseRate
		if rr == 0 {
			rr = -1 // given as 0: out of range, not the default
		}
	}
	p, err := draw.Preview(c.Request().Context(), s.db, spec, rr)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
