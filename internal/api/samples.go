package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
)

// DrawSample draws and stores a sample from the JSON specification.
func (s *Handler) DrawSample(c echo.Context) error {
	var req draw.Request
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	spec, err := req.Spec()
	if err != nil {
		return err
	}
	res, err := draw.Draw(c.Request().Context(), s.db, spec, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (s *Handler) ListSamples(c echo.Context) error {
	ss, err := s.db.Samples(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"samples": ss})
}

// sampleParam loads the sample named in the path.
func (s *Handler) sampleParam(c echo.Context) (store.Sample, error) {
	name, err := request.NameParam(c, "name", "sample")
	if err != nil {
		return store.Sample{}, err
	}
	return s.db.SampleByName(c.Request().Context(), name)
}

// GetSample returns a sample with its specification and per-street results.
func (s *Handler) GetSample(c echo.Context) error {
	smp, err := s.sampleParam(c)
	if err != nil {
		return err
	}
	streets, spec, err := draw.Streets(smp)
	if err != nil {
		return err
	}
	hs, err := s.rounds.Households(c.Request().Context(), store.Scope{}, smp.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"sample": smp, "spec": spec, "streets": streets, "households": hs[smp.ID]})
}

// SampleHouseholds lists the drawn households (JSON, or CSV with
// ?format=csv). A supervisor sees only their own street.
func (s *Handler) SampleHouseholds(c echo.Context) error {
	smp, err := s.sampleParam(c)
	if err != nil {
		return err
	}
	rows, err := s.db.SampleListing(c.Request().Context(), smp.ID, request.Caller(c).Scope())
	if err != nil {
		return err
	}
	type row struct {
		store.SampleListing
		Reserve int64 `json:"reserve_rank,omitempty"`
	}
	if c.QueryParam("format") == "csv" {
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		request.Attachment(c, smp.Name+".csv")
		c.Response().WriteHeader(http.StatusOK)
		return draw.WriteListingCSV(c.Response(), rows)
	}
	out := make([]row, len(rows))
	for i, r := range rows {
		out[i] = row{SampleListing: r, Reserve: r.ReserveRank.Int64}
	}
	return c.JSON(http.StatusOK, map[string]any{"sample": smp.Name, "households": out})
}

// SampleSize answers the sample-size calculator:
// ?margin=0.05&confidence=0.95&p=0.5&deff=1.5&response_rate=0.7[&population=N][&frame=V].
func (s *Handler) SampleSize(c echo.Context) error {
	var spec sampling.SizeSpec
	fields := map[string]string{}
	// A parameter left out takes the domain's default; one given is
	// checked against its range as given (a 0 is not "the default").
	num := func(name string, dst *float64) {
		v := c.QueryParam(name)
		if v == "" {
			return
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			f = math.NaN()
		}
		if msg := sampling.CheckSizeField(name, f); msg != "" {
			fields[name] = msg
			return
		}
		*dst = f
	}
	num("margin", &spec.Margin)
	num("confidence", &spec.Confidence)
	num("p", &spec.P)
	num("deff", &spec.Deff)
	num("response_rate", &spec.ResponseRate)
	var population float64
	num("population", &population)
	spec.Population = int(population)
	frameVersion := 0
	if v := c.QueryParam("frame"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > math.MaxInt32 {
			fields["frame"] = "a frame version, 1 or more; leave it out for the newest"
		}
		frameVersion = n
	}
	if c.QueryParam("margin") == "" {
		fields["margin"] = "required, e.g. 0.05"
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid sample-size request", fields)
	}
	plan, err := draw.Sizes(c.Request().Context(), s.db, spec, frameVersion)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, plan)
}
