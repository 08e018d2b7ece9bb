package servertest

import (
	"context"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
)

// SeedDistrict fills db with a simulated district of the given number of
// streets (three communities each) and one mock round of the standard
// questionnaire: 45 households drawn per street (15 per community), worked
// for six simulated days, so that most streets have about the minimum
// cell of respondents. It returns the round's id; the analyst account is
// "analyst" with fieldtest.Password. The printed report's tests use it for
// a district as wide as a county town's (20 streets).
func SeedDistrict(t testing.TB, db *store.DB, streets int) int64 {
	t.Helper()
	ctx := context.Background()
	d, err := simulate.Generate(simulate.Spec{Streets: streets, Communities: 3, Households: 50, Seed: 21})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simround.District(ctx, db, d, store.System); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(fieldtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.NewUser{Username: "analyst", DisplayName: "analyst", Role: store.RoleAnalyst, PasswordHash: hash}, store.System); err != nil {
		t.Fatal(err)
	}
	b := simround.NewServiceBackend(db)
	opts := simround.DefaultOptions()
	opts.Contact, opts.EveningContact, opts.PreferEvening, opts.Workers = 0.6, 0.85, true, 2
	opts.Interviewers, opts.Days, opts.Seed, opts.Until = 2, 6, 8, time.Now().AddDate(0, 0, -1)
	const name = "2026年第四季度全区入户调查演练"
	r, err := simround.StartRound(ctx, db, b.Service, rounds.System, simround.RoundSpec{
		Name: name, Sample: "全区样本", Questionnaire: "wenming-household", Kind: "mock", N: 45 * streets, PerCommunity: 15, Reserves: 6, Seed: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Staff(ctx, r.ID, opts.Interviewers, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := simround.Run(ctx, b, name, d.Model, opts); err != nil {
		t.Fatal(err)
	}
	return r.ID
}
