package simround_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Simulated answers never go into a round that looks like fieldwork: the
// simulator's rounds are created simulated, and a round created otherwise
// is marked simulated (audited) before the first simulated visit — over
// HTTP only with an administrator's token; a supervisor's is refused
// before anything is written. The mark shows in the round's JSON.
func TestSimulatedRoundsAreMarked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := prepare(t, db, simulate.Spec{Streets: 2, Communities: 3, Households: 40, Seed: 5}, 30, 10, 1)
		if !s.round.Simulated {
			t.Error("the simulator's own round is not marked simulated")
		}
		// A round made as for fieldwork, on another sample.
		if _, err := draw.Draw(ctx, db, draw.Spec{Name: "field", Design: "two-stage", N: 30, Allocation: "proportional",
			PerCommunity: 10, Reserves: 4, Seed: 9}, store.System); err != nil {
			t.Fatal(err)
		}
		svc := s.backend.Service
		r, err := svc.Create(ctx, rounds.System, rounds.CreateSpec{Name: "现场", Questionnaire: "wenming-household", Sample: "field"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Simulated {
			t.Fatal("a round created without simulated is marked")
		}
		if _, err := svc.SetState(ctx, rounds.System, r.ID, "start"); err != nil {
			t.Fatal(err)
		}
		hash, _ := auth.HashPassword(auth.GeneratePassword())
		if _, err := s.backend.Staff(ctx, r.ID, 1, hash); err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}, db,
			auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		// The supervisor of the first street, whose households the
		// simulation over HTTP would visit.
		as, err := s.backend.Assignments(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		sup, err := db.UserByUsername(ctx, "sim-s"+itoa(as[0].StreetID)+"-sup")
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := auth.CreateToken(ctx, db, store.CLI, auth.TokenRequest{UserID: sup.ID, Name: "simulation"})
		if err != nil {
			t.Fatal(err)
		}
		h, err := simround.NewHTTPBackend(ts.URL, token)
		if err != nil {
			t.Fatal(err)
		}
		opts := simround.DefaultOptions()
		opts.Days, opts.Until = 2, yesterday()
		if _, err := simround.Run(ctx, h, r.Name, s.model, opts); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a supervisor's token ran simulated fieldwork in an unmarked round: %v", err)
		}
		var visits int
		if err := db.Reader().Get(&visits, db.Reader().Rebind("SELECT count(*) FROM visits v JOIN assignments a ON a.id = v.assignment_id WHERE a.round_id = ?"), r.ID); err != nil || visits != 0 {
			t.Fatalf("%d visits written into the unmarked round (%v)", visits, err)
		}

		sum, err := simround.Run(ctx, s.backend, r.Name, s.model, opts)
		if err != nil || sum.Visits == 0 {
			t.Fatalf("run through the service: %+v, %v", sum, err)
		}
		got, err := svc.Round(ctx, rounds.System, r.ID)
		if err != nil || !got.Simulated {
			t.Fatalf("after simulated fieldwork the round is %+v (%v)", got, err)
		}
		log, err := db.AuditLog(ctx, 10000)
		if err != nil {
			t.Fatal(err)
		}
		marks := 0
		for _, e := range log {
			if e.Action == "round.simulated" && e.ObjectID == itoa(r.ID) {
				marks++
			}
		}
		if marks != 1 {
			t.Errorf("%d audit entries round.simulated for the round", marks)
		}
		// The API says so, and the supervisor's token may now go on.
		hr, err := h.Round(ctx, r.Name)
		if err != nil || !hr.Simulated {
			t.Fatalf("GET /api/v1/rounds: %+v, %v", hr, err)
		}
		opts.Days, opts.Seed = 1, opts.Seed+1 // other visits than the first run's
		if _, err := simround.Run(ctx, h, r.Name, s.model, opts); err != nil {
			t.Errorf("a supervisor's token on a round marked simulated: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
