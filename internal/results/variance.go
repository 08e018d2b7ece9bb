package results

import (
	"context"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// psuProbs returns, for the PSUs of a round's estimates (psuIDs[j] is the
// store's id of dense PSU j), their probabilities from the round's sample,
// which make the variance the two-stage without-replacement one
// (stats.VarianceWOR, the default): Brewer's approximation at the PPS
// first stage and the households' simple random sampling within each
// community, as R's svydesign(ids = ~community + household, strata =
// ~street, fpc = ~p1 + p2, pps = "brewer").
//
// It is used in every street: where few communities are drawn from many,
// 1 − π_j is near 1 and the second stage's share π_j·V₂ near 0, so the
// estimator converges to the with-replacement one there and no rule is
// needed to choose between them; where most communities are drawn, or
// some with certainty, it removes the between-community variance the
// design did not have. With want VarianceWR, or a round whose sample
// carries no probabilities (none drawn by minyi), it returns nil: the
// PSUs are then treated as drawn with replacement.
func psuProbs(ctx context.Context, db *store.DB, roundID int64, psuIDs []int64, want stats.Variance) ([]stats.PSUProb, stats.Variance, error) {
	if want == stats.VarianceWR {
		return nil, stats.VarianceWR, nil
	}
	probs, err := db.RoundPSUProbabilities(ctx, roundID)
	if err != nil {
		return nil, 0, err
	}
	if len(probs) == 0 {
		return nil, stats.VarianceWR, nil
	}
	by := make(map[int64]store.PSUProbability, len(probs))
	for _, p := range probs {
		by[p.PSU] = p
	}
	out := make([]stats.PSUProb, len(psuIDs))
	for j, id := range psuIDs {
		p, ok := by[id]
		if !ok {
			return nil, stats.VarianceWR, nil
		}
		if p.Prob1Min != p.Prob1Max || p.Prob2Min != p.Prob2Max {
			return nil, 0, apperr.New(apperr.Conflict, "PSU %d of round %d's sample has households drawn with different probabilities (%v–%v, %v–%v): use the with-replacement variance (variance wr)", id, roundID, p.Prob1Min, p.Prob1Max, p.Prob2Min, p.Prob2Max)
		}
		out[j] = stats.PSUProb{First: p.Prob1Max, Second: p.Prob2Max}
	}
	return out, stats.VarianceWOR, nil
}

// roundVariance is the estimator a round's figures get when want is asked
// for: want, except that a round whose sample carries no probabilities
// gets the with-replacement one (see psuProbs).
func roundVariance(ctx context.Context, db *store.DB, roundID int64, want stats.Variance) (stats.Variance, error) {
	if want == stats.VarianceWR {
		return want, nil
	}
	probs, err := db.RoundPSUProbabilities(ctx, roundID)
	if err != nil || len(probs) == 0 {
		return stats.VarianceWR, err
	}
	return stats.VarianceWOR, nil
}
