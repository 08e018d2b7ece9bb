package store

// MapVersionErr lets the external tests check how a write refused by the
// immutability trigger is reported.
func (db *DB) MapVersionErr(err error, what string) error { return db.mapVersionErr(err, what) }
