package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/survey"
)

// definitionBody reads a questionnaire definition posted as YAML
// (application/yaml, text/yaml) or JSON (application/json) and returns it
// with the name its problems are reported under.
func definitionBody(c echo.Context) (string, []byte, error) {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	var name string
	switch mt {
	case "application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml":
		name = "definition.yaml"
	case echo.MIMEApplicationJSON:
		name = "definition.json"
	default:
		return "", nil, echo.NewHTTPError(http.StatusUnsupportedMediaType,
			"send the definition as YAML (Content-Type: application/yaml) or JSON (Content-Type: application/json)")
	}
	data, err := io.ReadAll(io.LimitReader(c.Request().Body, questionnaire.MaxDefinitionSize+1))
	if err != nil {
		return "", nil, request.BodyError(err, apperr.Wrap(apperr.Invalid, err, "could not read the request body"))
	}
	if len(data) > questionnaire.MaxDefinitionSize {
		return "", nil, apperr.New(apperr.TooLarge, "a questionnaire definition may be at most %d bytes", questionnaire.MaxDefinitionSize)
	}
	return name, data, nil
}

// ListSurveys returns every questionnaire with its newest version and
// whether it has a draft.
func (s *Handler) ListSurveys(c echo.Context) error {
	qs, err := survey.List(c.Request().Context(), s.db)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"surveys": qs})
}

// GetSurvey returns one questionnaire and its versions, the draft first.
func (s *Handler) GetSurvey(c echo.Context) error {
	q, vs, err := survey.Versions(c.Request().Context(), s.db, c.Param("slug"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"survey": q, "versions": vs})
}

// ImportSurvey stores the posted definition as its questionnaire's draft.
// A definition with problems answers 422 with every problem, with line and
// column, in error.details.problems; one identical to the newest published
// version answers 409.
func (s *Handler) ImportSurvey(c echo.Context) error {
	name, data, err := definitionBody(c)
	if err != nil {
		return err
	}
	v, err := survey.Import(c.Request().Context(), s.db, name, data, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// ValidateSurvey checks the posted definition like importSurvey and stores
// nothing.
func (s *Handler) ValidateSurvey(c echo.Context) error {
	name, data, err := definitionBody(c)
	if err != nil {
		return err
	}
	d, err := survey.Parse(name, data)
	if err != nil {
		return err
	}
	hash, err := d.ContentHash()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "content hash")
	}
	return c.JSON(http.StatusOK, map[string]any{
		"valid":        true,
		"slug":         d.ID,
		"title":        d.Title,
		"sections":     len(d.Sections),
		"questions":    len(d.Questions()),
		"indicators":   len(d.Indicators),
		"content_hash": hash,
	})
}

// PublishSurvey makes the questionnaire's draft its next version.
func (s *Handler) PublishSurvey(c echo.Context) error {
	v, err := survey.Publish(c.Request().Context(), s.db, c.Param("slug"), request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// GetSurveyVersion returns the canonical JSON definition of a version (a
// number, latest or draft) as the tablet needs it. Its ETag is the content
// hash, so a tablet revalidates with If-None-Match and gets 304 while the
// version is unchanged; the draft's ETag changes with every import.
func (s *Handler) GetSurveyVersion(c echo.Context) error {
	ref, err := survey.ParseRef(c.Param("version"))
	if err != nil {
		return apperr.New(apperr.NotFound, "version %q not found: use a number, latest or draft", c.Param("version"))
	}
	v, err := survey.Lookup(c.Request().Context(), s.db, c.Param("slug"), ref)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	etag := `"` + v.ContentHash + `"`
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	h.Set("X-Questionnaire-Status", v.Status)
	if v.Version > 0 {
		h.Set("X-Questionnaire-Version", strconv.Itoa(v.Version))
	}
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.JSONBlob(http.StatusOK, []byte(v.Definition))
}

// etagMatches implements the weak comparison of If-None-Match (RFC 9110
// §13.1.2): any listed tag, with or without W/, or *.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
