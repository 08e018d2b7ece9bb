package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// The global lock order.
//
// On PostgreSQL concurrent writers lock rows; two that lock the same rows
// in different orders can each wait for the other, and PostgreSQL then
// aborts one of them (deadlock detected, 40P01). Every writer here takes
// its locks in this order, so that writers wait for each other but never
// in a circle:
//
//  1. a round, as a whole (lock-round-exclusive): shared by each fieldwork
//     transaction of the round, as it begins (lock-assignment), exclusive
//     by a weighting of the round and by a rebuild of its sums, which
//     rewrite every sum and weight of the round;
//  2. assignments, in id order: the one assignment of a fieldwork
//     transaction (a visit, a submission, a review, a return, a release),
//     locked first (FieldWrite); a selection given to an interviewer, all
//     locked before any changes (Assign);
//  3. the response a review, a return or a correction changes
//     (lock-response);
//  4. the per-PSU sums (psu_sums), in key order: a statement that adds or
//     takes away a response's values sorts its rows (change-response-sums);
//  5. the sample unit of a reserve released (release-reserve);
//  6. the fieldwork counts (fieldwork_counts), in key order: the
//     assignments' statement triggers (migration 00015) add up each
//     statement's changes by key and write them sorted; a transaction that
//     changes counts in more than one statement locks them all first
//     (lockCounts);
//  7. the hourly counts (fieldwork_hours), in key order, by the same
//     triggers after the counts.
//
// Rows that only this transaction can see (a new response, its values,
// groups and audit entry, a new visit) may be written at any point; a
// transaction holds the aggregate rows (4, 6, 7), which every submission
// of a PSU, a street or an hour shares, for as short a time as it can, by
// writing them last. Other multi-row writes follow the same rule: account
// changes lock the active admins in id order before the account (users.go),
// failed logins their counters in key order, a frame import its new
// streets and communities in code order (and imports queue behind each
// other on the frame version). On SQLite writers run one at a time and
// none of these locks is taken.

// CountKey is the key of a row of fieldwork_counts: an assignment's
// round, street, community, interviewer (0: nobody) and AAPOR category (""
// while not final).
type CountKey struct {
	RoundID, StreetID, CommunityID, InterviewerID int64
	Category                                      string
}

// lockCounts locks the fieldwork counts of keys in key order, creating
// those not there yet with 0 (PostgreSQL; lock-counts).
func (t *FieldTx) lockCounts(keys []CountKey) error {
	if t.db.dialect != Postgres || len(keys) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)),", len(keys)), ",")
	args := make([]any, 0, 5*len(keys))
	for _, k := range keys {
		args = append(args, k.RoundID, k.StreetID, k.CommunityID, k.InterviewerID, k.Category)
	}
	q := t.tx.Rebind(strings.Replace(t.db.rawQueries["lock-counts"], "{{rows}}", marks, 1))
	_, err := t.tx.ExecContext(t.ctx, q, args...)
	return t.db.mapErr(err, "lock fieldwork counts")
}

// lockRoundExclusive takes a round's lock exclusively (PostgreSQL): every
// fieldwork transaction of the round that holds it shared finishes first,
// and new ones wait until tx ends.
func (db *DB) lockRoundExclusive(ctx context.Context, tx *sqlx.Tx, roundID int64) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, db.Q("lock-round-exclusive"), roundID)
	return db.mapErr(err, "lock round")
}
