package rounds

import (
	"context"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/store"
)

// Households are the household counts (fieldwork.Households) of every
// sample, or of sample sampleID when not 0, and of the round that fields
// it, keyed by sample id, within the street scope sc. It is the one place
// the counts are made: /rounds, /samples, a sample's page, the
// dashboard, the street pages, the report's methods and the API all show
// its result.
func (s *Service) Households(ctx context.Context, sc store.Scope, sampleID int64) (map[int64]fieldwork.Households, error) {
	ts, err := s.db.HouseholdTallies(ctx, store.Scope{StreetID: sc.StreetID}, sampleID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]fieldwork.Households, len(ts))
	for _, t := range ts {
		out[t.SampleID] = fieldwork.HouseholdsOf(fieldwork.HouseholdTally{Main: t.Main, Reserves: t.Reserves,
			Released: t.Released, Assignments: t.Assignments, Final: t.Final})
	}
	return out, nil
}

// RoundHouseholds are the household counts of round r in the street
// scope sc (a supervisor's street, a street page's street, or 0 for every
// street).
func (s *Service) RoundHouseholds(ctx context.Context, r store.RoundInfo, sc store.Scope) (fieldwork.Households, error) {
	if !r.SampleID.Valid {
		return fieldwork.Households{}, nil
	}
	hs, err := s.Households(ctx, sc, r.SampleID.Int64)
	return hs[r.SampleID.Int64], err
}
