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
)

// RoundCommunities answers a round's community estimates
// (results.ForCommunities): for each rate and community the direct
// estimate with its design standard error and interval beside the model
// estimate (the Fay–Herriot EBLUP) with its MSE, interval and γ, and per
// rate the model's fit or the reason it shows nothing. ?indicators=a,b
// (rates; default all), level=0.95, street=ID (an analyst's choice of one
// street). A supervisor gets their own street's communities whatever they
// ask: the scope goes into the request, as the estimates' does; the model
// itself is fitted on every community of the round, as it borrows strength
// from the whole district.
func (s *Handler) RoundCommunities(c echo.Context) error {
	id, err := request.IDParam(c, "id", "round")
	if err != nil {
		return err
	}
	var req results.CommunityRequest
	fields := map[string]string{}
	if v := c.QueryParam("indicators"); v != "" {
		req.Indicators = strings.Split(v, ",")
	}
	if v := c.QueryParam("level"); v != "" {
		l, err := strconv.ParseFloat(v, 64)
		if err != nil {
			l = math.NaN()
		}
		if msg := stats.CheckLevel(l); msg != "" {
			fields["level"] = msg
		}
		req.Level = l
	}
	if v := c.QueryParam("street"); v != "" {
		if req.StreetID, err = strconv.ParseInt(v, 10, 64); err != nil || req.StreetID < 1 {
			fields["street"] = "the id of a street"
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid community request", fields)
	}
	if own := request.Caller(c).Scope().StreetID; own != 0 {
		if req.StreetID != 0 && req.StreetID != own {
			return apperr.New(apperr.NotFound, "no street %d", req.StreetID)
		}
		req.StreetID = own
	}
	rep, err := results.ForCommunities(c.Request().Context(), s.db, id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
