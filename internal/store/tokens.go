package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// APIToken is an API token as listed: never its value, which is stored
// only hashed, but the first characters of its random part (Prefix) so that
// a user can tell tokens apart.
type APIToken struct {
	ID         int64         `db:"id" json:"id"`
	UserID     int64         `db:"user_id" json:"user_id"`
	Username   string        `db:"username" json:"username"`
	Name       string        `db:"name" json:"name"`
	Prefix     string        `db:"prefix" json:"prefix"`
	CreatedAt  time.Time     `db:"created_at" json:"created_at"`
	ExpiresAt  *time.Time    `db:"expires_at" json:"expires_at"` // nil: never
	LastUsedAt *time.Time    `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time    `db:"revoked_at" json:"revoked_at"`
	CreatedBy  sql.NullInt64 `db:"created_by" json:"-"` // NULL: the command line
}

// State is "active", "revoked" or "expired" at time now.
func (t APIToken) State(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return "expired"
	}
	return "active"
}

// NewAPIToken is what CreateAPIToken stores: the token's hash, never the
// token.
type NewAPIToken struct {
	UserID    int64
	Name      string
	Hash      string // SHA-256 of the token, hex
	Prefix    string
	ExpiresAt *time.Time // nil: never
}

// CreateAPIToken stores a token and audits it, in one transaction; the
// actor's user (if any) is recorded as its creator.
func (db *DB) CreateAPIToken(ctx context.Context, a Actor, nt NewAPIToken) (APIToken, error) {
	var t APIToken
	var createdBy sql.NullInt64
	if a.UserID > 0 {
		createdBy = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	var expires *time.Time
	if nt.ExpiresAt != nil {
		e := nt.ExpiresAt.UTC().Truncate(time.Microsecond)
		expires = &e
	}
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.QueryRowxContext(ctx, db.Q("insert-api-token"),
			nt.UserID, nt.Name, nt.Hash, nt.Prefix, now(), expires, createdBy).Scan(&id); err != nil {
			return db.mapErr(err, "create API token")
		}
		if err := tx.GetContext(ctx, &t, db.Q("get-api-token"), id); err != nil {
			return db.mapErr(err, "API token")
		}
		return db.AuditIn(ctx, tx, a, "token.create", "api_token", strconv.FormatInt(id, 10), map[string]any{
			"user": t.Username, "name": t.Name, "prefix": t.Prefix, "expires_at": t.ExpiresAt,
		})
	})
	return t, err
}

// APIToken returns the token with that id, or NotFound. With ownerID > 0
// only that user's token is found: another user's is NotFound too.
func (db *DB) APIToken(ctx context.Context, id, ownerID int64) (APIToken, error) {
	var t APIToken
	var err error
	if ownerID > 0 {
		err = db.read.GetContext(ctx, &t, db.Q("get-user-api-token"), id, ownerID)
	} else {
		err = db.read.GetContext(ctx, &t, db.Q("get-api-token"), id)
	}
	if err == sql.ErrNoRows {
		return t, apperr.New(apperr.NotFound, "API token %d not found", id)
	}
	return t, db.mapErr(err, "API token")
}

// APITokens lists the tokens of one user (userID > 0) or of everyone
// (userID 0), revoked and expired ones included.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	ts := []APIToken{}
	var err error
	if userID > 0 {
		err = db.read.SelectContext(ctx, &ts, db.Q("list-user-api-tokens"), userID)
	} else {
		err = db.read.SelectContext(ctx, &ts, db.Q("list-api-tokens"))
	}
	return ts, db.mapErr(err, "list API tokens")
}

// APITokensByPrefix lists the tokens whose prefix is exactly prefix
// (usually one).
func (db *DB) APITokensByPrefix(ctx context.Context, prefix string) ([]APIToken, error) {
	ts := []APIToken{}
	err := db.read.SelectContext(ctx, &ts, db.Q("list-api-tokens-by-prefix"), prefix)
	return ts, db.mapErr(err, "find API tokens")
}

// RevokeAPIToken revokes a token and audits it, in one transaction, and
// returns it as revoked. With ownerID > 0 only that user's token can be
// revoked: another user's is NotFound. A token revoked before is a
// Conflict.
func (db *DB) RevokeAPIToken(ctx context.Context, a Actor, id, ownerID int64) (APIToken, error) {
	var t APIToken
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if ownerID > 0 {
			err = tx.GetContext(ctx, &t, db.Q("get-user-api-token"), id, ownerID)
		} else {
			err = tx.GetContext(ctx, &t, db.Q("get-api-token"), id)
		}
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "API token %d not found", id)
		}
		if err != nil {
			return db.mapErr(err, "API token")
		}
		if t.RevokedAt != nil {
			return apperr.New(apperr.Conflict, "API token %d was already revoked on %s", id, t.RevokedAt.UTC().Format("2006-01-02 15:04 UTC"))
		}
		at := now()
		res, err := tx.ExecContext(ctx, db.Q("revoke-api-token"), at, id)
		if err != nil {
			return db.mapErr(err, "revoke API token")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "API token %d was already revoked", id)
		}
		t.RevokedAt = &at
		return db.AuditIn(ctx, tx, a, "token.revoke", "api_token", strconv.FormatInt(id, 10), map[string]any{
			"user": t.Username, "name": t.Name, "prefix": t.Prefix,
		})
	})
	return t, err
}

// TokenAuth is what a bearer check reads in one query: the token's user
// and the token's state.
type TokenAuth struct {
	User
	TokenID    int64      `db:"token_id"`
	ExpiresAt  *time.Time `db:"token_expires_at"`
	LastUsedAt *time.Time `db:"token_last_used_at"`
	RevokedAt  *time.Time `db:"token_revoked_at"`
}

// APITokenAuth returns the token with that hash and its user, whatever the
// token's state (the caller tells revoked from expired), or NotFound.
func (db *DB) APITokenAuth(ctx context.Context, hash string) (TokenAuth, error) {
	var ta TokenAuth
	err := db.read.GetContext(ctx, &ta, db.Q("get-api-token-auth"), hash)
	return ta, db.mapErr(err, "API token")
}

// TouchAPIToken sets a token's last use to at unless it was last used
// after notBefore (a use within the interval writes nothing). It reports
// whether it wrote.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at, notBefore time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.Q("touch-api-token"),
		at.UTC().Truncate(time.Microsecond), id, notBefore.UTC().Truncate(time.Microsecond))
	if err != nil {
		return false, db.mapErr(err, "note API token use")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
