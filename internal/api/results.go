package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// RoundEstimates answers a round's weighted estimates with design-based
// intervals: ?by=street|community, indicators=a,b, ci=asin|logit|beta|wald,
// level=0.95, lonely_psu=fail|remove|certainty|adjust|average, compare=ID
// (an earlier round: each figure gets its change with an interval),
// variance=wor|wr (default wor: communities by PPS without replacement,
// Brewer's approximation, and households within them; wr treats the
// communities as drawn with replacement; the report's "variance" says which
// was used). Figures on
// fewer respondents than the configured minimum are flagged small.
func (s *Handler) RoundEstimates(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return apperr.New(apperr.NotFound, "round %q not found", c.Param("id"))
	}
	req := results.RoundRequest{By: c.QueryParam("by"), Options: stats.Options{MinN: int64(s.minCell), CI: results.RoundCI}}
	fields := map[string]string{}
	if v := c.QueryParam("indicators"); v != "" {
		req.Indicators = strings.Split(v, ",")
	}
	if v := c.QueryParam("ci"); v != "" {
		if req.Options.CI, err = stats.ParseCIMethod(v); err != nil {
			fields["ci"] = "asin, logit, beta or wald"
		}
	}
	if v := c.QueryParam("level"); v != "" {
		l, err := strconv.ParseFloat(v, 64)
		if err != nil {
			l = math.NaN()
		}
		if msg := stats.CheckLevel(l); msg != "" {
			fields["level"] = msg
		}
		req.Options.Level = l
	}
	if v := c.QueryParam("lonely_psu"); v != "" {
		if req.LonelyPSU, err = stats.ParseLonelyPSU(v); err != nil {
			fields["lonely_psu"] = "fail, remove, certainty, adjust or average"
		}
	}
	if v := c.QueryParam("variance"); v != "" {
		if req.Variance, err = stats.ParseVariance(v); err != nil {
			fields["variance"] = "wor or wr"
		}
	}
	if v := c.QueryParam("group"); v != "" {
		if msg := textcheck.Field(v); msg != "" || len(v) > 64 {
			fields["group"] = "the code of a single-choice question, e.g. E2"
		}
		req.Group = v
	}
	if v := c.QueryParam("vs_street"); v != "" {
		if req.VsStreet, err = strconv.ParseInt(v, 10, 64); err != nil || req.VsStreet < 1 {
			fields["vs_street"] = "the id of a street to compare every other street with"
		}
	}
	if v := c.QueryParam("compare"); v != "" {
		if req.CompareTo, err = strconv.ParseInt(v, 10, 64); err != nil || req.CompareTo < 1 {
			fields["compare"] = "the id of an earlier round"
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid estimate request", fields)
	}
	if u := request.User(c); u.Role == store.RoleSupervisor && req.VsStreet != 0 {
		return apperr.New(apperr.Forbidden, "a street office sees its own street's figures only; comparisons between streets are for analysts")
	}
	ctx := c.Request().Context()
	req.Scope = store.Scope{StreetID: request.Caller(c).Scope().StreetID}
	rep, err := results.ForRound(ctx, s.db, id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
