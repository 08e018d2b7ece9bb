// Package server is what every request of minyi's HTTP layer shares, on
// echo: setup and routing, middleware (request id, access log, panic
// recovery, body limits, same origin, text checks, sessions, roles), login
// and sessions, the one error handler (errors.go), static files, metrics,
// and the access tables: every API route (access.go) and every page
// (pages.go) with the roles that may use it, the only place routes are
// registered. The handlers are the JSON API's (internal/api) and each face's
// (internal/office, streetoffice, dashboard, design, tablet); what they
// share is in internal/request and internal/ui. Handlers bind and validate
// input, call one domain function and return JSON or an error; they hold no
// business logic and no SQL.
package server

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/minyi-survey/minyi/internal/api"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/dashboard"
	"github.com/minyi-survey/minyi/internal/design"
	"github.com/minyi-survey/minyi/internal/office"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/streetoffice"
	"github.com/minyi-survey/minyi/internal/ui"
	"github.com/minyi-survey/minyi/web"
)

// Server carries the dependencies every handler needs.
type Server struct {
	cfg   config.Config
	db    *store.DB
	auth  *auth.Service
	log   *slog.Logger
	e     *echo.Echo
	pages *web.Pages
	ui    *ui.UI // renders pages with the layout
	// The JSON API and the faces of the web interface, each its own
	// package; the access tables (access.go, pages.go) route to them.
	api    *api.Handler
	dash   *dashboard.Handler
	street *streetoffice.Handler
	office *office.Handler
	design *design.Handler
	// rounds runs fieldwork (rounds, assignments, visits, responses).
	rounds *rounds.Service
	// publicHost is the host of the public base URL, if configured.
	publicHost string
	// bodyLimit bounds API request bodies, uploadLimit a frame upload.
	bodyLimit, uploadLimit int64
	// started is when New made the server (GET /api/v1/metrics).
	started time.Time
	// certificate is serve's TLS certificate in use (SetCertificate), nil
	// without HTTPS.
	certificate func() *x509.Certificate
	// strings are the languages' strings as served (/i18n/), made once.
	strings sync.Map
}

// Timeouts of the HTTP server. Uploads of large frames need the long read
// timeout; slow clients cannot hold a connection for longer.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 20 * time.Second
)

// New builds the server and its routes.
func New(cfg config.Config, db *store.DB, authSvc *auth.Service, log *slog.Logger) (*Server, error) {
	if cfg.Location == nil { // a Config not made by Resolve (tests): the default zone
		loc, err := config.ParseZone(config.DefaultTimeZone)
		if err != nil {
			return nil, err
		}
		cfg.Location = loc
	}
	// Every page shows its times, and draws its days, in the district's
	// zone: the templates' time functions are bound to it.
	pages, err := web.NewPagesIn(cfg.Location)
	if err != nil {
		return nil, err
	}
	if _, err := ui.StaticFiles(); err != nil { // hashed once, at start
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, auth: authSvc, log: log, pages: pages, ui: ui.New(pages),
		rounds: rounds.New(db), bodyLimit: defaultBodyLimit, uploadLimit: defaultUploadLimit, started: time.Now().UTC()}
	// The store logs a transaction it runs again (store.Tx) with the
	// request's context: with this handler, under the request's id.
	s.rounds.Zone = cfg.Location.String() // a new round's rule counts days in the district's zone
	s.api = api.New(db, s.rounds, cfg.MinCell, statusOf)
	s.api.Location = cfg.Location // exports' times
	s.dash = dashboard.New(db, s.rounds, s.ui, cfg.MinCell)
	s.street = streetoffice.New(db, s.rounds, s.ui, statusOf)
	s.office = office.New(db, s.rounds, s.ui)
	s.office.TLSLocal = cfg.TLSLocal
	s.office.BackupDir, s.office.BackupEvery = cfg.BackupDir, cfg.BackupEvery
	s.office.BaseURL, s.office.Now = cfg.BaseURL, func() time.Time { return authSvc.Now() }
	s.design = design.New(db, s.ui)
	db.SetLogger(slog.New(requestLog{log.Handler()}))
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		s.publicHost = u.Host
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientIP(cfg.TrustedProxies)
	e.Use(middleware.RequestID())
	e.Use(requestContext)
	e.Use(s.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
	}))
	e.Use(s.strictTransport)
	e.Use(s.sameOrigin)
	e.Use(s.checkText)
	e.Use(noStoreAPI)
	s.e = e
	s.routes()
	return s, nil
}

// Handler returns the server's http.Handler: echo, with HEAD answered
// wherever GET is (headAsGet).
func (s *Server) Handler() http.Handler { return headAsGet(s.e) }

func (s *Server) routes() {
	e := s.e
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	s.registerAPI()
	s.webRoutes()
}

// Serve answers on ln until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish (up to a limit) and
// returns nil. Any other failure of the listener is returned.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(jsonErrorListener{ln}) }()
	go s.sweepSessions(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	s.log.Info("stopped")
	return nil
}

// sweepSessions deletes expired sessions and login counters quiet for a
// day every hour.
func (s *Server) sweepSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.db.DeleteExpiredSessions(ctx); err != nil {
				s.log.Warn("sweeping sessions", "err", err)
			} else if n > 0 {
				s.log.Debug("swept expired sessions", "count", n)
			}
			if _, err := s.db.DeleteStaleLoginCounters(ctx, time.Now().Add(-24*time.Hour)); err != nil {
				s.log.Warn("sweeping login counters", "err", err)
			}
		}
	}
}
