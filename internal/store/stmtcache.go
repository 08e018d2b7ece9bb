package store

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The fieldwork path runs the same few queries for every visit and every
// response, thousands of times a round. Preparing a query costs SQLite a
// parse and a plan each time (a fifth of the demo seed's CPU before these
// were cached) and PostgreSQL a round trip, so those queries are prepared
// once per pool and connection and kept: database/sql prepares a cached
// statement again on each connection it meets, and a transaction borrows
// the statement already prepared on its own connection.

// fieldTxQueries are the queries FieldTx runs; they are prepared on the
// write pool before a FieldWrite transaction begins, because on SQLite
// that pool's one connection is the transaction's until it ends.
var fieldTxQueries = []string{
	"insert-visit", "lock-assignment", "lock-response", "assignment-visits", "assignment-accepted", "update-assignment-state",
	"set-assignment-replacement", "next-reserve", "release-reserve", "insert-replacement-assignment",
	"insert-response", "supersede-response", "review-response", "insert-audit",
}

// stmtCache holds prepared statements of one pool by query name.
type stmtCache struct {
	pool *sqlx.DB
	mu   sync.Mutex
	m    map[string]*sqlx.Stmt
}

// get returns the statement cached under key, preparing query on first
// use. The lock is not held while preparing, which may wait for a
// connection; of two that prepare the same query at once, one is kept.
func (c *stmtCache) get(ctx context.Context, db *DB, key, query string) (*sqlx.Stmt, error) {
	if s := c.lookup(key); s != nil {
		return s, nil
	}
	s, err := c.pool.PreparexContext(ctx, query)
	if err != nil {
		return nil, db.mapErr(err, "prepare "+key)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[key]; ok {
		s.Close()
		return prev, nil
	}
	if c.m == nil {
		c.m = make(map[string]*sqlx.Stmt)
	}
	c.m[key] = s
	return s, nil
}

// len is the number of cached statements.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// lookup returns the statement cached under key, or nil.
func (c *stmtCache) lookup(key string) *sqlx.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	c.m = nil
}

// readStmt is the named query prepared on the read pool.
func (db *DB) readStmt(ctx context.Context, name string) (*sqlx.Stmt, error) {
	return db.readStmts.get(ctx, db, name, db.Q(name))
}

// fieldStmts returns the statements of fieldTxQueries prepared on the
// write pool, and prepares the value-row inserts a transaction asked for
// (see valuesStmt). It must not be called inside a write transaction: on
// SQLite, preparing waits for the write pool's one connection. For the
// same reason nothing a transaction calls takes fieldMu, which is held
// while preparing.
func (db *DB) fieldStmts(ctx context.Context) (map[string]*sqlx.Stmt, error) {
	db.wantMu.Lock()
	want := db.wantValues
	db.wantValues = nil
	db.wantMu.Unlock()
	for n := range want {
		if _, err := db.writeStmts.get(ctx, db, valuesKey(n), db.valuesQuery(n)); err != nil {
			return nil, err
		}
	}
	db.fieldMu.Lock()
	defer db.fieldMu.Unlock()
	if db.field != nil {
		return db.field, nil
	}
	m := make(map[string]*sqlx.Stmt, len(fieldTxQueries))
	for _, name := range fieldTxQueries {
		s, err := db.writeStmts.get(ctx, db, name, db.Q(name))
		if err != nil {
			return nil, err
		}
		m[name] = s
	}
	db.field = m
	return m, nil
}

// maxValuesStmts bounds the prepared value-row inserts: one per number of
// indicators, which a questionnaire fixes.
const maxValuesStmts = 8

// valuesKey is the cache key of the insert of n value rows.
func valuesKey(n int) string { return "insert-response-values/" + strconv.Itoa(n) }

// valuesQuery is insert-response-values for n rows.
func (db *DB) valuesQuery(n int) string {
	rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?),", n), ",")
	return db.write.Rebind(strings.Replace(db.rawQueries["insert-response-values"], "{{rows}}", rows, 1))
}

// valuesStmt returns the prepared insert of n value rows, or nil when it
// is not prepared yet; it is then prepared before the next FieldWrite
// transaction begins (on SQLite no statement can be prepared on the write
// pool inside one).
func (db *DB) valuesStmt(n int) *sqlx.Stmt {
	if s := db.writeStmts.lookup(valuesKey(n)); s != nil {
		return s
	}
	db.wantMu.Lock() // not fieldMu: this runs inside a transaction
	defer db.wantMu.Unlock()
	if db.wantValues == nil {
		db.wantValues = make(map[int]bool)
	}
	if len(db.wantValues)+db.writeStmts.len() < len(fieldTxQueries)+maxValuesStmts {
		db.wantValues[n] = true
	}
	return nil
}

// getPrepared runs the named query, prepared on the read pool, into dest
// (one row; sql.ErrNoRows when there is none).
func (db *DB) getPrepared(ctx context.Context, dest any, name string, args ...any) error {
	s, err := db.readStmt(ctx, name)
	if err != nil {
		return err
	}
	return s.GetContext(ctx, dest, args...)
}

// selectPrepared runs the named query, prepared on the read pool, into
// the slice dest.
func (db *DB) selectPrepared(ctx context.Context, dest any, name string, args ...any) error {
	s, err := db.readStmt(ctx, name)
	if err != nil {
		return err
	}
	return s.SelectContext(ctx, dest, args...)
}
