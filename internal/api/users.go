package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/minyi-survey/minyi/internal/accounts"
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/request"
)

// ListUsers returns every account (without password hashes).
func (s *Handler) ListUsers(c echo.Context) error {
	us, err := s.db.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": us})
}

// CreateUser adds an account with a generated password, returned this once.
func (s *Handler) CreateUser(c echo.Context) error {
	var n accounts.New
	if err := request.BindJSON(c, &n); err != nil {
		return err
	}
	u, pw, err := accounts.Create(c.Request().Context(), s.db, n, request.Actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]any{"user": u, "password": pw})
}

// UpdateUser changes an account's role, street or display name.
func (s *Handler) UpdateUser(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	var ch accounts.Change
	if err := request.BindJSON(c, &ch); err != nil {
		return err
	}
	u, err := accounts.Update(c.Request().Context(), s.db, id, ch, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// DisableUser and enableUser switch an account off (ending its sessions)
// and on.
func (s *Handler) DisableUser(c echo.Context) error { return s.setUserDisabled(c, true) }
func (s *Handler) EnableUser(c echo.Context) error  { return s.setUserDisabled(c, false) }

func (s *Handler) setUserDisabled(c echo.Context, disabled bool) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	u, err := accounts.SetDisabled(c.Request().Context(), s.db, id, disabled, request.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// ResetPassword sets a generated password, returned this once, and ends the
// user's sessions.
func (s *Handler) ResetPassword(c echo.Context) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	pw, err := accounts.ResetPassword(c.Request().Context(), s.db, id, "", request.Actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"id": id, "password": pw})
}

// userID reads the :id path parameter.
func userID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.WithFields("invalid user id", map[string]string{"id": "a positive whole number"})
	}
	return id, nil
}

// ImportUsers creates the accounts of an uploaded list (multipart field
// "file": CSV or XLSX with 姓名, 账号, 角色, 街道, 手机), all or none, and
// returns each with its one-time password and login code, this once. A
// list with problems answers 422 with each problem and its line in
// error.details.problems.
func (s *Handler) ImportUsers(c echo.Context) error {
	f, err := request.OpenUpload(c, "the account list")
	if err != nil {
		return err
	}
	defer f.Close()
	slips, err := accounts.Import(c.Request().Context(), s.db, f, time.Now(), request.Actor(c))
	if err != nil {
		return err
	}
	request.NoStore(c)
	return c.JSON(http.StatusCreated, map[string]any{"accounts": slips})
}
