package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/textcheck"
)

// Codes of the login-code errors (apperr.Error.Code), which the page that
// refuses a code words in the reader's language.
const (
	CodeLoginCodeUsed    = "login_code_used"
	CodeLoginCodeExpired = "login_code_expired"
	CodeLoginCodeUnknown = "login_code_unknown"
)

// ImportedUser is one account of a bulk import, with the hash of its
// one-time login code.
type ImportedUser struct {
	NewUser
	CodeHash string
}

// CreateUsers creates every account of an import in one transaction with
// their audit entries (user.create each, then user.import): all or none.
// Each gets a one-time login code (stored by its hash) valid until
// codeExpires. A taken username is a Conflict that names it.
func (db *DB) CreateUsers(ctx context.Context, us []ImportedUser, codeExpires time.Time, by Actor) ([]int64, error) {
	ids := make([]int64, len(us))
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		at := now()
		for i, u := range us {
			name, err := textcheck.Name(u.Username)
			if err != nil || name == "" {
				return apperr.WithFields("invalid username", map[string]string{"username": "required"})
			}
			if msg := textcheck.Field(u.DisplayName); msg != "" {
				return apperr.WithFields("invalid display name", map[string]string{"display_name": msg})
			}
			if err := checkRoleStreet(u.Role, u.StreetID != nil); err != nil {
				return err
			}
			err = tx.QueryRowxContext(ctx, db.Q("insert-user"),
				name, u.DisplayName, u.Role, u.StreetID, u.PasswordHash, at, u.MustChangePassword, u.Phone).Scan(&ids[i])
			if apperr.Is(db.mapErr(err, ""), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "user %q already exists (usernames are compared without regard to case)", name)
			}
			if err != nil {
				return db.mapErr(err, "create user")
			}
			street, err := db.streetNameIn(ctx, tx, u.StreetID)
			if err != nil {
				return err
			}
			if u.CodeHash != "" {
				if _, err := tx.ExecContext(ctx, db.Q("insert-login-code"), ids[i], u.CodeHash, at, codeExpires.UTC()); err != nil {
					return db.mapErr(err, "login code")
				}
			}
			if err := db.AuditIn(ctx, tx, by, "user.create", "user", name, map[string]any{
				"id": ids[i], "role": u.Role, "street": street, "import": true, "login_code": u.CodeHash != ""}); err != nil {
				return err
			}
		}
		return db.AuditIn(ctx, tx, by, "user.import", "user", "", map[string]any{"count": len(us)})
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// LoginWithCode uses a one-time login code (by its hash) at time at and
// opens a session for its user, as CreateLoginSession does for a password
// (the counters of keys settled, audited as login with via "code"), in one
// transaction. A used, expired or unknown code is Unauthenticated with the
// code CodeLoginCodeUsed, CodeLoginCodeExpired or CodeLoginCodeUnknown;
// nothing changes then. A disabled user's code is Forbidden.
func (db *DB) LoginWithCode(ctx context.Context, a Actor, codeHash string, at time.Time, tokenHash string, expires time.Time,
	userAgent string, keys []string, settle func(LoginCounter) (LoginCounter, bool)) (User, error) {
	var u User
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, db.Q("use-login-code"), at.UTC(), codeHash, at.UTC())
		if errors.Is(err, sql.ErrNoRows) {
			var st struct {
				UsedAt    sql.NullTime `db:"used_at"`
				ExpiresAt time.Time    `db:"expires_at"`
			}
			err := tx.GetContext(ctx, &st, db.Q("get-login-code-state"), codeHash)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return &apperr.Error{Kind: apperr.Unauthenticated, Code: CodeLoginCodeUnknown, Message: "this login code is not known"}
			case err != nil:
				return db.mapErr(err, "login code")
			case st.UsedAt.Valid:
				return &apperr.Error{Kind: apperr.Unauthenticated, Code: CodeLoginCodeUsed, Message: "this login code has been used already"}
			default:
				return &apperr.Error{Kind: apperr.Unauthenticated, Code: CodeLoginCodeExpired, Message: "this login code has expired"}
			}
		}
		if err != nil {
			return db.mapErr(err, "login code")
		}
		if u, err = db.userIn(ctx, tx, id); err != nil {
			return err
		}
		if u.Disabled {
			return apperr.New(apperr.Forbidden, "this account is disabled")
		}
		cs, err := db.lockLoginCounters(ctx, tx, keys, now())
		if err != nil {
			return err
		}
		for _, c := range cs {
			c2, keep := settle(c)
			if keep {
				err = db.writeLoginCounter(ctx, tx, c2, c.UpdatedAt)
			} else {
				_, err = tx.ExecContext(ctx, db.Q("delete-login-attempt"), c.Key)
				err = db.mapErr(err, "login counter")
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.Q("insert-session"), tokenHash, u.ID, now(), expires.UTC(), userAgent); err != nil {
			return db.mapErr(err, "create session")
		}
		a.UserID = u.ID
		return db.AuditIn(ctx, tx, a, "login", "user", u.Username, map[string]any{"with": "login_code"})
	})
	return u, err
}

// ChangeOwnPassword sets the password a user chose (hash) and clears
// MustChangePassword; the user's other sessions (all but keepSession, the
// hash of the one in use, "" for none) end, their API tokens are revoked
// and their unused login codes deleted, audited as user.password_changed
// in the same transaction.
func (db *DB) ChangeOwnPassword(ctx context.Context, userID int64, hash, keepSession string, by Actor) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		u, err := db.userIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q("set-own-password"), hash, false, userID); err != nil {
			return db.mapErr(err, "set password")
		}
		if _, err := tx.ExecContext(ctx, db.Q("delete-user-sessions-except"), userID, keepSession); err != nil {
			return db.mapErr(err, "end sessions")
		}
		res, err := tx.ExecContext(ctx, db.Q("revoke-user-api-tokens"), now(), userID)
		if err != nil {
			return db.mapErr(err, "revoke API tokens")
		}
		revoked, _ := res.RowsAffected()
		if _, err := tx.ExecContext(ctx, db.Q("delete-user-login-codes"), userID); err != nil {
			return db.mapErr(err, "login codes")
		}
		return db.AuditIn(ctx, tx, by, "user.password_changed", "user", u.Username, map[string]any{
			"id": userID, "was_one_time": u.MustChangePassword, "tokens_revoked": revoked})
	})
}

// UserFilter selects users for the users page; zero fields select all.
type UserFilter struct {
	Role     string // one of Roles, or ""
	StreetID int64  // 0: any street
	State    string // "active", "disabled" or ""
	Search   string // part of the username or display name
	Limit    int
	Offset   int
}

// FilterUsers returns a page of the users that f selects, by username, and
// how many it selects in all. The filter is in the SQL WHERE.
func (db *DB) FilterUsers(ctx context.Context, f UserFilter) ([]User, int, error) {
	pattern := ""
	if f.Search != "" {
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		pattern = "%" + r.Replace(strings.ToLower(f.Search)) + "%"
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	args := []any{f.Role, f.Role, f.StreetID, f.StreetID, f.State, f.State, f.State, pattern, pattern, pattern}
	var n int
	if err := db.read.GetContext(ctx, &n, db.Q("count-filter-users"), args...); err != nil {
		return nil, 0, db.mapErr(err, "count users")
	}
	us := []User{}
	err := db.read.SelectContext(ctx, &us, db.Q("filter-users"), append(args, f.Limit, f.Offset)...)
	return us, n, db.mapErr(err, "list users")
}
