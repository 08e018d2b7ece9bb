// Package demo seeds a new database with a living example, so that the
// first `make run` shows a survey rather than empty pages: a simulated
// district of eight streets (its frame imported like a register), the
// standard questionnaire, a closed mock round with a few thousand
// simulated, weighted responses, and a second round in fieldwork, half
// done, and an account for each role. Everything goes through the same
// functions as the command line and the API (frame import, sample draw,
// round create and start, fieldwork through the rounds service), and
// follows from one seed: the same seed, the same figures.
package demo

import (
	"context"
	"io"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
)

// DemoSeed is the seed of everything random in the demo.
const DemoSeed = simround.DemoSeed

// The demo's rounds.
const (
	ClosedRound = "演示：第三季度模拟入户调查"
	OpenRound   = "演示：第四季度模拟入户调查"
)

// Account is a demo account with its password, shown once.
type Account struct {
	Username string
	Role     string
	Street   string
	Password string
}

// Result is what Seed made.
type Result struct {
	Accounts   []Account
	Households int
	Closed     simround.Summary // fieldwork of the closed round
	Open       simround.Summary // fieldwork so far of the round in the field
}

// spec is the demo district: 8 streets of 20 communities, about 100
// households each (some 16,000 households).
var spec = simulate.Spec{Streets: 8, Communities: 20, Households: 100, Seed: DemoSeed}

// Seed fills db, which must be new (migrated, with the admin account and
// the shipped questionnaires), with the demo. now fixes the calendar: the
// closed round's fieldwork ends 30 days before now, the open round's
// yesterday. progress, if not nil, gets a line per simulated day.
func Seed(ctx context.Context, db *store.DB, now time.Time, progress io.Writer) (Result, error) {
	return seed(ctx, db, now, progress, 1)
}

// seed seeds the demo with its rounds' samples divided by shrink (tests
// under the race detector shrink it).
func seed(ctx context.Context, db *store.DB, now time.Time, progress io.Writer, shrink int) (Result, error) {
	var res Result
	// The demo accounts' bcrypt hashes, most of a second of CPU together,
	// are made on the other core while the district is generated and
	// imported.
	accountHashes := []func() (string, string, error){hashLater(), hashLater(), hashLater()}
	sp := spec
	sp.Households = max(sp.Households/shrink, simulate.MinHouseholds)
	d, err := simulate.Generate(sp)
	if err != nil {
		return res, err
	}
	if _, err := simround.District(ctx, db, d, store.Actor{Via: "demo"}); err != nil {
		return res, err
	}
	res.Households = d.Households()
	first := d.Streets[0].Name
	street, err := db.StreetByName(ctx, first)
	if err != nil {
		return res, err
	}
	// The accounts people log in with: one per role below admin, the
	// supervisor and interviewer in the first street.
	for i, a := range []Account{
		{Username: "demo-supervisor", Role: store.RoleSupervisor, Street: first},
		{Username: "demo-interviewer", Role: store.RoleInterviewer, Street: first},
		{Username: "demo-analyst", Role: store.RoleAnalyst},
	} {
		var hash string
		a.Password, hash, err = accountHashes[i]()
		if err != nil {
			return res, err
		}
		nu := store.NewUser{Username: a.Username, DisplayName: a.Username, Role: a.Role, PasswordHash: hash}
		if a.Street != "" {
			nu.StreetID = &street.ID
		}
		if _, err := db.CreateUser(ctx, nu, store.Actor{Via: "demo"}); err != nil {
			return res, err
		}
		res.Accounts = append(res.Accounts, a)
	}
	// The simulated field staff cannot log in: their password is a random
	// one nobody is shown (an administrator can set another). The work
	// factor that slows the guessing of a chosen password adds nothing to
	// a random one, so its hash is made at the least cost.
	staffHash, err := bcrypt.GenerateFromPassword([]byte(auth.GeneratePassword()), bcrypt.MinCost)
	if err != nil {
		return res, err
	}
	b := simround.NewServiceBackend(db)
	opts := simround.DefaultOptions()
	opts.Seed, opts.Progress, opts.Workers = DemoSeed, progress, 2
	// Interviewers who come in the evening, when most people are home, as
	// assessors do (and fewer fruitless visits make the seed faster).
	opts.Contact, opts.EveningContact, opts.PreferEvening = 0.6, 0.85, true
	opts.Interviewers = 5

	closed, err := simround.StartRound(ctx, db, b.Service, rounds.System, simround.RoundSpec{
		Name: ClosedRound, Sample: "演示样本（第三季度）", Questionnaire: "wenming-household", Kind: "mock",
		N: 2200 / shrink, PerCommunity: 20, Reserves: 8, Seed: DemoSeed,
	})
	if err != nil {
		return res, err
	}
	if _, err := b.Staff(ctx, closed.ID, opts.Interviewers, string(staffHash)); err != nil {
		return res, err
	}
	opts.Days, opts.Until = 14, now.AddDate(0, 0, -30)
	if res.Closed, err = simround.Run(ctx, b, ClosedRound, d.Model, opts); err != nil {
		return res, err
	}
	if _, err := b.Service.SetState(ctx, rounds.System, closed.ID, "close"); err != nil {
		return res, err
	}

	open, err := simround.StartRound(ctx, db, b.Service, rounds.System, simround.RoundSpec{
		Name: OpenRound, Sample: "演示样本（第四季度）", Questionnaire: "wenming-household", Kind: "mock",
		N: 800 / shrink, PerCommunity: 20, Reserves: 8, Seed: DemoSeed + 1,
	})
	if err != nil {
		return res, err
	}
	if _, err := b.Staff(ctx, open.ID, opts.Interviewers, string(staffHash)); err != nil {
		return res, err
	}
	opts.Days, opts.Until, opts.Stop = 10, now.AddDate(0, 0, -1), 0.5
	if res.Open, err = simround.Run(ctx, b, OpenRound, d.Model, opts); err != nil {
		return res, err
	}
	return res, nil
}

// hashLater starts hashing a new password; the function it returns waits
// for the password and its hash.
func hashLater() func() (pw, hash string, err error) {
	pw := auth.GeneratePassword()
	var hash string
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		hash, err = auth.HashPassword(pw)
	}()
	return func() (string, string, error) {
		<-done
		return pw, hash, err
	}
}
