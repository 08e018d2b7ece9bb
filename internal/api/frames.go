package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
	"github.com/minyi-survey/minyi/internal/request"
)

// ImportFrame takes a multipart upload (field "file", optional fields
// encoding, format, sheet and map as in 'minyi frame import') and stores it
// as a new frame version. A file with problems answers 422 with every
// problem and its line in error.details. The body is bounded by the
// server's upload limit (413 beyond it) and at most a few MB of it is held
// in memory (request.UploadedFile); the rest waits in a temporary file.
func (s *Handler) ImportFrame(c echo.Context) error {
	f, err := request.OpenUpload(c, "the register")
	if err != nil {
		return err
	}
	defer f.Close()
	opts, err := frameOptionsFromForm(c)
	if err != nil {
		return err
	}
	fr, err := frameload.Import(c.Request().Context(), s.db, f, f.Name, opts, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, fr)
}

func frameOptionsFromForm(c echo.Context) (frame.Options, error) {
	var o frame.Options
	var err error
	fields := map[string]string{}
	enc, format := request.FormValue(c, "encoding", fields), request.FormValue(c, "format", fields)
	o.Sheet = request.FormValue(c, "sheet", fields)
	m := request.FormValue(c, "map", fields)
	if len(fields) > 0 {
		return o, apperr.WithFields("text with invalid characters", fields)
	}
	if o.Encoding, err = frame.ParseEncoding(enc); err != nil {
		fields["encoding"] = err.Error()
	}
	if o.Format, err = frame.ParseFormat(format); err != nil {
		fields["format"] = err.Error()
	}
	if m != "" {
		o.Mapping, err = frame.ParseMapping(m)
		if err != nil {
			fields["map"] = err.Error()
		}
	}
	if len(fields) > 0 {
		return o, apperr.WithFields("invalid import options", fields)
	}
	return o, nil
}

// ListFrames returns every frame version, newest first.
func (s *Handler) ListFrames(c echo.Context) error {
	fs, err := s.db.Frames(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"frames": fs})
}

// GetFrame returns one frame version with its streets.
func (s *Handler) GetFrame(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 || v > math.MaxInt32 { // versions are INTEGER columns
		return apperr.New(apperr.NotFound, "frame version %q not found", c.Param("version"))
	}
	ctx := c.Request().Context()
	f, err := s.db.FrameByVersion(ctx, v)
	if err != nil {
		return err
	}
	streets, err := s.db.FrameStreets(ctx, f.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"frame": f, "streets": streets})
}
