package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/textcheck"
	"github.com/minyi-survey/minyi/internal/weighting"
)

// ImportPopulation takes a multipart upload (field "file", optional fields
// frame, questionnaire and unit as in 'minyi population import') and stores its
// counts; a file with problems answers 422 with every problem and its line
// in error.details.
func (s *Handler) ImportPopulation(c echo.Context) error {
	f, err := request.OpenUpload(c, "the population counts")
	if err != nil {
		return err
	}
	defer f.Close()
	fields := map[string]string{}
	spec := weighting.ImportSpec{Name: f.Name, Questionnaire: request.FormValue(c, "questionnaire", fields), Unit: request.FormValue(c, "unit", fields)}
	if v := request.FormValue(c, "frame", fields); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fields["frame"] = "a frame version (1, 2, …); leave it out for the newest"
		}
		spec.FrameVersion = n
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid population upload", fields)
	}
	p, err := weighting.ImportPopulation(c.Request().Context(), s.db, f, spec, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Handler) ListPopulations(c echo.Context) error {
	ps, err := s.db.Populations(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"populations": ps})
}

// WeighRound runs the weighting of a round with the settings in the body
// (weighting.Config; {} for the defaults) and answers its report.
func (s *Handler) WeighRound(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	var cfg weighting.Config
	if err := request.BindJSON(c, &cfg); err != nil {
		return err
	}
	rep, err := weighting.Weigh(c.Request().Context(), s.db, id, cfg, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// RoundWeighting answers the report of the weighting in force, or
// {"weighting": null} for a round that has not been weighted.
func (s *Handler) RoundWeighting(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.db.RoundByID(ctx, id); err != nil {
		return err
	}
	w, err := s.db.LatestWeighting(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return c.JSON(http.StatusOK, map[string]any{"weighting": nil})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"weighting": json.RawMessage(w.Report), "created_at": w.CreatedAt, "created_by": w.CreatedBy})
}

// RoundDrivers answers the key-driver analysis of a round: outcome= (a
// rate indicator; default the satisfaction rate) on predictors= (item
// indicators, comma-separated; default every satisfaction item).
func (s *Handler) RoundDrivers(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	fields := map[string]string{}
	req := results.DriversRequest{Outcome: checkedQuery(c, "outcome", fields), Options: stats.Options{MinN: int64(s.minCell), CI: results.RoundCI}}
	if v := checkedQuery(c, "predictors", fields); v != "" {
		req.Predictors = strings.Split(v, ",")
	}
	if v := c.QueryParam("lonely_psu"); v != "" {
		if req.LonelyPSU, err = stats.ParseLonelyPSU(v); err != nil {
			fields["lonely_psu"] = "fail, remove or certainty"
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid key-driver request", fields)
	}
	d, err := results.KeyDrivers(c.Request().Context(), s.db, id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// checkedQuery returns a query parameter, or "" with a field problem when
// it holds text a database would refuse or is over 1000 bytes.
func checkedQuery(c echo.Context, name string, fields map[string]string) string {
	v := c.QueryParam(name)
	if msg := textcheck.Field(v); msg != "" || len(v) > 1000 {
		fields[name] = "plain text of at most 1000 bytes"
		return ""
	}
	return v
}
