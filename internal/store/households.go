package store

import "context"

// HouseholdTally is the tally of a sample's households and of its
// round's assignments, from which fieldwork.HouseholdsOf makes the
// household counts every page shows.
type HouseholdTally struct {
	SampleID    int64 `db:"sample_id"`
	RoundID     int64 `db:"round_id"` // 0: no round fields the sample
	Main        int   `db:"main"`
	Reserves    int   `db:"reserves"`
	Released    int   `db:"released"`
	Assignments int   `db:"assignments"`
	Final       int   `db:"final"`
}

// HouseholdTallies tallies the households of every sample (or of sample
// sampleID when not 0) and of its round within the street scope sc, in
// one query.
func (db *DB) HouseholdTallies(ctx context.Context, sc Scope, sampleID int64) ([]HouseholdTally, error) {
	var out []HouseholdTally
	args := append(sc.street(), sampleID, sampleID)
	args = append(args, sc.street()...)
	args = append(args, sampleID, sampleID, sampleID, sampleID)
	err := db.read.SelectContext(ctx, &out, db.Q("household-tallies"), args...)
	return out, db.mapErr(err, "household counts")
}
