package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Roles a user can have.
const (
	RoleAdmin       = "admin"       // district survey office: users, rounds, questionnaires
	RoleSupervisor  = "supervisor"  // a street office: its street's sample, interviewers, review
	RoleInterviewer = "interviewer" // tablet: own assignments only
	RoleAnalyst     = "analyst"     // reads results and exports, all streets
)

// Roles lists the valid roles.
var Roles = []string{RoleAdmin, RoleSupervisor, RoleInterviewer, RoleAnalyst}

// User is an account.
type User struct {
	ID           int64         `db:"id" json:"id"`
	Username     string        `db:"username" json:"username"`
	DisplayName  string        `db:"display_name" json:"display_name"`
	Role         string        `db:"role" json:"role"`
	StreetID     sql.NullInt64 `db:"street_id" json:"-"`
	StreetName   string        `db:"street_name" json:"street,omitempty"`
	PasswordHash string        `db:"password_hash" json:"-"`
	Disabled     bool          `db:"disabled" json:"disabled"`
	CreatedAt    time.Time     `db:"created_at" json:"created_at"`
	// MustChangePassword: the account has a one-time password (an account
	// slip's) and must choose its own before anything else.
	MustChangePassword bool   `db:"must_change_password" json:"must_change_password"`
	Phone              string `db:"phone" json:"phone,omitempty"`
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         string
	StreetID     *int64
	PasswordHash string
	// MustChangePassword marks a one-time password (see User).
	MustChangePassword bool
	Phone              string
}

// Street is a street (街道), the stratum of the sample.
type Street struct {
	ID   int64  `db:"id" json:"id"`
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
	// Position is the street's place in the district's order (lists sort
	// by it, then by id).
	Position int `db:"position" json:"position"`
}

// CountUsers returns the number of accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.GetContext(ctx, &n, db.Q("count-users"))
	return n, db.mapErr(err, "count users")
}

// CreateUser inserts an account and returns its id, audited as
// user.create in the same transaction. A taken username (compared without
// regard to case) is a Conflict; a supervisor or interviewer without a
// street is Invalid.
func (db *DB) CreateUser(ctx context.Context, u NewUser, by Actor) (int64, error) {
	name, err := textcheck.Name(u.Username)
	if err != nil {
		return 0, apperr.WithFields("invalid username", map[string]string{"username": err.Error()})
	}
	if name == "" {
		return 0, apperr.WithFields("invalid username", map[string]string{"username": "required"})
	}
	if msg := textcheck.Field(u.DisplayName); msg != "" {
		return 0, apperr.WithFields("invalid display name", map[string]string{"display_name": msg})
	}
	u.Username = name
	if err := checkRoleStreet(u.Role, u.StreetID != nil); err != nil {
		return 0, err
	}
	var id int64
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.QueryRowxContext(ctx, db.Q("insert-user"),
			u.Username, u.DisplayName, u.Role, u.StreetID, u.PasswordHash, now(), u.MustChangePassword, u.Phone).Scan(&id)
		if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
			return apperr.Wrap(apperr.Conflict, err, "user %q already exists (usernames are compared without regard to case)", u.Username)
		}
		if err != nil {
			return db.mapErr(err, "create user")
		}
		street, err := db.streetNameIn(ctx, tx, u.StreetID)
		if err != nil {
			return err
		}
		return db.AuditIn(ctx, tx, by, "user.create", "user", u.Username, map[string]any{"id": id, "role": u.Role, "street": street})
	})
	return id, err
}

// checkRoleStreet enforces who belongs to a street: a supervisor runs one
// street office, an interviewer works for one. The database checks the
// supervisor's rule too; the interviewer's is newer than the schema.
func checkRoleStreet(role string, hasStreet bool) error {
	if (role == RoleSupervisor || role == RoleInterviewer) && !hasStreet {
		return apperr.WithFields(role+"s belong to a street", map[string]string{"street": "required for the role " + role})
	}
	return nil
}

