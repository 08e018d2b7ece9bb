package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Maintained per-PSU sums (table psu_sums): the rows RoundAggregates would
// compute from response_values, kept up to date by every transaction that
// changes a round's accepted responses or their weights, so that a round's
// estimates read a few rows per PSU instead of every response.
//
//   - Accepting a response adds its values (FieldTx.AddSums, called by the
//     submission after InsertValues).
//   - Superseding or returning a response takes them away (inside
//     FieldTx.Supersede and FieldTx.Review, before the status change
//     removes its values).
//   - Weighting rewrites every weight: SaveWeights rebuilds the round's
//     sums from its rows in the same transaction.
//
// Rounds with responses from before the sums existed are "stale" (table
// psu_sums_stale): their estimates read response_values until RebuildSums.

// GroupCode is a response's answer to a group question (sex, age group,
// …): the code of the option, or nil when not answered.
type GroupCode struct {
	Question string
	Code     *int
}

// ResponseGroups are the group answers of one response (RebuildSums).
type ResponseGroups struct {
	ResponseID int64
	Codes      []GroupCode
}

// AddSums records a newly accepted response's group answers and adds its
// values (already written by InsertValues) to the round's per-PSU sums.
func (t *FieldTx) AddSums(responseID, roundID int64, groups []GroupCode) error {
	if err := insertGroups(t.ctx, t.db, t.tx, roundID, []ResponseGroups{{ResponseID: responseID, Codes: groups}}); err != nil {
		return err
	}
	return t.db.changeSums(t.ctx, t.tx, responseID, "")
}

// takeSums takes an accepted response of the transaction's assignment
// out of the per-PSU sums; it must run before the response stops being
// accepted (its values are deleted then). For a response that is not
// accepted it changes nothing. The rows it leaves empty go when the
// transaction ends (sweepSums), after anything else it adds to the PSU.
func (t *FieldTx) takeSums(responseID int64) error {
	t.sweep = true
	return t.db.changeSums(t.ctx, t.tx, responseID, "-")
}

// sweepSums deletes the sum rows of the assignment's PSU that the
// transaction left with no response.
func (t *FieldTx) sweepSums() error {
	if !t.sweep {
		return nil
	}
	_, err := t.tx.ExecContext(t.ctx, t.db.Q("delete-empty-psu-sums"), t.Assignment.Counts.RoundID, t.Assignment.PSU)
	return t.db.mapErr(err, "response sums")
}

// NextSums are the per-PSU sums a new response will change: its
// assignment (round, street, community, PSU), its indicators and its
// group answers.
type NextSums struct {
	Assignment AssignmentContext
	Values     []ResponseValue
	Groups     []GroupCode
}

// lockSums locks, in key order, the sums of an accepted response (from
// the database) together with those next will change (PostgreSQL;
// lock-sums): a correction takes one response away and adds another in
// two statements, whose rows would otherwise be locked in two runs.
func (t *FieldTx) lockSums(responseID int64, next NextSums) error {
	if t.db.dialect != Postgres {
		return nil
	}
	a := next.Assignment
	args := []any{responseID, responseID}
	rows := 0
	for _, v := range next.Values {
		args = append(args, a.RoundID, "", v.Indicator, a.PSU, 0, -1, a.StreetID, a.CommunityID)
		rows++
		for _, g := range next.Groups {
			code := -1
			if g.Code != nil {
				code = *g.Code
			}
			args = append(args, a.RoundID, g.Question, v.Indicator, a.PSU, code, -1, a.StreetID, a.CommunityID)
			rows++
		}
	}
	if rows == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), "+
		"CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT)),", rows), ",")
	q := t.tx.Rebind(strings.Replace(t.db.rawQueries["lock-sums"], "{{rows}}", marks, 1))
	_, err := t.tx.ExecContext(t.ctx, q, args...)
	return t.db.mapErr(err, "lock response sums")
}

// changeSums adds (sign "") or subtracts (sign "-") a response's values.
func (db *DB) changeSums(ctx context.Context, tx *sqlx.Tx, responseID int64, sign string) error {
	if sign != "" && sign != "-" {
		return apperr.New(apperr.Internal, "sums: bad sign %q", sign)
	}
	q := tx.Rebind(strings.ReplaceAll(db.rawQueries["change-response-sums"], "{{sign}}", sign))
	_, err := tx.ExecContext(ctx, q, responseID, responseID)
	return db.mapErr(err, "response sums")
}

