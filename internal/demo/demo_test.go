package demo

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
)

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newDB is a database as serve leaves it on first start: migrated, with
// the admin account and the shipped questionnaires.
func newDB(t testing.TB) *store.DB {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	if _, err := auth.EnsureAdmin(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := survey.EnsureShipped(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// The demo is the same every time (same figures from the same seed); its
// closed round has a few thousand responses and its open round is about
// half done.
func TestSeedIsDeterministic(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	var reports [2][]byte
	var seeded [2][2]simround.Summary
	for i := range 2 {
		db := newDB(t)
		start, cpu0 := time.Now(), cpuTime()
		res, err := seed(ctx, db, now, nil, raceShrink)
		if err != nil {
			t.Fatal(err)
		}
		took, cpu := time.Since(start), cpuTime()-cpu0
		// How long it takes is BenchmarkSeed's to say (make bench): a
		// time limit here would fail with a busy neighbour, not a slow seed.
		t.Logf("seed %d: %v (%v of CPU), %+v", i+1, took, cpu, res)
		svc := rounds.New(db)
		closed, err := svc.RoundByRef(ctx, ClosedRound)
		if err != nil {
			t.Fatal(err)
		}
		open, err := svc.RoundByRef(ctx, OpenRound)
		if err != nil {
			t.Fatal(err)
		}
		if closed.Status != store.RoundClosed || open.Status != store.RoundFieldwork {
			t.Errorf("rounds are %s and %s", closed.Status, open.Status)
		}
		if !closed.Simulated || !open.Simulated {
			t.Error("the demo's rounds are not marked simulated")
		}
		rep, err := results.ForRound(ctx, db, closed.ID, results.RoundRequest{By: "street", LonelyPSU: stats.LonelyAdjust})
		if err != nil {
			t.Fatal(err)
		}
		if reports[i], err = json.Marshal(rep.Estimates); err != nil {
			t.Fatal(err)
		}
		if n := rep.Estimates[0].N; n < minResponses {
			t.Errorf("the closed round has %d responses", n)
		}
		prog, err := svc.Progress(ctx, rounds.System, open.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		done := 1 - float64(prog.Total.Counts.Pending)/float64(prog.Total.Assignments)
		if done < 0.4 || done > 0.75 {
			t.Errorf("the open round is %.0f %% done", 100*done)
		}
		if len(res.Accounts) != 3 || res.Accounts[0].Password == "" {
			t.Errorf("accounts %+v", res.Accounts)
		}
		seeded[i] = [2]simround.Summary{res.Closed, res.Open}
	}
	if string(reports[0]) != string(reports[1]) {
		t.Error("two seeds gave different estimates")
	}
	if seeded[0] != seeded[1] {
		t.Errorf("two seeds differ: %+v, %+v", seeded[0], seeded[1])
	}
}
