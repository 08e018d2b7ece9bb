package server

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/buildinfo"
	"github.com/minyi-survey/minyi/internal/certs"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// healthz answers 200 while the process is up.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database is reachable and its schema is the
// one this binary expects, 503 otherwise. Its answer names the build and
// the schema, and says "degraded" (still 200: the service works) when the
// TLS certificate has expired or is about to.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		return err
	}
	if err := s.db.SchemaReady(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "database schema is not current")
	}
	b := buildinfo.Read()
	ans := map[string]any{"status": "ready", "database": string(s.db.Dialect()), "schema": store.SchemaVersion(),
		"build": map[string]any{"version": b.Version, "revision": b.Revision, "go": b.Go}}
	if s.certificate != nil {
		if leaf := s.certificate(); leaf != nil {
			tlsState := map[string]any{"not_after": leaf.NotAfter.UTC()}
			if w := certs.Expiry(leaf, time.Now()); w != "" {
				ans["status"], tlsState["warning"] = "degraded", w
			}
			ans["tls"] = tlsState
		}
	}
	return c.JSON(http.StatusOK, ans)
}

// SetCertificate tells the server which TLS certificate serve uses (read
// at each /readyz), so that an expired or expiring one shows there.
func (s *Server) SetCertificate(leaf func() *x509.Certificate) { s.certificate = leaf }

// secureRequest reports whether a request reached the service over HTTPS:
// serve speaks it itself, or a trusted proxy says so (X-Forwarded-Proto
// from one of --trusted-proxies), or the public base URL is https (a proxy
// in front that says nothing). Its cookie is then Secure and its answer
// carries Strict-Transport-Security.
func (s *Server) secureRequest(c echo.Context) bool {
	if s.cfg.TLS() || strings.HasPrefix(s.cfg.BaseURL, "https://") {
		return true
	}
	proto := c.Request().Header.Get("X-Forwarded-Proto")
	return strings.EqualFold(strings.TrimSpace(strings.Split(proto, ",")[0]), "https") && fromTrustedProxy(c.Request(), s.cfg.TrustedProxies)
}

// fromTrustedProxy reports whether the request's connection comes from one
// of the trusted proxies.
func fromTrustedProxy(r *http.Request, trusted []*net.IPNet) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	for _, n := range trusted {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
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
	c.SetCookie(s.cookie(c, value, s.auth.TTL()))
	return c.JSON(http.StatusOK, u)
}

// logout ends the session and clears the cookie.
func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		if err := s.auth.Logout(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(s.cookie(c, "", -1))
	return c.NoContent(http.StatusNoContent)
}

// me returns the logged-in user.
func (s *Server) me(c echo.Context) error {
	return c.JSON(http.StatusOK, request.User(c))
}

// cookie builds the session cookie: HttpOnly, SameSite=Lax, Secure when
// the request came over HTTPS (secureRequest). A negative ttl deletes it.
func (s *Server) cookie(c echo.Context, value string, ttl time.Duration) *http.Cookie {
	ck := &http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   s.secureRequest(c),
	}
	if ttl < 0 {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = int(ttl.Seconds())
	}
	return ck
}