// insertGroups writes group answers, at most 800 rows per statement.
func insertGroups(ctx context.Context, db *DB, tx *sqlx.Tx, roundID int64, rs []ResponseGroups) error {
	const perStatement = 800 // rows, 4 placeholders each
	var args []any
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		marks := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?),", rows), ",")
		q := tx.Rebind(strings.Replace(db.rawQueries["insert-response-groups"], "{{rows}}", marks, 1))
		_, err := tx.ExecContext(ctx, q, args...)
		args, rows = args[:0], 0
		return db.mapErr(err, "response groups")
	}
	for _, r := range rs {
		for _, g := range r.Codes {
			var code any
			if g.Code != nil {
				code = int64(*g.Code)
			}
			args = append(args, r.ResponseID, roundID, g.Question, code)
			rows++
			if rows == perStatement {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// rebuildSums recomputes a round's sums from its response_values (and
// response_groups) within tx.
func (db *DB) rebuildSums(ctx context.Context, tx *sqlx.Tx, roundID int64) error {
	for _, q := range []string{"delete-round-sums", "rebuild-round-sums", "rebuild-round-group-sums"} {
		if _, err := tx.ExecContext(ctx, db.Q(q), roundID); err != nil {
			return db.mapErr(err, "rebuild sums")
		}
	}
	return nil
}

// RebuildSums recomputes a round's per-PSU sums from its rows: the group
// answers of every accepted response are replaced by groups (nil keeps the
// stored ones), the sums rebuilt and the round no longer stale; audited.
// It is the oracle of the maintained sums in tests and an administrator's
// way out should they ever be doubted ('minyi round resum').
func (db *DB) RebuildSums(ctx context.Context, a Actor, roundID int64, groups []ResponseGroups) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := db.lockRoundExclusive(ctx, tx, roundID); err != nil {
			return err
		}
		if groups != nil {
			if _, err := tx.ExecContext(ctx, db.Q("delete-round-groups"), roundID); err != nil {
				return db.mapErr(err, "rebuild sums")
			}
			if err := insertGroups(ctx, db, tx, roundID, groups); err != nil {
				return err
			}
		}
		if err := db.rebuildSums(ctx, tx, roundID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q("clear-round-sums-stale"), roundID); err != nil {
			return db.mapErr(err, "rebuild sums")
		}
		return db.AuditIn(ctx, tx, a, "round.resum", "round", itoa(roundID), nil)
	})
}

// SumsStale reports whether a round's sums are not kept (responses from
// before they existed, until RebuildSums).
func (db *DB) SumsStale(ctx context.Context, roundID int64) (bool, error) {
	var n int
	err := db.read.GetContext(ctx, &n, db.Q("round-sums-stale"), roundID)
	return n > 0, db.mapErr(err, "round sums")
}

// RoundSums returns the rows of RoundAggregates from the maintained sums:
// for group "" by district, street or community as RoundAggregates; for a
// group question, with the answer code as Domain (-1 not answered).
func (db *DB) RoundSums(ctx context.Context, roundID int64, by, group string, indicators []string, cells bool) ([]AggregateRow, error) {
	col, ok := domainColumns[by]
	if !ok {
		return nil, apperr.WithFields("unknown breakdown", map[string]string{"by": "street, community, or empty for the district only"})
	}
	codegroup := ""
	if group != "" {
		col, codegroup = "code", ", code"
	}
	if len(indicators) == 0 {
		return nil, nil
	}
	cell, cellgroup := "0", ""
	if cells {
		cell, cellgroup = "cal_cell", ", cal_cell"
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(indicators)), ",")
	q := strings.NewReplacer("{{domain}}", col, "{{cell}}", cell, "{{cellgroup}}", cellgroup, "{{codegroup}}", codegroup,
		"{{indicators}}", marks).Replace(db.rawQueries["round-sums"])
	args := make([]any, 0, 2+len(indicators))
	args = append(args, roundID, group)
	for _, ind := range indicators {
		args = append(args, ind)
	}
	return db.scanAggregates(ctx, db.read.Rebind(q), args)
}

func (db *DB) scanAggregates(ctx context.Context, q string, args []any) ([]AggregateRow, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.mapErr(err, "round estimates")
	}
	defer rows.Close()
	var out []AggregateRow
	for rows.Next() {
		var r AggregateRow
		if err := rows.Scan(&r.Stratum, &r.PSU, &r.Domain, &r.Indicator, &r.Cell, &r.Rows, &r.SumW, &r.N, &r.SumWPresent, &r.SumWY, &r.SumWY2, &r.SumY,
			&r.SumW2, &r.SumW2Present, &r.SumW2Y, &r.SumW2Y2); err != nil {
			return nil, db.mapErr(err, "round estimates")
		}
		out = append(out, r)
	}
	return out, db.mapErr(rows.Err(), "round estimates")
}
