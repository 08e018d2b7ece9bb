package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/request"
	"github.com/minyi-survey/minyi/internal/store"
)

type createTokenRequest struct {
	UserID *int64 `json:"user_id"` // default: the caller
	Name   string `json:"name"`
	TTL    string `json:"ttl"` // a Go duration, or "never"; default 720h
}

// createdToken is the one answer that carries a token's value.
type createdToken struct {
	store.APIToken
	Token string `json:"token"`
}

// CreateToken makes an API token: an admin for anyone, any other user for
// themselves (a tablet logs in once with a password and keeps a device
// token). A non-admin must have logged in with a password to do so, so that
// a stolen token cannot mint a longer-lived one.
func (s *Handler) CreateToken(c echo.Context) error {
	var req createTokenRequest
	if err := request.BindJSON(c, &req); err != nil {
		return err
	}
	u := request.User(c)
	isAdmin := u.Role == store.RoleAdmin
	if _, byToken := request.Token(c); byToken && !isAdmin {
		return apperr.New(apperr.Forbidden, "log in with your password to create an API token")
	}
	target := u.ID
	fields := map[string]string{}
	if req.UserID != nil {
		switch {
		case *req.UserID < 1:
			fields["user_id"] = "the id of a user"
		case *req.UserID != u.ID && !isAdmin:
			return apperr.New(apperr.Forbidden, "you may create API tokens only for yourself")
		default:
			target = *req.UserID
		}
	}
	ttl, err := auth.ParseTokenTTL(req.TTL)
	if err != nil {
		fields["ttl"] = apperr.PublicMessage(err)
	}
	if len(fields) > 0 {
		return apperr.WithFields("invalid token request", fields)
	}
	token, t, err := auth.CreateToken(c.Request().Context(), s.db, request.Actor(c), auth.TokenRequest{UserID: target, Name: req.Name, TTL: ttl, Self: !isAdmin})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, createdToken{APIToken: t, Token: token})
}

// ListTokens lists API tokens: an admin's answer has everyone's, anyone
// else's only their own.
func (s *Handler) ListTokens(c echo.Context) error {
	ts, err := s.db.APITokens(c.Request().Context(), tokenOwner(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ts)
}

// RevokeToken revokes an API token: an admin any, anyone else their own
// (another user's token is 404, its existence is not theirs to know).
func (s *Handler) RevokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return apperr.New(apperr.NotFound, "API token %q not found", c.Param("id"))
	}
	t, err := s.db.RevokeAPIToken(c.Request().Context(), request.Actor(c), id, tokenOwner(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// tokenOwner is the user whose tokens the caller may see and revoke: 0
// (everyone's) for an admin, else the caller.
func tokenOwner(c echo.Context) int64 {
	if u := request.User(c); u.Role != store.RoleAdmin {
		return u.ID
	}
	return 0
}