// streetNameIn returns the name of the street with id *id inside tx, or ""
// for nil; an unknown id is Invalid.
func (db *DB) streetNameIn(ctx context.Context, tx *sqlx.Tx, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	var name string
	err := tx.GetContext(ctx, &name, db.Q("get-street-name"), *id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.WithFields("unknown street", map[string]string{"street": "not in the database"})
	}
	return name, db.mapErr(err, "street")
}

// UserByUsername returns the account with that username, compared without
// regard to case and Unicode normalisation, or NotFound.
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	var u User
	name, err := textcheck.Name(username)
	if err != nil {
		return u, apperr.New(apperr.NotFound, "user not found")
	}
	err = db.read.GetContext(ctx, &u, db.Q("get-user-by-username"), name)
	return u, db.mapErr(err, "user "+username)
}

// User returns the account with that id, or NotFound.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	var u User
	err := db.read.GetContext(ctx, &u, db.Q("get-user"), id)
	return u, db.mapErr(err, "user")
}

// Users lists every account by username.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	var us []User
	err := db.read.SelectContext(ctx, &us, db.Q("list-users"))
	return us, db.mapErr(err, "list users")
}

// SetPassword replaces a user's password hash, ends their sessions and
// revokes their API tokens (endAccess), audited as user.passwd in the same
// transaction.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, by Actor) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		u, err := db.userIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q("set-user-password"), hash, userID); err != nil {
			return db.mapErr(err, "set password")
		}
		revoked, err := db.endAccess(ctx, tx, userID)
		if err != nil {
			return err
		}
		return db.AuditIn(ctx, tx, by, "user.passwd", "user", u.Username, map[string]any{"id": userID, "tokens_revoked": revoked})
	})
}

// endAccess ends every session of a user and revokes every API token of
// theirs still active, inside tx, and returns how many tokens it revoked:
// a password reset, a change of role or street and disabling leave no way
// in made before them — a tablet's token included, which the old cookie's
// end did not touch, and an account slip's unused login code. (Tokens an administrator made for a service account
// go too: the administrator makes new ones, knowing the account changed.)
func (db *DB) endAccess(ctx context.Context, tx *sqlx.Tx, userID int64) (int, error) {
	if _, err := tx.ExecContext(ctx, db.Q("delete-user-sessions"), userID); err != nil {
		return 0, db.mapErr(err, "end sessions")
	}
	res, err := tx.ExecContext(ctx, db.Q("revoke-user-api-tokens"), now(), userID)
	if err != nil {
		return 0, db.mapErr(err, "revoke API tokens")
	}
	// An account slip's login code not used yet goes too.
	if _, err := tx.ExecContext(ctx, db.Q("delete-user-login-codes"), userID); err != nil {
		return 0, db.mapErr(err, "delete login codes")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// userIn reads a user inside tx, locking the row on PostgreSQL, or
// NotFound.
func (db *DB) userIn(ctx context.Context, tx *sqlx.Tx, id int64) (User, error) {
	var u User
	err := tx.GetContext(ctx, &u, db.Q("get-user-for-update"), id)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "user %d not found", id)
	}
	return u, db.mapErr(err, "user")
}

// UserChange is an update of an account: nil fields stay as they are.
// A role of admin or analyst clears the street; a supervisor or
// interviewer must end up with one.
type UserChange struct {
	Role        *string
	StreetID    *int64 // the new street; ClearStreet to remove it
	ClearStreet bool
	DisplayName *string
}

