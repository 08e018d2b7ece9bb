package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
)

// DashSeed is a simulated district with two rounds of the standard
// questionnaire (wenming-household): a mock round and an official-style
// rehearsal, both with simulated fieldwork through the rounds service,
// and accounts: admin, analyst, sup1 and sup2 (the supervisors of the
// first two streets), all with fieldtest.Password.
type DashSeed struct {
	Round, Other int64
	Streets      []store.Street // in id order
}

// DashMinCell is the minimum cell of the dashboard tests' server.
const DashMinCell = 30

// SeedDashboard fills db: 5 streets of 4 communities; each round draws
// DashSampleN and DashOtherN households (proportional to street size, 15
// per community) and is worked for six simulated days.
func SeedDashboard(t testing.TB, db *store.DB) DashSeed {
	t.Helper()
	ctx := context.Background()
	d, err := simulate.Generate(simulate.Spec{Streets: 5, Communities: 4, Households: 60, Seed: 12})
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
	streets, err := db.Streets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(streets, func(a, b store.Street) int { return int(a.ID - b.ID) })
	add := func(name, role string, street *int64) {
		if _, err := db.CreateUser(ctx, store.NewUser{Username: name, DisplayName: name, Role: role, StreetID: street, PasswordHash: hash}, store.System); err != nil {
			t.Fatal(err)
		}
	}
	add("admin", store.RoleAdmin, nil)
	add("analyst", store.RoleAnalyst, nil)
	add("sup1", store.RoleSupervisor, &streets[0].ID)
	add("sup2", store.RoleSupervisor, &streets[1].ID)
	b := simround.NewServiceBackend(db)
	opts := simround.DefaultOptions()
	opts.Contact, opts.EveningContact, opts.PreferEvening, opts.Workers = 0.6, 0.85, true, 2
	opts.Interviewers, opts.Days = 2, 6
	run := func(name, sample, kind string, n int, seed uint64, until time.Time) int64 {
		r, err := simround.StartRound(ctx, db, b.Service, rounds.System, simround.RoundSpec{
			Name: name, Sample: sample, Questionnaire: "wenming-household", Kind: kind, N: n, PerCommunity: 15, Reserves: 6, Seed: seed,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Staff(ctx, r.ID, opts.Interviewers, hash); err != nil {
			t.Fatal(err)
		}
		opts.Seed, opts.Until = seed, until
		if _, err := simround.Run(ctx, b, name, d.Model, opts); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	s := DashSeed{Streets: streets}
	s.Other = run("2026年第三季度正式测评演练", "演练样本", "rehearsal", DashOtherN, 5, time.Now().AddDate(0, 0, -40))
	s.Round = run("2026年第四季度模拟入户调查", "模拟样本", "mock", DashSampleN, 6, time.Now().AddDate(0, 0, -1))
	return s
}

// NewDashServer serves db with the dashboard tests' configuration.
func NewDashServer(t testing.TB, db *store.DB) string {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: DashMinCell}
	s, err := server.New(cfg, db, auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}
