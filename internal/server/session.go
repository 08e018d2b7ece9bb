package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/request"
)

// healthz answers 200 while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database is reachable and its schema is the
// one this binary expects, 503 otherwise.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		return err
	}
	if err := s.db.SchemaReady(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database schema is not current")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "database": string(s.db.Dialect())})
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login checks credentials, sets the session cookie and returns the user.
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	if strings.TrimSpace(req.Username) == "" {
		fields["username"] = "required"
	}
	if req.Password == "" {
		fields["password"] = "required"
	}
	if len(fields) > 0 {
		return apperr.WithFields("username and password are required", fields)
	}
	value, u, err := s.auth.Login(c.Request().Context(), request.Actor(c), req.Username, req.Password, c.Request().UserAgent())
	var te *auth.ErrTooManyAttempts
	if errors.As(err, &te) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter().Seconds())))
		return echo.NewHTTPError(http.StatusTooManyRequests, te.Error())
	}
	if err != nil {
		return err
	}
	c.SetCookie(s.cookie(value, s.auth.TTL()))
	return c.JSON(http.StatusOK, u)
}

// logout ends the session and clears the cookie.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		if err := s.auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(s.cookie("", -1))
	return c.NoContent(http.StatusNoContent)
}

// me returns the logged-in user.
func (s *Server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, request.User(c))
}

// cookie builds the session cookie: HttpOnly, SameSite=Lax, Secure when the
// public base URL is https. A negative ttl deletes it.
func (s *Server) cookie(value string, ttl time.Duration) *http.Cookie {
	ck := &http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   strings.HasPrefix(s.cfg.BaseURL, "https://"),
	}
	if ttl < 0 {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = int(ttl.Seconds())
	}
	return ck
}
