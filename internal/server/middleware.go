package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/request"
)

// SessionCookie is the name of the login cookie (browser tests read it).
const SessionCookie = "minyi_session"

// headCtxKey marks, in the request's context, a HEAD request that
// headAsGet hands on as GET.
type headCtxKey struct{}

// headAsGet answers HEAD wherever GET is answered, for every route at once
// (echo routes HEAD only where it is registered, and routes by the method
// of the request net/http gave it, so this wraps echo rather than being
// echo middleware): the router and handlers get a copy of the request with
// method GET. The body is discarded by net/http, which writes none for a
// HEAD request (its own request keeps the method) and still sends the
// Content-Length the GET would have. A route registered for HEAD itself is
// never reached by a HEAD request.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			g := r.WithContext(context.WithValue(r.Context(), headCtxKey{}, true))
			g.Method = http.MethodGet
			r = g
		}
		next.ServeHTTP(w, r)
	})
}

// isHead reports whether the request came as HEAD.
func isHead(c echo.Context) bool {
	h, _ := c.Request().Context().Value(headCtxKey{}).(bool)
	return h
}

// accessLog logs one structured line per request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now, so its status is logged
		}
		r, w := c.Request(), c.Response()
		method := r.Method
		if isHead(c) {
			method = http.MethodHead
		}
		attrs := []any{
			"request_id", w.Header().Get(echo.HeaderXRequestID),
			"method", method,
			"path", r.URL.Path,
			"status", w.Status,
			"bytes", w.Size,
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"remote", c.RealIP(),
		}
		if u, ok := request.LoggedIn(c); ok {
			attrs = append(attrs, "user", u.Username)
		}
		s.log.Log(r.Context(), slogLevel(w.Status), "http", attrs...)
		return nil
	}
}

// sameOrigin rejects state-changing requests that may come from another
// site. With the session cookie (the credential a foreign page could make
// a browser send) a POST, PUT, PATCH or DELETE must show where it comes
// from: an Origin of this site (the host asked, or the public base URL's
// for a proxy that rewrites Host), or, where a browser sends no Origin,
// Sec-Fetch-Site: same-origin; a request that shows neither is refused,
// and so is a Referer of another site. Without the cookie only a foreign
// Origin is refused (a login posted from another site). A bearer token
// without the cookie carries no ambient credential: a browser sends an
// Authorization header only when a script sets it, and across origins only
// after a CORS preflight this server never grants. SameSite=Lax already
// keeps the cookie off cross-site POSTs in today's browsers; this holds
// without relying on it.
func (s *Server) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		_, cookieErr := c.Cookie(SessionCookie)
		withCookie := cookieErr == nil
		if _, ok := bearerToken(r); ok && !withCookie {
			return next(c)
		}
		refuse := func(why string) error {
			return apperr.New(apperr.Forbidden, "cross-origin request refused: %s", why)
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			if !s.ownOrigin(r, origin) {
				return refuse("it comes from another site")
			}
			return next(c)
		}
		if !withCookie {
			return next(c) // not a browser's, or nothing to borrow
		}
		if ref := r.Header.Get("Referer"); ref != "" && !s.ownOrigin(r, ref) {
			return refuse("it comes from another site")
		}
		if r.Header.Get("Sec-Fetch-Site") != "same-origin" {
			return refuse("a request with the session cookie must say it comes from this site (Origin or Sec-Fetch-Site); a script uses an API token (Authorization: Bearer)")
		}
		return next(c)
	}
}

// ownOrigin reports whether an Origin or Referer names this site: the host
// asked or the public base URL's.
func (s *Server) ownOrigin(r *http.Request, ref string) bool {
	u, err := url.Parse(ref)
	return err == nil && u.Host != "" && (u.Host == r.Host || u.Host == s.publicHost)
}

// authenticated requires a valid API token ("Authorization: Bearer …") or
// session cookie and puts its user in the context (and, for a token, its
// id, request.SetToken). A request that sends a bearer token is judged by the
// token alone: a wrong one is refused even beside a valid cookie.
func (s *Server) authenticated(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if token, ok := bearerToken(c.Request()); ok {
			u, id, err := s.auth.TokenUser(c.Request().Context(), token)
			if err != nil {
				if apperr.Is(err, apperr.Unauthenticated) {
					c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="minyi", error="invalid_token"`)
				}
				return err
			}
			request.SetUser(c, u)
			request.SetToken(c, id)
			if err := mustChangePassword(c, u); err != nil || c.Response().Committed {
				return err
			}
			return next(c)
		}
		ck, err := c.Cookie(SessionCookie)
		if err != nil {
			return apperr.New(apperr.Unauthenticated, "please log in")
		}
		u, err := s.auth.User(c.Request().Context(), ck.Value)
		if err != nil {
			return err
		}
		request.SetUser(c, u)
		if err := mustChangePassword(c, u); err != nil || c.Response().Committed {
			return err
		}
		return next(c)
	}
}

// require allows only the given roles (admin is always allowed). It must
// follow authenticated.
func require(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := request.User(c)
			if !auth.Allowed(u.Role, roles...) {
				return apperr.New(apperr.Forbidden, "your role (%s) may not do this", u.Role)
			}
			return next(c)
		}
	}
}

// clientIP is echo's IPExtractor, which c.RealIP (the access log, the audit
// log, the login limits) uses: the connection's address, unless it is one
// of the trusted proxies, in which case X-Forwarded-For is read from the
// right, skipping trusted proxies. X-Real-IP is never believed. echo
// trusts loopback and private addresses by default; here only the
// configured ranges are trusted.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// strictTransport tells browsers to use HTTPS only (a year, subdomains
// left alone: the district's other services are not minyi's to decide), on
// every answer to a request that came over HTTPS.
func (s *Server) strictTransport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.secureRequest(c) {
			c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// bearerToken returns the token of an "Authorization: Bearer …" header, if
// the request has one (the scheme is case-insensitive, RFC 9110). A bare
// "Bearer" counts, with an empty token, so that it is refused as a token
// rather than taken for no credential at all.
func bearerToken(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get(echo.HeaderAuthorization))
	const scheme = "Bearer"
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	rest := h[len(scheme):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false // another scheme that starts with "Bearer"
	}
	return strings.TrimSpace(rest), true
}
