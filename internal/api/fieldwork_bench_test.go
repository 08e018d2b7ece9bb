package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// BenchmarkSubmit measures accepted submissions over real HTTP on loopback
// (POST /api/v1/responses, every one a first arrival answering 201) with 8
// and 32 concurrent clients, on SQLite and, when MINYI_TEST_POSTGRES is
// set, PostgreSQL. One op is one accepted submission; it reports
// submissions per second and the p50 and p99 latency of a request.
//
// Each run gets a fresh district with at least b.N households in the
// sample, in 4 streets, given to 8 interviewers (the peers each
// submission's quality checks read grow with an interviewer's workload, as
// in the field). Building it is not timed. internal/rounds/testdata/bench.sh
// runs this beside pgbench.
func BenchmarkSubmit(b *testing.B) {
	for _, d := range storetest.Dialects(b) {
		for _, clients := range []int{8, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d", d, clients), func(b *testing.B) {
				benchSubmit(b, d, clients)
			})
		}
	}
}

func benchSubmit(b *testing.B, d store.Dialect, clients int) {
	db := storetest.Open(b, d)
	perCommunity := (max(b.N, 200) + 19) / 20
	f := fieldtest.New(b, db, fieldtest.Size{Streets: 4, CommunitiesPerStreet: 5, Households: perCommunity, SampleCommunities: 5, PerCommunity: perCommunity})
	ctx := context.Background()
	for s := 1; s <= 4; s++ {
		f.AssignStreet(b, s)
		as, err := f.Service.Assignments(ctx, f.Caller(fmt.Sprintf("sup%d", s)), f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			b.Fatal(err)
		}
		var half []int64
		for i, a := range as {
			if i%2 == 1 {
				half = append(half, a.ID)
			}
		}
		if _, err := f.Service.Assign(ctx, f.Caller(fmt.Sprintf("sup%d", s)), f.Round.ID,
			rounds.AssignRequest{Interviewer: fmt.Sprintf("int%db", s), AssignmentIDs: half}); err != nil {
			b.Fatal(err)
		}
	}
	subs := submissions(b, f, roundAssignments(b, f))
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(subs), func(i, j int) { subs[i], subs[j] = subs[j], subs[i] })
	url := servertest.FieldServer(b, db)
	byUser := map[string]*http.Client{}
	for _, s := range subs {
		if byUser[s.interviewer] == nil {
			byUser[s.interviewer] = servertest.FieldClient(b, url, s.interviewer)
		}
	}

	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
		failure   error
	)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			mine := make([]time.Duration, 0, b.N/clients+1)
			defer func() {
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				s := subs[i]
				t0 := time.Now()
				res, err := postSubmission(byUser[s.interviewer], url, s)
				mine = append(mine, time.Since(t0))
				if err == nil && res.status != http.StatusCreated {
					err = fmt.Errorf("submission %s answered %d %s", s.clientID, res.status, res.body)
				}
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "subs/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
