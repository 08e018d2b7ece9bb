package office

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/accounts"
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/qrsvg"
	"github.com/minyi-survey/minyi/internal/request"
)

// SlipsPerPage is the account slips on one printed A4 page (two columns
// of four): slips.css gives each a fixed height, and each page of slips
// its own page break, so that no slip is cut.
const SlipsPerPage = 8

// slipView is one account slip as the sheet shows it.
type slipView struct {
	accounts.Slip
	URL string
	QR  qrsvg.Code
}

// ImportUsers creates the accounts of an uploaded list (CSV or XLSX, as
// accounts.ReadList reads it) and answers the printable sheet of their
// slips: each with its one-time password and the QR code of its one-time
// login link. The passwords and codes are in this answer only. A list with
// problems creates nothing and answers 422 with each problem and its line.
func (s *Handler) ImportUsers(c echo.Context) error {
	f, err := request.OpenUpload(c, "the account list")
	if err != nil {
		return err
	}
	defer f.Close()
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	slips, err := accounts.Import(c.Request().Context(), s.db, f, now(), request.Actor(c))
	if apperr.Is(err, apperr.Invalid) {
		var problems any
		if d, ok := apperr.DetailsOf(err).(map[string]any); ok {
			problems = d["problems"]
		}
		return s.render(c, http.StatusUnprocessableEntity, "office_slips", "office.slips.title",
			map[string]any{"Problems": problems, "File": f.Name, "Pages": nil, "Count": 0})
	}
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	var pages [][]slipView
	for i, sl := range slips {
		u := base + "/login/code/" + url.PathEscape(sl.LoginCode)
		qr, err := qrsvg.Encode(u)
		if err != nil {
			return err
		}
		if i%SlipsPerPage == 0 {
			pages = append(pages, nil)
		}
		pages[len(pages)-1] = append(pages[len(pages)-1], slipView{Slip: sl, URL: u, QR: qr})
	}
	return s.render(c, http.StatusCreated, "office_slips", "office.slips.title", map[string]any{"Problems": nil, "Pages": pages, "Count": len(slips), "File": f.Name})
}

// render writes a page with a status of its own (ui.Render answers 200).
func (s *Handler) render(c echo.Context, status int, name, title string, data any) error {
	var buf bytes.Buffer
	if err := s.ui.Pages().Render(&buf, s.ui.Page(c, name, title, data)); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// baseURL is the public base URL, or else the address this request came
// to: what a slip's QR code opens.
func (s *Handler) baseURL(c echo.Context) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}
