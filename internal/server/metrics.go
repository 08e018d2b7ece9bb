package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

// MetricsAnswer is GET /api/v1/metrics: counters of this server process
// since it started, for the administrator. Each `minyi serve` process
// keeps its own; with several on one database, ask each.
type MetricsAnswer struct {
	StartedAt time.Time `json:"started_at"`
	Database  string    `json:"database"`
	// Transactions are the write transactions the database aborted because
	// of concurrent writers (deadlocks, serialization failures, SQLite
	// busy): each abort by cause, those run again, and those given up
	// (answered 503 busy, with Retry-After).
	Transactions store.TxStats `json:"transactions"`
	// Connections are the write pool's (on PostgreSQL the only pool).
	Connections connectionStats `json:"connections"`
}

type connectionStats struct {
	Open        int     `json:"open"`
	InUse       int     `json:"in_use"`
	Idle        int     `json:"idle"`
	Waits       int64   `json:"waits"`  // requests that waited for a connection
	WaitSeconds float64 `json:"wait_s"` // their total wait
}

func (s *Server) metrics(c echo.Context) error {
	st := s.db.Writer().Stats()
	request.NoStore(c)
	return c.JSON(http.StatusOK, MetricsAnswer{
		StartedAt:    s.started,
		Database:     string(s.db.Dialect()),
		Transactions: s.db.TxStats(),
		Connections: connectionStats{Open: st.OpenConnections, InUse: st.InUse, Idle: st.Idle,
			Waits: st.WaitCount, WaitSeconds: st.WaitDuration.Seconds()},
	})
}

// requestIDKey holds a request's id in its context, for what is logged
// below the handlers (the store's aborted transactions).
type requestIDKey struct{}

// requestContext puts the request id (set by echo's RequestID middleware
// before it) into the request's context.
func requestContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rid := c.Response().Header().Get(echo.HeaderXRequestID)
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), requestIDKey{}, rid)))
		return next(c)
	}
}

// requestLog is a log handler that adds the request id to every record
// logged with a request's context.
type requestLog struct{ slog.Handler }

func (h requestLog) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok && id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestLog) WithAttrs(as []slog.Attr) slog.Handler {
	return requestLog{h.Handler.WithAttrs(as)}
}
func (h requestLog) WithGroup(name string) slog.Handler { return requestLog{h.Handler.WithGroup(name)} }
