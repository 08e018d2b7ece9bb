package store

import (
	"context"
	"database/sql"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// DayRow counts a street's assignments that became final on one local day
// (the day of their last visit) in one AAPOR category.
type DayRow struct {
	StreetID int64  `db:"street_id"`
	Day      string `db:"day"` // YYYY-MM-DD in the district's time zone
	Category string `db:"category"`
	N        int    `db:"n"`
}

// ProgressByDay counts a round's final assignments by street, local day and
// AAPOR category within a street scope; offset is the district's offset
// from UTC in seconds, whole hours or not (+05:30 is 19800).
func (db *DB) ProgressByDay(ctx context.Context, roundID int64, offset int, sc Scope) ([]DayRow, error) {
	var out []DayRow
	err := db.read.SelectContext(ctx, &out, db.Q("dashboard-progress-by-day"),
		offset, roundID, sc.StreetID, sc.StreetID, offset, // the kept hours within one local day
		offset, offset, roundID, sc.StreetID, sc.StreetID, offset) // the assignments of an hour across local midnight
	return out, db.mapErr(err, "progress by day")
}

// StreetTally is a number per street.
type StreetTally struct {
	StreetID int64 `db:"street_id"`
	N        int   `db:"n"`
}

// PendingFlags counts, by street within a scope, a round's accepted
// interviews with quality flags that nobody has reviewed yet.
func (db *DB) PendingFlags(ctx context.Context, roundID int64, sc Scope) ([]StreetTally, error) {
	var out []StreetTally
	err := db.read.SelectContext(ctx, &out, db.Q("dashboard-flags-pending"), roundID, sc.StreetID, sc.StreetID)
	return out, db.mapErr(err, "pending flags")
}

// RoundStreet returns a street with households in a round, NotFound when it
// has none or lies outside the scope.
func (db *DB) RoundStreet(ctx context.Context, roundID, streetID int64, sc Scope) (Street, error) {
	var s Street
	err := db.read.GetContext(ctx, &s, db.Q("dashboard-round-street"), streetID, sc.StreetID, sc.StreetID, roundID)
	if err == sql.ErrNoRows {
		return s, apperr.New(apperr.NotFound, "street %d not found in round %d", streetID, roundID)
	}
	return s, db.mapErr(err, "round street")
}

// RoundCommunity returns a community with households in a round, NotFound
// when it has none or its street lies outside the scope.
func (db *DB) RoundCommunity(ctx context.Context, roundID, communityID int64, sc Scope) (Community, error) {
	var c Community
	err := db.read.GetContext(ctx, &c, db.Q("dashboard-round-community"), communityID, sc.StreetID, sc.StreetID, roundID)
	if err == sql.ErrNoRows {
		return c, apperr.New(apperr.NotFound, "community %d not found in round %d", communityID, roundID)
	}
	return c, db.mapErr(err, "round community")
}

// RoundCommunities lists the communities with households in a round within
// a scope, by street and code.
func (db *DB) RoundCommunities(ctx context.Context, roundID int64, sc Scope) ([]Community, error) {
	var out []Community
	err := db.read.SelectContext(ctx, &out, db.Q("dashboard-round-communities"), sc.StreetID, sc.StreetID, roundID)
	return out, db.mapErr(err, "round communities")
}
