package simround_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"golang.org/x/crypto/bcrypt"
)

func init() { auth.BcryptCost = bcrypt.MinCost }

type setup struct {
	db      *store.DB
	backend *simround.ServiceBackend
	round   store.RoundInfo
	truth   *simulate.Truth
	model   *simulate.Model
	dist    *simulate.District
}

// prepare puts a simulated district into db and starts a round on it with
// a two-stage sample and the default rule (replacements approved by a
// supervisor), staffed by n interviewers a street.
func prepare(t *testing.T, db *store.DB, spec simulate.Spec, n, perCommunity, interviewers int) setup {
	t.Helper()
	ctx := context.Background()
	d, err := simulate.Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simround.District(ctx, db, d, store.System); err != nil {
		t.Fatal(err)
	}
	b := simround.NewServiceBackend(db)
	r, err := simround.StartRound(ctx, db, b.Service, rounds.System, simround.RoundSpec{
		Name: "模拟入户", Sample: "sim", Questionnaire: "wenming-household", N: n, PerCommunity: perCommunity, Reserves: 8, Seed: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(auth.GeneratePassword())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Staff(ctx, r.ID, interviewers, hash); err != nil {
		t.Fatal(err)
	}
	rr, err := b.Round(ctx, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := simulate.Compile(rr.Def, d.Model)
	if err != nil {
		t.Fatal(err)
	}
	return setup{db: db, backend: b, round: r, truth: simulate.ComputeTruth(plan, d.Frame()), model: d.Model, dist: d}
}

func yesterday() time.Time { return time.Now().AddDate(0, 0, -1) }

// The simulated fieldwork goes through the service: its rows are the rows
// a tablet's submission makes (same tables, same columns filled), and
// every visit and response has its audit entry.
func TestSimulatedRoundLikeATablet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := prepare(t, db, simulate.Spec{Streets: 2, Communities: 3, Households: 40, Seed: 2}, 40, 10, 2)

		// One household interviewed the way the tablet does it, through
		// the same service calls the API handlers make.
		as, err := s.backend.Assignments(ctx, s.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		tablet := as[0]
		iv, err := db.UserByUsername(ctx, tablet.Interviewer)
		if err != nil {
			t.Fatal(err)
		}
		c := rounds.Caller{User: iv, Actor: store.Actor{UserID: iv.ID, Via: "api", RequestID: "req-1"}}
		at := time.Now().Add(-2 * time.Hour)
		acc := 8.0
		gps := &rounds.GPS{Lat: 30.5, Lon: 114.3, AccuracyM: &acc}
		if _, err := s.backend.Service.RecordVisit(ctx, c, rounds.VisitRequest{ClientID: "00000000-0000-4000-8000-000000000001", AssignmentID: tablet.ID, AttemptedAt: at, Outcome: "interview", GPS: gps}); err != nil {
			t.Fatal(err)
		}
		start, done := at.Add(time.Minute), at.Add(15*time.Minute)
		ans := `{"S1":1,"S2":1,"A1":1,"A2":[1,3],"B1":1,"C1":[7],"D1":2,"D2":3,"D3":2,"D4":1,"D5":2,"D6":8,"D7":2,"D8":2,"E1":2,"E2":3,"E3":12}`
		if _, err := s.backend.Service.Submit(ctx, c, rounds.ResponseRequest{ClientID: "00000000-0000-4000-8000-000000000002", AssignmentID: tablet.ID,
			QuestionnaireVersion: 1, Answers: json.RawMessage(ans), StartedAt: &start, CompletedAt: &done, DeviceID: "tablet-7", AppVersion: "1.0"}); err != nil {
			t.Fatal(err)
		}

		opts := simround.DefaultOptions()
		opts.Days, opts.Until, opts.Refusal = 8, yesterday(), 0.3
		var progress strings.Builder
		opts.Progress = &progress
		sum, err := simround.Run(ctx, s.backend, s.round.Name, s.model, opts)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Interviews == 0 || sum.Refusals == 0 || sum.Replacements == 0 || sum.Flagged == 0 || sum.Visits < sum.Interviews {
			t.Fatalf("summary %+v", sum)
		}
		if !strings.Contains(progress.String(), "day  1 ") {
			t.Errorf("progress %q", progress.String())
		}

		// Interview visits (an appointment fills appointment_at too).
		// (A screened-out interview has no weight: it is compared apart.)
		for _, table := range []string{"visits WHERE outcome = 'interview'", "responses WHERE disposition <> 'not_eligible'"} {
			filled := filledColumns(t, db, table)
			tabletKey := "00000000-0000-4000-8000-000000000001"
			if strings.HasPrefix(table, "responses") {
				tabletKey = "00000000-0000-4000-8000-000000000002"
			}
			want, ok := filled[tabletKey]
			if !ok || len(filled) < 2 {
				t.Fatalf("%s: %d rows", table, len(filled))
			}
			for id, cols := range filled {
				if id != tabletKey && !slices.Equal(cols, want) {
					t.Errorf("%s %s fills %v, the tablet's row %v", table, id, cols, want)
					break
				}
			}
		}
		// Each response has a value for every indicator, except a
		// screened-out interview (a household found not eligible: none);
		// each visit and response its audit entry.
		var responses, screened, values, audits, visits, visitAudits int
		rd := db.Reader()
		rd.Get(&responses, "SELECT count(*) FROM responses")
		rd.Get(&screened, "SELECT count(*) FROM responses WHERE disposition = 'not_eligible' AND weight IS NULL")
		rd.Get(&values, "SELECT count(*) FROM response_values")
		rd.Get(&audits, "SELECT count(*) FROM audit_log WHERE action = 'response.submit'")
		rd.Get(&visits, "SELECT count(*) FROM visits")
		rd.Get(&visitAudits, "SELECT count(*) FROM audit_log WHERE action = 'visit.record'")
		if values != (responses-screened)*13 || audits != responses || visitAudits != visits || responses != sum.Interviews+1 {
			t.Errorf("responses %d (interviews %d, screened out %d), values %d, submit audits %d, visits %d, visit audits %d", responses, sum.Interviews, screened, values, audits, visits, visitAudits)
		}
		var flags []string
		rd.Select(&flags, "SELECT flags FROM responses WHERE flags <> '[]'")
		if !strings.Contains(strings.Join(flags, ""), "too_fast") {
			t.Errorf("no interview flagged too fast: %v", flags)
		}
	})
}

// filledColumns returns, for each row of a table keyed by client_id, the
// names of its columns that are not NULL (ids and times aside, which every
// row fills).
func filledColumns(t *testing.T, db *store.DB, table string) map[string][]string {
	t.Helper()
	rows, err := db.Reader().Queryx("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatal(err)
		}
		var cols []string
		for k, v := range m {
			if v != nil {
				if s, ok := v.(string); !ok || s != "" {
					cols = append(cols, k)
				}
			}
		}
		slices.Sort(cols)
		key := m["client_id"]
		if b, ok := key.([]byte); ok {
			key = string(b)
		}
		out[key.(string)] = cols
	}
	return out
}

