package store

// MapVersionErr lets the external tests check how a write refused by the
// immutability trigger is reported.
func (db *DB) MapVersionErr(err error, what string) error { return db.mapVersionErr(err, what) }

// ValuesStmtPrepared looks up the prepared insert of n value rows (asking
// for it to be prepared before the next FieldWrite when it is not).
func (db *DB) ValuesStmtPrepared(n int) bool { return db.valuesStmt(n) != nil }
