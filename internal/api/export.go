package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// RoundExport answers an export of a round (responses, summary, codebook,
// community estimates or the R bundle): ?format=csv|xlsx, labels=1 (option labels instead of
// codes), bom=0 (CSV without the byte-order mark), lonely_psu=adjust (the
// policy for a stratum with one PSU, as the dashboard's figures; R's fail
// by default), variance=wor|wr (the summary's and the R bundle's variance:
// without replacement in two stages by default). A supervisor's export
// holds their street's responses only (and the district's and their
// street's figures). Responses and the R bundle stream: the status and
// headers go out with the first bytes, so an error before them is still a
// proper error answer.
func (s *Handler) RoundExport(kind results.ExportKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := request.IDParam(c, "id", "round")
		if err != nil {
			return err
		}
		fields := map[string]string{}
		f, err := export.ParseFormat(c.QueryParam("format"))
		if err != nil {
			fields["format"] = "csv or xlsx"
		}
		flag := func(name string, def bool) bool {
			switch c.QueryParam(name) {
			case "":
				return def
			case "1", "true":
				return true
			case "0", "false":
				return false
			}
			fields[name] = "1 or 0"
			return def
		}
		o := results.ExportOptions{Format: f, Labels: flag("labels", false), NoBOM: !flag("bom", true),
			Scope: store.Scope{StreetID: request.Caller(c).Scope().StreetID}, MinN: int64(s.minCell), Location: s.Location}
		if v := c.QueryParam("lonely_psu"); v != "" {
			if o.LonelyPSU, err = stats.ParseLonelyPSU(v); err != nil {
				fields["lonely_psu"] = "fail, remove, certainty, adjust or average"
			}
		}
		if v := c.QueryParam("variance"); v != "" {
			if o.Variance, err = stats.ParseVariance(v); err != nil {
				fields["variance"] = "wor or wr"
			}
		}
		if len(fields) > 0 {
			return apperr.WithFields("invalid export", fields)
		}
		ctx := c.Request().Context()
		r, err := s.db.RoundByID(ctx, id)
		if err != nil {
			return err
		}
		name := results.FileName(r, kind, f)
		start := func() {
			h := c.Response().Header()
			ct := f.ContentType()
			if kind == results.ExportRBundle {
				ct = "application/zip"
			}
			h.Set(echo.HeaderContentType, ct)
			request.Attachment(c, name)
			request.NoStore(c)
			c.Response().WriteHeader(http.StatusOK)
		}
		if kind == results.ExportSummary || kind == results.ExportCodebook || kind == results.ExportCommunities {
			var b bytes.Buffer // small: built whole, so an error is a clean answer
			if err := results.ExportTo(ctx, s.db, id, kind, o, &b); err != nil {
				return err
			}
			start()
			_, err := c.Response().Write(b.Bytes())
			return err
		}
		return results.ExportTo(ctx, s.db, id, kind, o, &lazyResponse{c: c, start: start})
	}
}

// lazyResponse writes the status and headers with the first bytes.
type lazyResponse struct {
	c       echo.Context
	start   func()
	started bool
}

func (w *lazyResponse) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		w.start()
	}
	return w.c.Response().Write(p)
}