// Estimates from a simulated round recover the district's true values:
// with a fixed seed, at least 85 % of the 95 % intervals (13 indicators,
// the district and 4 streets: 65 intervals, expected 62) contain the
// truth, and each of the four rates' district estimates lies within 3
// standard errors of it. The simulated response rates are near the
// configured ones: cooperation (I/(I+P+R)) within 0.05 of 1 − refusal,
// and the share of final households found not eligible within 0.03 of the
// configured 0.05.
func TestSimulatedRoundRecoversTruth(t *testing.T) {
	db := storetest.Open(t, storetest.Dialects(t)[0])
	ctx := context.Background()
	s := prepare(t, db, simulate.Spec{Streets: 4, Communities: 10, Households: 150, Seed: 11}, 1600/raceScale, 20/raceScale, 3)
	opts := simround.DefaultOptions()
	opts.Days, opts.Until, opts.Seed = 14, yesterday(), 5
	sum, err := simround.Run(ctx, s.backend, s.round.Name, s.model, opts)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := results.ForRound(ctx, db, s.round.ID, results.RoundRequest{By: "street", LonelyPSU: stats.LonelyAdjust})
	if err != nil {
		t.Fatal(err)
	}
	covered, total := 0, 0
	for _, f := range rep.Estimates {
		it, ok := s.truth.Indicator(f.Variable)
		if !ok {
			continue
		}
		truth := it.District
		if f.Domain != stats.NoDomain {
			truth = it.Street(f.DomainLabel)
		}
		total++
		if f.CILow <= truth && truth <= f.CIHigh {
			covered++
		}
		if f.Domain == stats.NoDomain && slices.Contains([]string{"awareness", "support", "participation", "satisfaction"}, f.Variable) {
			if z := math.Abs(f.Value-truth) / f.SE; z > 3 {
				t.Errorf("%s: estimate %.4f (se %.4f), truth %.4f", f.Variable, f.Value, f.SE, truth)
			}
		}
	}
	t.Logf("%d of %d intervals cover the truth; %+v", covered, total, sum)
	if total != 65 || float64(covered) < 0.85*float64(total) {
		t.Errorf("%d of %d intervals cover the truth", covered, total)
	}
	prog, err := s.backend.Service.Progress(ctx, rounds.System, s.round.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	cts := prog.Total.Counts
	t.Logf("counts %+v rates %+v", cts, prog.Total.Rates)
	coop := prog.Total.Rates.COOP1
	if coop == nil || math.Abs(*coop-(1-opts.Refusal)) > 0.05 {
		t.Errorf("cooperation %v, configured refusal %v", coop, opts.Refusal)
	}
	finals := float64(prog.Total.Assignments - cts.Pending)
	if ne := float64(cts.NE) / finals; math.Abs(ne-opts.NotEligible) > 0.03 {
		t.Errorf("not eligible %.3f of final households, configured %v", ne, opts.NotEligible)
	}
}

// busyOnce answers the first sync request 503 busy (the server's database
// stayed busy, nothing was stored) and the item of the second 503, as the
// server does when retries are exhausted; the simulator, as a tablet's
// outbox, sends both again.
func busyOnce(next http.Handler) http.Handler {
	var syncs atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/sync" {
			switch syncs.Add(1) {
			case 1:
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":{"code":"busy","message":"the database is busy with other writes: nothing was stored; send it again"}}`)
				return
			case 2:
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"results":[{"index":0,"type":"visit","status":503,"error":{"code":"busy","message":"busy"}}]}`)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Over HTTP, with an administrator's API token, the simulation goes
// through POST /api/v1/sync and the replace route of a running server,
// and gives the same fieldwork as through the service with the same seed,
// though the server's first two syncs answer 503 busy (sent again).
func TestSimulatedRoundOverHTTP(t *testing.T) {
	ctx := context.Background()
	spec := simulate.Spec{Streets: 2, Communities: 3, Households: 40, Seed: 4}
	opts := simround.DefaultOptions()
	opts.Days, opts.Until = 6, yesterday()

	run := func(overHTTP bool) (simround.Summary, *store.DB) {
		db := storetest.Open(t, storetest.Dialects(t)[0])
		s := prepare(t, db, spec, 40, 10, 2)
		var b simround.Backend = s.backend
		if overHTTP {
			h, _ := auth.HashPassword("admin-password")
			id, err := db.CreateUser(ctx, store.NewUser{Username: "admin", DisplayName: "admin", Role: store.RoleAdmin, PasswordHash: h}, store.System)
			if err != nil {
				t.Fatal(err)
			}
			token, _, err := auth.CreateToken(ctx, db, store.CLI, auth.TokenRequest{UserID: id, Name: "simulation"})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}, db,
				auth.NewService(db, auth.NewSecret(), time.Hour), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(busyOnce(srv.Handler()))
			t.Cleanup(ts.Close)
			if b, err = simround.NewHTTPBackend(ts.URL, token); err != nil {
				t.Fatal(err)
			}
		}
		sum, err := simround.Run(ctx, b, s.round.Name, s.model, opts)
		if err != nil {
			t.Fatal(err)
		}
		return sum, db
	}
	viaService, _ := run(false)
	viaHTTP, db := run(true)
	if viaHTTP.Interviews == 0 || viaHTTP.Replacements == 0 {
		t.Fatalf("over HTTP: %+v", viaHTTP)
	}
	if viaHTTP != viaService {
		t.Errorf("over HTTP %+v, through the service %+v", viaHTTP, viaService)
	}
	var n int
	db.Reader().Get(&n, "SELECT count(*) FROM responses")
	if n != viaHTTP.Interviews {
		t.Errorf("%d responses stored, %d interviews", n, viaHTTP.Interviews)
	}
	if _, err := simround.NewHTTPBackend("ftp://x", "t"); err == nil {
		t.Error("an ftp URL was taken")
	}
}

// Simulated respondents who refuse their age group (--refuse-age) stop
// the weighting's calibration until a remedy is given; with one, the
// round is weighted and the refusals are imputed, each recorded.
func TestSimulatedRefusedAgesNeedARemedy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := prepare(t, db, simulate.Spec{Streets: 2, Communities: 3, Households: 60, Seed: 4}, 80, 14, 2)
		opts := simround.DefaultOptions()
		opts.Days, opts.Until, opts.RefuseAge = 8, yesterday(), 0.15
		if _, err := simround.Run(ctx, s.backend, s.round.Name, s.model, opts); err != nil {
			t.Fatal(err)
		}
		var pop bytes.Buffer
		if err := s.dist.WritePopulation(&pop); err != nil {
			t.Fatal(err)
		}
		if _, err := weighting.ImportPopulation(ctx, db, &pop, weighting.ImportSpec{Name: "pop.csv", Questionnaire: "wenming-household"}, store.System); err != nil {
			t.Fatal(err)
		}
		refused := 0
		rs, err := db.RoundRespondents(ctx, s.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if strings.Contains(r.Answers, `"E2":9`) {
				refused++
			}
		}
		if refused == 0 || refused > len(rs)/3 {
			t.Fatalf("%d of %d respondents refused their age group", refused, len(rs))
		}
		cfg := weighting.Config{Calibration: "rake", Margins: [][]string{{"street"}, {"E2"}}}
		if _, err := weighting.Weigh(ctx, db, s.round.ID, cfg, store.System); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d responses cannot be calibrated", refused)) {
			t.Fatalf("%d refusals, no remedy: %v", refused, err)
		}
		cfg.Missing = map[string]string{"E2": "hotdeck"}
		rep, err := weighting.Weigh(ctx, db, s.round.ID, cfg, store.System)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Imputed) != 1 || rep.Imputed[0].N != refused {
			t.Errorf("imputed %+v, want %d", rep.Imputed, refused)
		}
	})
}
