package store

import (
	"context"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Domains an estimate can be broken down by, and the column each one reads.
// The expression is spliced into SQL, so it comes from this whitelist only.
var domainColumns = map[string]string{
	"":          "-1",
	"street":    "MIN(street_id)",
	"community": "MIN(community_id)",
}

// AggregateRow is one row of per-PSU sums of one indicator.
type AggregateRow struct {
	Stratum     int64
	PSU         int64
	Domain      int64 // -1 without a breakdown
	Indicator   string
	Cell        int32   // calibration cell; -1 not calibrated; 0 when not asked for
	Rows        int64   // responses, with or without a value
	SumW        float64 // Σ weight over them
	N           int64   // responses with a value
	SumWPresent float64 // Σ weight over those
	SumWY       float64
	SumWY2      float64
	SumY        float64
	// Squared weights (the second stage of the without-replacement
	// variance): Σ w² over all Rows, Σ w², Σ w²y, Σ w²y² over the N.
	SumW2, SumW2Present, SumW2Y, SumW2Y2 float64
}

// RoundAggregates returns, for the accepted responses of a round, the sums
// of each indicator per stratum (street), PSU and domain ("" for none,
// "street" or "community"): everything a design-based estimate needs,
// computed by the database in one GROUP BY. With cells, the sums are also
// grouped by calibration cell (responses' cal_cell). It reads every
// response: RoundSums gives the same rows from the maintained sums.
func (db *DB) RoundAggregates(ctx context.Context, roundID int64, by string, indicators []string, cells bool) ([]AggregateRow, error) {
	col, ok := domainColumns[by]
	if !ok {
		return nil, apperr.WithFields("unknown breakdown", map[string]string{"by": "street, community, or empty for the district only"})
	}
	if len(indicators) == 0 {
		return nil, nil
	}
	q := strings.ReplaceAll(db.rawQueries["round-aggregates"], "{{domain}}", col)
	cell, group := "0", ""
	if cells {
		cell, group = "COALESCE(cal_cell, -1)", ", cal_cell"
	}
	q = strings.ReplaceAll(strings.ReplaceAll(q, "{{cell}}", cell), "{{cellgroup}}", group)
	marks := strings.TrimSuffix(strings.Repeat("?,", len(indicators)), ",")
	q = db.read.Rebind(strings.Replace(q, "{{indicators}}", marks, 1))
	args := make([]any, 0, 1+len(indicators))
	args = append(args, roundID)
	for _, ind := range indicators {
		args = append(args, ind)
	}
	return db.scanAggregates(ctx, q, args)
}

// RoundIndicators lists the indicators that have values in a round.
func (db *DB) RoundIndicators(ctx context.Context, roundID int64) ([]string, error) {
	var out []string
	err := db.read.SelectContext(ctx, &out, db.Q("round-indicators"), roundID)
	return out, db.mapErr(err, "round indicators")
}

// PSUProbability is how one PSU of a round's sample was drawn (see
// sample_units): its first-stage inclusion probability and the conditional
// probability of its households, with their range over its main-sample
// households, and the households drawn in it.
type PSUProbability struct {
	PSU      int64   `db:"psu"`
	Prob1Min float64 `db:"prob1_min"`
	Prob1Max float64 `db:"prob1_max"`
	Prob2Min float64 `db:"prob2_min"`
	Prob2Max float64 `db:"prob2_max"`
	Drawn    int64   `db:"drawn"`
}

// RoundPSUProbabilities returns the probabilities of every PSU of the
// round's sample, by PSU; none for a round without a sample.
func (db *DB) RoundPSUProbabilities(ctx context.Context, roundID int64) ([]PSUProbability, error) {
	var out []PSUProbability
	err := db.read.SelectContext(ctx, &out, db.Q("round-psu-probabilities"), roundID)
	return out, db.mapErr(err, "sample probabilities")
}
