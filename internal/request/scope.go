package request

import (
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// OwnStreetOnly keeps, for a supervisor, the district figures and those of
// their own street and its communities: a street office does not see the
// other streets' results. The API and the dashboard both apply it to a
// results.RoundReport; it belongs in the query (results.ForRound with the
// caller's scope), where it can move without the handlers changing.
func OwnStreetOnly(rep *results.RoundReport, u store.User) {
	kept := rep.Estimates[:0]
	for _, f := range rep.Estimates {
		if f.Domain == stats.NoDomain || u.StreetID.Valid && f.StreetID == u.StreetID.Int64 {
			kept = append(kept, f)
		}
	}
	rep.Estimates = kept
}