// UpdateUser changes an account's role, street or display name in one
// transaction with its audit entry (user.update, with the old and new
// values). A change of role or street ends the user's sessions, so that no
// session keeps rights the user no longer has. Demoting the last active
// admin is a Conflict.
func (db *DB) UpdateUser(ctx context.Context, id int64, ch UserChange, by Actor) (User, error) {
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		admins, err := db.activeAdmins(ctx, tx)
		if err != nil {
			return err
		}
		old, err := db.userIn(ctx, tx, id)
		if err != nil {
			return err
		}
		role, display := old.Role, old.DisplayName
		var street *int64
		if old.StreetID.Valid {
			street = &old.StreetID.Int64
		}
		if ch.Role != nil {
			role = *ch.Role
		}
		if ch.DisplayName != nil {
			display = *ch.DisplayName
		}
		switch {
		case ch.StreetID != nil:
			street = ch.StreetID
		case ch.ClearStreet || (ch.Role != nil && (role == RoleAdmin || role == RoleAnalyst)):
			street = nil
		}
		if err := checkRoleStreet(role, street != nil); err != nil {
			return err
		}
		if old.Role == RoleAdmin && role != RoleAdmin && !old.Disabled {
			if err := keepAnAdmin(admins, id, "change the role of"); err != nil {
				return err
			}
		}
		newStreet, err := db.streetNameIn(ctx, tx, street)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q("update-user"), role, street, display, id); err != nil {
			return db.mapErr(err, "update user")
		}
		rights := role != old.Role || newStreet != old.StreetName
		revoked := 0
		if rights {
			if revoked, err = db.endAccess(ctx, tx, id); err != nil {
				return err
			}
		}
		return db.AuditIn(ctx, tx, by, "user.update", "user", old.Username, map[string]any{
			"id":             id,
			"from":           map[string]string{"role": old.Role, "street": old.StreetName, "display_name": old.DisplayName},
			"to":             map[string]string{"role": role, "street": newStreet, "display_name": display},
			"sessions_ended": rights,
			"tokens_revoked": revoked,
		})
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, id)
}

// SetUserDisabled disables (ending every session) or enables an account,
// audited as user.disable or user.enable in the same transaction.
// Disabling the last active admin is a Conflict: nobody could manage users
// any more.
func (db *DB) SetUserDisabled(ctx context.Context, id int64, disabled bool, by Actor) (User, error) {
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		admins, err := db.activeAdmins(ctx, tx)
		if err != nil {
			return err
		}
		u, err := db.userIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if disabled && u.Role == RoleAdmin && !u.Disabled {
			if err := keepAnAdmin(admins, id, "disable"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.Q("set-user-disabled"), disabled, id); err != nil {
			return db.mapErr(err, "disable user")
		}
		action := "user.enable"
		detail := map[string]any{"id": id, "was_disabled": u.Disabled}
		if disabled {
			action = "user.disable"
			revoked, err := db.endAccess(ctx, tx, id)
			if err != nil {
				return err
			}
			detail["tokens_revoked"] = revoked
		}
		return db.AuditIn(ctx, tx, by, action, "user", u.Username, detail)
	})
	if err != nil {
		return User{}, err
	}
	return db.User(ctx, id)
}

// activeAdmins returns the ids of the active admins. On PostgreSQL it locks
// them, before any other row, so that two admins disabling each other at
// the same time cannot both pass the last-admin check (and, always locking
// in the same order, cannot deadlock); SQLite has a single writer.
func (db *DB) activeAdmins(ctx context.Context, tx *sqlx.Tx) ([]int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, db.Q("lock-active-admins"))
	return ids, db.mapErr(err, "active admins")
}

// keepAnAdmin is a Conflict when id is the only one of the active admins.
func keepAnAdmin(admins []int64, id int64, what string) error {
	for _, other := range admins {
		if other != id {
			return nil
		}
	}
	return apperr.New(apperr.Conflict, "cannot %s the last active admin: make another user admin first", what)
}

// StreetByName finds a street by its name or code.
func (db *DB) StreetByName(ctx context.Context, name string) (Street, error) {
	var s Street
	if n, err := textcheck.Name(name); err == nil { // stored names are NFC
		name = n
	} else {
		return s, apperr.New(apperr.NotFound, "street %q not found", name)
	}
	err := db.read.GetContext(ctx, &s, db.Q("get-street-by-name"), name, name, name)
	if err == sql.ErrNoRows {
		return s, apperr.Wrap(apperr.NotFound, err, "street %q not found", name)
	}
	return s, db.mapErr(err, "street")
}

// Setting returns a stored setting, or NotFound.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.GetContext(ctx, &v, db.Q("get-setting"), key)
	return v, db.mapErr(err, "setting "+key)
}

