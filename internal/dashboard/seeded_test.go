package dashboard_test

import (
	"context"
	"testing"

	"github.com/minyi-survey/minyi/internal/dashboard"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
)

// seededStreets is the engine's street figures of the seeded dashboard
// round, as the pages estimate them, and the round's questionnaire: what
// the browser tests hold the pages to.
func seededStreets(t *testing.T, db *store.DB, seed servertest.DashSeed) (results.RoundReport, *questionnaire.Definition) {
	t.Helper()
	rep, err := results.ForRound(context.Background(), db, seed.Round, dashboard.EstimateRequest("street", servertest.DashMinCell))
	if err != nil {
		t.Fatal(err)
	}
	def, err := questionnaire.ParseJSON(rep.Round.Questionnaire, []byte(rep.Round.Definition))
	if err != nil {
		t.Fatal(err)
	}
	return rep, def
}
