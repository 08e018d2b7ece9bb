package store

import (
	"context"
	"database/sql"
	"encoding/json"
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
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         string
	StreetID     *int64
	PasswordHash string
}

// Street is a street (街道), the stratum of the sample.
type Street struct {
	ID   int64  `db:"id" json:"id"`
	Code string `db:"code" json:"code"`
	Name string `db:"name" json:"name"`
}

// CountUsers returns the number of accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.GetContext(ctx, &n, db.Q("count-users"))
	return n, db.mapErr(err, "count users")
}

// CreateUser inserts an account and returns its id. A taken username is a
// Conflict.
func (db *DB) CreateUser(ctx context.Context, u NewUser) (int64, error) {
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
	var id int64
	err = db.write.QueryRowxContext(ctx, db.Q("insert-user"),
		u.Username, u.DisplayName, u.Role, u.StreetID, u.PasswordHash, now()).Scan(&id)
	if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
		return 0, apperr.Wrap(apperr.Conflict, err, "user %q already exists (usernames are compared without regard to case)", u.Username)
	}
	return id, db.mapErr(err, "create user")
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

// SetPassword replaces a user's password hash and ends their sessions.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q("set-user-password"), hash, userID)
		if err != nil {
			return db.mapErr(err, "set password")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "user not found")
		}
		_, err = tx.ExecContext(ctx, db.Q("delete-user-sessions"), userID)
		return db.mapErr(err, "end sessions")
	})
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
	d := []byte("{}")
	if detail != nil {
		var err error
		if d, err = json.Marshal(detail); err != nil {
			return apperr.Wrap(apperr.Internal, err, "audit detail")
		}
	}
	var uid sql.NullInt64
	if a.UserID > 0 {
		uid = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	_, err := tx.ExecContext(ctx, db.Q("insert-audit"), now(), uid, action, objectType, objectID, string(d), a.RequestID, a.Via, a.IP)
	return db.mapErr(err, "audit")
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
