package results

import (
	"context"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// EstimateFromRows is Estimate reading every response (the row path), the
// reference of the maintained sums.
func EstimateFromRows(ctx context.Context, db *store.DB, roundID int64, req Request) (Report, error) {
	return estimateFrom(ctx, db, roundID, req, nil, func(ctx context.Context, db *store.DB, roundID int64, by string, names []string, cells bool) ([]store.AggregateRow, error) {
		return db.RoundAggregates(ctx, roundID, by, names, cells)
	})
}

// EstimateGroups estimates by group question q from the responses (rows)
// or from the maintained sums.
func EstimateGroups(ctx context.Context, db *store.DB, def *questionnaire.Definition, roundID int64, req Request, fromRows bool) (Report, error) {
	q, err := groupQuestion(def, req.Group)
	if err != nil {
		return Report{}, err
	}
	if fromRows {
		return estimateGroups(ctx, db, roundID, q, req, nil)
	}
	return estimateGroupSums(ctx, db, roundID, q, req, nil)
}
