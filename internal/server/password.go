package server

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// passwordFree are the routes an account with a one-time password may use
// before it has chosen its own: the password page and its API, who am I,
// and logging out. Everything else answers auth.ErrMustChangePassword (a
// page: a redirect to /password).
var passwordFree = map[string]bool{
	"GET /password": true, "POST /api/v1/me/password": true, "GET /api/v1/me": true, "POST /api/v1/logout": true,
}

// mustChangePassword holds back an account that still has its one-time
// password (authenticated calls it once the user is known).
func mustChangePassword(c echo.Context, u store.User) error {
	if !u.MustChangePassword || passwordFree[c.Request().Method+" "+c.Path()] {
		return nil
	}
	if wantsHTML(c) {
		return c.Redirect(http.StatusSeeOther, "/password?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
	return auth.ErrMustChangePassword
}

// passwordPage is the form to choose a new password: the first page an
// account with a one-time password sees, then it goes on to next.
func (s *Server) passwordPage(c echo.Context) error {
	u := request.User(c)
	return s.ui.Render(c, "password", "password.title", map[string]any{"Must": u.MustChangePassword, "Next": localPath(c.QueryParam("next"))})
}

type passwordRequest struct {
	Current  string `json:"current_password"`
	Password string `json:"password"`
}

// changePassword sets the password the logged-in user chose (POST
// /api/v1/me/password): their other sessions and tokens end, this one
// stays.
func (s *Server) changePassword(c echo.Context) error {
	var req passwordRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Password == "" {
		return apperr.WithFields("a new password is required", map[string]string{"password": "required"})
	}
	cookie := ""
	if ck, err := c.Cookie(SessionCookie); err == nil {
		cookie = ck.Value
	}
	u := request.User(c)
	if err := s.auth.ChangePassword(c.Request().Context(), u, cookie, req.Current, req.Password, request.Actor(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": u.ID, "must_change_password": false})
}

// loginCode signs in with an account slip's one-time login code (GET
// /login/code/:code, what the slip's QR code opens): it sets the session
// cookie as a login does, under the same limits and audit, and goes on to
// the password page, then to the tablet app for an interviewer or the home
// page for others. A used, expired or unknown code gets a page that says
// which.
func (s *Server) loginCode(c echo.Context) error {
	value, u, err := s.auth.LoginWithCode(c.Request().Context(), request.Actor(c), c.Param("code"), c.Request().UserAgent())
	var te *auth.ErrTooManyAttempts
	if errors.As(err, &te) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter().Seconds())))
		return echo.NewHTTPError(http.StatusTooManyRequests, te.Error())
	}
	if code := apperr.CodeOf(err); code == store.CodeLoginCodeUsed || code == store.CodeLoginCodeExpired || code == store.CodeLoginCodeUnknown || apperr.Is(err, apperr.Forbidden) {
		status := http.StatusGone
		if code == store.CodeLoginCodeUnknown {
			status = http.StatusNotFound
		}
		if code == "" {
			code, status = "disabled", http.StatusForbidden
		}
		var buf bytes.Buffer
		if err := s.pages.Render(&buf, s.ui.Page(c, "logincode", "logincode.title", map[string]any{"Code": code})); err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.HTMLBlob(status, buf.Bytes())
	}
	if err != nil {
		return err
	}
	c.SetCookie(s.cookie(c, value, s.auth.TTL()))
	c.Response().Header().Set("Cache-Control", "no-store")
	next := "/"
	if u.Role == store.RoleInterviewer {
		next = "/t/"
	}
	if u.MustChangePassword {
		next = "/password?next=" + url.QueryEscape(next)
	}
	return c.Redirect(http.StatusSeeOther, next)
}
