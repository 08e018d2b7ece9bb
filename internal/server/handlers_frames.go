package server

import (
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/frameload"
)

// importFrame takes a multipart upload (field "file", optional fields
// encoding, format, sheet and map as in 'minyi frame import') and stores it
// as a new frame version. A file with problems answers 422 with every
// problem and its line in error.details. The body is bounded by
// s.uploadLimit (413 beyond it) and at most uploadMemory of it is held in
// memory; the rest of the file waits in a temporary file.
func (s *Server) importFrame(c echo.Context) error {
	r := c.Request()
	notMultipart := apperr.WithFields("upload the register as multipart form field \"file\"", map[string]string{"file": "required"})
	// Anything but multipart would be parsed into memory whole.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt != echo.MIMEMultipartForm {
		return notMultipart
	}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		return bodyError(err, notMultipart)
	}
	defer r.MultipartForm.RemoveAll()
	fh, err := c.FormFile("file")
	if err != nil {
		return notMultipart
	}
	opts, err := frameOptionsFromForm(c)
	if err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Wrap(apperr.Internal, err, "open upload")
	}
	defer f.Close()
	u := currentUser(c)
	ctx := c.Request().Context()
	fr, err := frameload.Import(ctx, s.db, f, filepath.Base(fh.Filename), opts, u.ID)
	if err != nil {
		return err
	}
	_ = s.db.Audit(ctx, u.ID, "frame.import", "frame", fmt.Sprint(fr.Version),
		map[string]any{"file": fr.SourceName, "households": fr.Households}, requestID(c))
	return c.JSON(http.StatusCreated, fr)
}

func frameOptionsFromForm(c echo.Context) (frame.Options, error) {
	var o frame.Options
	var err error
	fields := map[string]string{}
	if o.Encoding, err = frame.ParseEncoding(c.FormValue("encoding")); err != nil {
		fields["encoding"] = err.Error()
	}
	if o.Format, err = frame.ParseFormat(c.FormValue("format")); err != nil {
		fields["format"] = err.Error()
	}
	o.Sheet = c.FormValue("sheet")
	if m := c.FormValue("map"); m != "" {
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

// listFrames returns every frame version, newest first.
func (s *Server) listFrames(c echo.Context) error {
	fs, err := s.db.Frames(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"frames": fs})
}

// getFrame returns one frame version with its streets.
func (s *Server) getFrame(c echo.Context) error {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
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
