// Package accounts manages user accounts for the command line and the API
// alike: it checks a new account or a change (username, role, the street a
// supervisor or interviewer belongs to, display name), resolves streets by
// name, generates passwords, and calls the store, which writes each change
// with its audit entry in one transaction and ends the user's sessions
// where their rights change.
package accounts

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/store"
)

// New is an account to create. Field errors are keyed by the JSON names:
// username, display_name, role, street, password.
type New struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"` // default: the username
	Role        string `json:"role"`
	Street      string `json:"street"` // name or code; supervisors and interviewers only
	// Password is the new account's password; empty generates one, which
	// Create returns so that it can be shown once.
	Password string `json:"-"`
}

// Change is an update of an account; nil fields stay as they are. A Street
// of "" removes the street (only for admins and analysts, who never have
// one); a supervisor or interviewer given no Street keeps theirs.
type Change struct {
	Role        *string `json:"role"`
	Street      *string `json:"street"`
	DisplayName *string `json:"display_name"`
}

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 64

// Create checks and stores a new account, audited as by's. It returns the
// user and, when n.Password was empty, the generated password.
func Create(ctx context.Context, db *store.DB, n New, by store.Actor) (store.User, string, error) {
	if err := n.Check(); err != nil {
		return store.User{}, "", err
	}
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	generated := ""
	if n.Password == "" {
		n.Password = auth.GeneratePassword()
		generated = n.Password
	} else if err := auth.CheckPassword(n.Password, n.Username, n.DisplayName); err != nil {
		return store.User{}, "", err
	}
	hash, err := auth.HashPassword(n.Password)
	if err != nil {
		return store.User{}, "", err
	}
	sid, err := streetID(ctx, db, n.Street)
	if err != nil {
		return store.User{}, "", err
	}
	id, err := db.CreateUser(ctx, store.NewUser{Username: n.Username, DisplayName: n.DisplayName, Role: n.Role, StreetID: sid, PasswordHash: hash}, by)
	if err != nil {
		return store.User{}, "", err
	}
	u, err := db.User(ctx, id)
	return u, generated, err
}

// Check reports the problems of n that need no database (all but an
// unknown street or a taken username) as field errors.
func (n New) Check() error {
	problems := map[string]string{}
	if !ValidUsername(n.Username) {
		problems["username"] = "required: 2–64 letters, digits, '.', '_' or '-'"
	}
	if n.DisplayName != "" {
		checkDisplayName(problems, n.DisplayName)
	}
	checkRole(problems, n.Role, n.Street != "", true)
	if len(problems) > 0 {
		return apperr.WithFields("invalid account", problems)
	}
	return nil
}

// Update changes an account's role, street or display name, audited as
// by's; a change of role or street ends the user's sessions.
func Update(ctx context.Context, db *store.DB, id int64, ch Change, by store.Actor) (store.User, error) {
	problems := map[string]string{}
	if ch.DisplayName != nil {
		checkDisplayName(problems, *ch.DisplayName)
	}
	if ch.Role != nil {
		checkRole(problems, *ch.Role, ch.Street != nil && *ch.Street != "", false)
	}
	if ch.Role == nil && ch.Street == nil && ch.DisplayName == nil {
		problems["role"] = "give role, street or display_name to change"
	}
	if len(problems) > 0 {
		return store.User{}, apperr.WithFields("invalid change", problems)
	}
	var sc store.UserChange
	sc.Role, sc.DisplayName = ch.Role, ch.DisplayName
	if ch.Street != nil {
		if *ch.Street == "" {
			sc.ClearStreet = true
		} else {
			sid, err := streetID(ctx, db, *ch.Street)
			if err != nil {
				return store.User{}, err
			}
			sc.StreetID = sid
		}
	}
	return db.UpdateUser(ctx, id, sc, by)
}

// ResetPassword sets a new password (generated when password is empty,
// and then returned) and ends the user's sessions, audited as by's.
func ResetPassword(ctx context.Context, db *store.DB, id int64, password string, by store.Actor) (string, error) {
	generated := ""
	if password == "" {
		password = auth.GeneratePassword()
		generated = password
	} else {
		u, err := db.User(ctx, id)
		if err != nil {
			return "", err
		}
		if err := auth.CheckPassword(password, u.Username, u.DisplayName); err != nil {
			return "", err
		}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", err
	}
	if err := db.SetPassword(ctx, id, hash, by); err != nil {
		return "", err
	}
	return generated, nil
}

// SetDisabled disables (ending every session) or enables an account,
// audited as by's. The last active admin cannot be disabled.
func SetDisabled(ctx context.Context, db *store.DB, id int64, disabled bool, by store.Actor) (store.User, error) {
	return db.SetUserDisabled(ctx, id, disabled, by)
}

// ValidUsername reports whether s is 2–64 ASCII letters, digits, '.', '_'
// or '-'.
func ValidUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func checkDisplayName(problems map[string]string, s string) {
	switch {
	case !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0:
		problems["display_name"] = "text without control characters"
	case strings.TrimSpace(s) == "":
		problems["display_name"] = "must not be blank"
	case utf8.RuneCountInString(s) > MaxDisplayName:
		problems["display_name"] = "at most 64 characters"
	}
}

// checkRole checks a role and whether a street goes with it. On creation a
// supervisor or interviewer must name a street; on a change they may keep
// the one they have (the store checks the result).
func checkRole(problems map[string]string, role string, hasStreet, creating bool) {
	if !auth.ValidRole(role) {
		problems["role"] = "one of admin, supervisor, interviewer, analyst"
		return
	}
	needs := role == store.RoleSupervisor || role == store.RoleInterviewer
	switch {
	case needs && !hasStreet && creating:
		problems["street"] = "supervisors and interviewers belong to a street: name it (as in the frame)"
	case !needs && hasStreet:
		problems["street"] = "only supervisors and interviewers belong to a street"
	}
}

// streetID resolves a street by name or code; "" is no street. An unknown
// street is a field error.
func streetID(ctx context.Context, db *store.DB, street string) (*int64, error) {
	if street == "" {
		return nil, nil
	}
	s, err := db.StreetByName(ctx, street)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.WithFields("unknown street", map[string]string{"street": "not in the database: import the frame first"})
	}
	if err != nil {
		return nil, err
	}
	return &s.ID, nil
}