// SettingOrInit returns the stored value of key, storing value first if the
// key is absent. Concurrent callers all get the same, first stored, value.
func (db *DB) SettingOrInit(ctx context.Context, key, value string) (string, error) {
	if _, err := db.write.ExecContext(ctx, db.Q("insert-setting-if-absent"), key, value, now()); err != nil {
		return "", db.mapErr(err, "store setting "+key)
	}
	var v string
	err := db.write.GetContext(ctx, &v, db.Q("get-setting"), key)
	return v, db.mapErr(err, "setting "+key)
}

// CreateSession stores a session by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time, userAgent string) error {
	_, err := db.write.ExecContext(ctx, db.Q("insert-session"), tokenHash, userID, now(), expires.UTC(), userAgent)
	return db.mapErr(err, "create session")
}

// SessionUser returns the user of a live session, or NotFound when the
// session is unknown, expired or its user disabled.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (User, error) {
	var u User
	err := db.read.GetContext(ctx, &u, db.Q("get-session-user"), tokenHash, now())
	return u, db.mapErr(err, "session")
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.write.ExecContext(ctx, db.Q("delete-session"), tokenHash)
	return db.mapErr(err, "delete session")
}

// DeleteExpiredSessions removes expired sessions and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, db.Q("delete-expired-sessions"), now())
	if err != nil {
		return 0, db.mapErr(err, "delete expired sessions")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64         `db:"id" json:"id"`
	At         time.Time     `db:"at" json:"at"`
	UserID     sql.NullInt64 `db:"user_id" json:"-"`
	Username   string        `db:"username" json:"username"`
	Action     string        `db:"action" json:"action"`
	ObjectType string        `db:"object_type" json:"object_type"`
	ObjectID   string        `db:"object_id" json:"object_id"`
	Detail     string        `db:"detail" json:"detail"`
	RequestID  string        `db:"request_id" json:"request_id"`
	Via        string        `db:"via" json:"via"`
	IP         string        `db:"ip" json:"ip"`
}

// Actor is who makes a change, through which door and from where: every
// function that changes state takes one and writes its audit entry with
// the change, in the same transaction (AuditIn).
type Actor struct {
	UserID    int64  // 0: no (known) user, e.g. the command line or the first start
	Via       string // "api", "cli", "system", "simulation"
	RequestID string // the HTTP request id, if any
	IP        string // the client address as the server trusts it, if any
}

// userID is the actor's user as a nullable column value.
func (a Actor) userID() sql.NullInt64 {
	return sql.NullInt64{Int64: a.UserID, Valid: a.UserID > 0}
}

// System is the actor of a change minyi makes by itself, such as the first
// admin account or the shipped questionnaires at the first start.
var System = Actor{Via: "system"}

// CLI is the actor of a command-line change: whoever can run the binary
// against the database.
var CLI = Actor{Via: "cli"}

// Audit records an action in a transaction of its own. Use it only for
// events that change nothing else (a failed login); a change is audited
// with AuditIn inside its own transaction.
func (db *DB) Audit(ctx context.Context, userID int64, action, objectType, objectID string, detail any, requestID string) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		return db.AuditIn(ctx, tx, Actor{UserID: userID, RequestID: requestID}, action, objectType, objectID, detail)
	})
}

// AuditIn writes an audit entry inside tx, so that the change it records
// and the record commit or roll back together. detail is marshalled to
// JSON.
func (db *DB) AuditIn(ctx context.Context, tx *sqlx.Tx, a Actor, action, objectType, objectID string, detail any) error {
	args, err := auditArgs(a, action, objectType, objectID, detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.Q("insert-audit"), args...)
	return db.mapErr(err, "audit")
}

// auditArgs are the arguments of insert-audit.
func auditArgs(a Actor, action, objectType, objectID string, detail any) ([]any, error) {
	d := []byte("{}")
	if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "audit detail")
		}
	}
	return []any{now(), a.userID(), action, objectType, objectID, string(d), a.RequestID, a.Via, a.IP}, nil
}

// AuditLog returns the newest entries first.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	var es []AuditEntry
	err := db.read.SelectContext(ctx, &es, db.Q("list-audit"), limit)
	return es, db.mapErr(err, "audit log")
}

// now is the store's clock: UTC with microsecond precision, which both
// databases keep exactly.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
