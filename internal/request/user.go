// Package request is what a handler of the web layer reads of its
// request: who is asking (the logged-in user, the fieldwork caller, the
// actor an audit entry records), ids from the path and query, and bounded,
// checked bodies and form values. The server's middleware puts the user in
// the context (SetUser); handlers of every face read it from here.
package request

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/store"
)

// userKey is the echo context key of the logged-in store.User.
const userKey = "minyi.user"

// tokenKey is the echo context key of the id (int64) of the API token that
// authenticated the request, if a token did.
const tokenKey = "minyi.token"

// SetUser records the logged-in user (the server's authentication does).
func SetUser(c echo.Context, u store.User) { c.Set(userKey, u) }

// SetToken records the id of the API token that authenticated the request.
func SetToken(c echo.Context, id int64) { c.Set(tokenKey, id) }

// Token returns the id of the API token that authenticated the request,
// and false for a session (or no login).
func Token(c echo.Context) (int64, bool) {
	id, ok := c.Get(tokenKey).(int64)
	return id, ok
}

// LoggedIn returns the logged-in user and whether there is one.
func LoggedIn(c echo.Context) (store.User, bool) {
	u, ok := c.Get(userKey).(store.User)
	return u, ok
}

// User returns the logged-in user (the zero User when nobody is).
func User(c echo.Context) store.User {
	u, _ := c.Get(userKey).(store.User)
	return u
}

// Actor is who makes a change through the API or a page: the logged-in
// user (if any), the request id and the client address as the server's
// IP extractor trusts it.
func Actor(c echo.Context) store.Actor {
	return store.Actor{UserID: User(c).ID, Via: "api", RequestID: ID(c), IP: c.RealIP()}
}

// ID returns the id of the current request.
func ID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// Caller is the fieldwork caller of a request: the logged-in user and the
// actor the audit log records.
func Caller(c echo.Context) rounds.Caller {
	return rounds.Caller{User: User(c), Actor: Actor(c)}
}
