package server

import (
	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/store"
)

// actor is who makes a change through the API: the logged-in user, the
// request id to quote and the client address as the server trusts it
// (c.RealIP, which follows the configured proxy rules). Every handler that
// changes state passes it down to the domain function, which audits the
// change in the change's own transaction.
func actor(c echo.Context) store.Actor {
	return store.Actor{UserID: currentUser(c).ID, Via: "api", RequestID: requestID(c), IP: c.RealIP()}
}
