package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// lockLog records, with row triggers, every row of the aggregate tables
// that a statement writes (a proposed insert, an update, a delete) in the
// order the database writes them, which is the order it locks them: the
// table's rank in the global lock order (1 psu_sums, 2 fieldwork_counts,
// 3 fieldwork_hours) and its key, spread over columns a1…a7 so that one
// row comparison orders keys of a table as its primary key does.
var lockLog = map[store.Dialect][]string{
	store.Postgres: {
		`CREATE TABLE lock_log (seq BIGSERIAL PRIMARY KEY, rank INTEGER, a1 BIGINT, a2 TEXT, a3 TEXT, a4 BIGINT, a5 BIGINT, a6 BIGINT, a7 TEXT)`,
		`CREATE FUNCTION log_lock() RETURNS trigger AS $$
		 DECLARE r record;
		 BEGIN
		     IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
		     IF TG_TABLE_NAME = 'psu_sums' THEN
		         INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (1, r.round_id, r.grp, r.indicator, r.psu, r.code, r.cal_cell, '');
		     ELSIF TG_TABLE_NAME = 'fieldwork_counts' THEN
		         INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (2, r.round_id, '', '', r.street_id, r.community_id, r.interviewer_id, r.category);
		     ELSE
		         INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (3, r.round_id, '', '', r.street_id, r.hour, 0, r.category);
		     END IF;
		     IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
		     RETURN NEW;
		 END $$ LANGUAGE plpgsql`,
		`CREATE TRIGGER log_psu BEFORE INSERT OR UPDATE OR DELETE ON psu_sums FOR EACH ROW EXECUTE FUNCTION log_lock()`,
		`CREATE TRIGGER log_counts BEFORE INSERT OR UPDATE OR DELETE ON fieldwork_counts FOR EACH ROW EXECUTE FUNCTION log_lock()`,
		`CREATE TRIGGER log_hours BEFORE INSERT OR UPDATE OR DELETE ON fieldwork_hours FOR EACH ROW EXECUTE FUNCTION log_lock()`,
	},
	// SQLite keeps the counts with row triggers of its own, one row at a
	// time; with one writer, their order cannot deadlock. Its sums are
	// written by the same statement as PostgreSQL's.
	store.SQLite: {
		`CREATE TABLE lock_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, rank INTEGER, a1 BIGINT, a2 TEXT, a3 TEXT, a4 BIGINT, a5 BIGINT, a6 BIGINT, a7 TEXT)`,
		`CREATE TRIGGER log_psu_insert BEFORE INSERT ON psu_sums BEGIN
		 INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (1, NEW.round_id, NEW.grp, NEW.indicator, NEW.psu, NEW.code, NEW.cal_cell, ''); END`,
		`CREATE TRIGGER log_psu_update BEFORE UPDATE ON psu_sums BEGIN
		 INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (1, NEW.round_id, NEW.grp, NEW.indicator, NEW.psu, NEW.code, NEW.cal_cell, ''); END`,
		`CREATE TRIGGER log_psu_delete BEFORE DELETE ON psu_sums BEGIN
		 INSERT INTO lock_log (rank, a1, a2, a3, a4, a5, a6, a7) VALUES (1, OLD.round_id, OLD.grp, OLD.indicator, OLD.psu, OLD.code, OLD.cal_cell, ''); END`,
	},
}

// TestLockOrder checks, on both databases, that the fieldwork operations
// write (and so lock) the rows every submission of a PSU, a community or
// an hour shares in the global order of store/lockorder.go: each
// operation's first write of a row comes after its first write of every
// row before it in that order, across the sums, the counts and the hourly
// counts. It watches a submission, a second submission of the PSU with
// other group answers, a visit, a return, a correction that changes group
// answers, a refusal that releases a reserve (the counts of two
// statements, locked together first), and a reassignment of a list of
// households. On PostgreSQL this includes the statement triggers of
// migration 00015: an INSERT … SELECT … ORDER BY … ON CONFLICT DO UPDATE
// writes its rows in the order of its SELECT.
func TestLockOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Size{Streets: 2, CommunitiesPerStreet: 3, Households: 12, SampleCommunities: 2, PerCommunity: 4,
			Reserves: 2, Rule: `{"approval": "automatic"}`})
		f.AssignStreet(t, 1)
		w := db.Writer()
		for _, q := range lockLog[db.Dialect()] {
			if _, err := w.Exec(q); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
		}
		iv := f.Caller("int1a")
		mine, err := f.Service.Assignments(ctx, iv, f.Round.ID, store.AssignmentFilter{})
		if err != nil || len(mine) != 8 {
			t.Fatalf("%d assignments, %v", len(mine), err)
		}
		at := time.Date(2026, 11, 20, 11, 30, 0, 0, time.UTC) // 19:30 in Beijing
		n := 0
		clientID := func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
		submit := func(c rounds.Caller, a store.Assignment, aware bool, supersedes int64) int64 {
			t.Helper()
			end := at.Add(20 * time.Minute)
			res, err := f.Service.Submit(ctx, c, rounds.ResponseRequest{ClientID: clientID(), AssignmentID: a.ID, QuestionnaireVersion: 1,
				StartedAt: &at, CompletedAt: &end, Supersedes: supersedes,
				Answers: json.RawMessage(fieldtest.Answers(aware, true, [4]int{1, 2, 3, 4}))})
			if err != nil {
				t.Fatal(err)
			}
			return res.ID
		}
		visit := func(a store.Assignment, outcome string) {
			t.Helper()
			if _, err := f.Service.RecordVisit(ctx, iv, rounds.VisitRequest{ClientID: clientID(), AssignmentID: a.ID, AttemptedAt: at, Outcome: outcome}); err != nil {
				t.Fatal(err)
			}
		}
		var first, second int64
		steps := []struct {
			name    string
			run     func()
			tables  int // how many of the three tables the step writes (PostgreSQL; hourly counts only of final households)
			pgOnly  bool
			minRows int
		}{
			{"a submission", func() { first = submit(iv, mine[0], true, 0) }, 2, false, 14},
			{"a second submission of the PSU, other group answers", func() { second = submit(iv, mine[1], false, 0) }, 2, false, 14},
			{"a visit", func() { visit(mine[2], "no_one_home") }, 1, true, 1},
			{"a return", func() {
				if _, err := f.Service.Review(ctx, f.Caller("sup1"), first, rounds.ReviewRequest{Action: "return", Reason: "核实"}); err != nil {
					t.Fatal(err)
				}
			}, 2, false, 14},
			// Two statements on SQLite, one writer at a time: the sums
			// are locked together first on PostgreSQL alone.
			{"a correction with other group answers", func() { submit(f.Caller("sup1"), mine[1], true, second) }, 1, true, 21},
			{"a refusal that releases a reserve", func() { visit(mine[3], "refused") }, 2, true, 3},
			{"a reassignment of a list", func() {
				ids := []int64{mine[7].ID, mine[0].ID, mine[5].ID, mine[2].ID} // not in order, over two communities
				if _, err := f.Service.Assign(ctx, f.Caller("sup1"), f.Round.ID, rounds.AssignRequest{Interviewer: "int1b", AssignmentIDs: ids}); err != nil {
					t.Fatal(err)
				}
			}, 1, true, 4},
		}
		for _, s := range steps {
			if _, err := w.Exec(`DELETE FROM lock_log`); err != nil {
				t.Fatal(err)
			}
			s.run()
			if s.pgOnly && db.Dialect() != store.Postgres {
				continue
			}
			var rows, tables int
			if err := w.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT rank) FROM lock_log`).Scan(&rows, &tables); err != nil {
				t.Fatal(err)
			}
			want := s.tables
			if db.Dialect() != store.Postgres {
				want = 1 // the sums alone are watched
			}
			if rows < s.minRows || tables != want {
				t.Errorf("%s wrote %d watched rows in %d tables; want at least %d in %d", s.name, rows, tables, s.minRows, want)
			}
			// The first write of each row, and every pair written out of
			// order: an earlier first write of a later row.
			const first = `SELECT rank, a1, a2, a3, a4, a5, a6, a7, MIN(seq) AS seq FROM lock_log GROUP BY rank, a1, a2, a3, a4, a5, a6, a7`
			q := `SELECT x.rank, x.a1, x.a2, x.a3, x.a4, x.a5, x.a6, x.a7, y.rank, y.a1, y.a2, y.a3, y.a4, y.a5, y.a6, y.a7
				FROM (` + first + `) x JOIN (` + first + `) y ON x.seq < y.seq
				WHERE (x.rank, x.a1, x.a2, x.a3, x.a4, x.a5, x.a6, x.a7) > (y.rank, y.a1, y.a2, y.a3, y.a4, y.a5, y.a6, y.a7)
				ORDER BY x.seq, y.seq`
			bad, err := w.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for bad.Next() {
				var x, y [8]any
				ptrs := make([]any, 16)
				for i := range 8 {
					ptrs[i], ptrs[8+i] = &x[i], &y[i]
				}
				if err := bad.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%v before %v", x, y))
			}
			bad.Close()
			if len(out) > 0 {
				t.Errorf("%s wrote %d pairs of rows out of the global order, e.g.\n%s", s.name, len(out), strings.Join(out[:min(len(out), 5)], "\n"))
			}
		}
		var released int
		if err := w.QueryRow(`SELECT COUNT(*) FROM assignments WHERE replaces_id IS NOT NULL`).Scan(&released); err != nil || released != 1 {
			t.Errorf("%d reserves released (%v), want 1", released, err)
		}
		fieldtest.CheckCounts(t, db, f.Round.ID)
		fieldtest.CheckSums(t, db, f.Round.ID)
	})
}

// TestConcurrentReturnsDoNotDeadlock sends back two responses of one PSU
// at the same time on PostgreSQL, the first with its value rows lying on
// the page in another order than the second's (as rows written again, or
// while other transactions grew the table, do), and makes both wait at the
// same sum row until both are under way. Taking their values out of the sums
// in the order the scan found them deadlocked (PostgreSQL aborted one: a
// 500 to the office); in key order the second waits for the first, and
// no transaction is aborted, so none is run again either. On SQLite one
// writer runs at a time: there is nothing to interleave.
func TestConcurrentReturnsDoNotDeadlock(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		if d != store.Postgres {
			continue
		}
		ctx := context.Background()
		db := storetest.Open(t, d)
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		iv := f.Caller("int1a")
		mine, err := f.Service.Assignments(ctx, iv, f.Round.ID, store.AssignmentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64 // two to send back, and one that stays
		for i, a := range mine[:3] {
			res, err := f.Service.Submit(ctx, iv, rounds.ResponseRequest{ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1),
				AssignmentID: a.ID, QuestionnaireVersion: 1, Answers: json.RawMessage(fieldtest.Answers(true, true, [4]int{1, 2, 3, 4}))})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, res.ID)
		}
		w := db.Writer()
		var psus int
		if err := w.Get(&psus, w.Rebind(`SELECT COUNT(DISTINCT psu) FROM response_values WHERE response_id IN (?, ?, ?)`), ids[0], ids[1], ids[2]); err != nil || psus != 1 {
			t.Fatalf("the responses are in %d PSUs (%v), want 1", psus, err)
		}
		// Two of the first response's values written again: a scan finds
		// them after the others.
		if _, err := w.Exec(w.Rebind(`WITH d AS (DELETE FROM response_values WHERE response_id = ? AND indicator IN ('aware', 'q1') RETURNING *)
			INSERT INTO response_values SELECT * FROM d`), ids[0]); err != nil {
			t.Fatal(err)
		}

		// A third transaction holds the sum row both come to first.
		blocker, err := w.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer blocker.Rollback()
		var blockerPID int
		if err := blocker.Get(&blockerPID, `SELECT pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		if _, err := blocker.Exec(blocker.Rebind(`SELECT 1 FROM psu_sums WHERE round_id = ? AND grp = '' AND indicator = 'aware' FOR UPDATE`), f.Round.ID); err != nil {
			t.Fatal(err)
		}
		// waiting returns the pids of the backends waiting for pids, once
		// there are n.
		waiting := func(n int, pids ...int) []int {
			t.Helper()
			deadline := time.Now().Add(30 * time.Second)
			for {
				var got []int
				for _, p := range pids {
					var ws []int
					if err := db.Reader().Select(&ws, `SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) ORDER BY pid`, p); err != nil {
						t.Fatal(err)
					}
					got = append(got, ws...)
				}
				if len(got) >= n {
					return got
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d transactions wait, want %d", len(got), n)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		before := db.TxStats()
		done := make(chan error, 2)
		ret := func(id int64) {
			_, err := f.Service.Review(ctx, f.Caller("sup1"), id, rounds.ReviewRequest{Action: "return", Reason: "核实"})
			done <- err
		}
		go ret(ids[1])                      // in the scan's order, which is key order here
		second := waiting(1, blockerPID)[0] // waits at the held row, holding none of the sums
		go ret(ids[0])                      // the rows it found first, then the held one
		waiting(2, blockerPID, second)      // waits too
		if err := blocker.Commit(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("a return failed: %v", err)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("the returns did not end")
			}
		}
		if after := db.TxStats(); after.Aborted != before.Aborted || after.Retried != before.Retried {
			t.Errorf("transactions aborted %+v, run again %d; want none", after.Aborted, after.Retried-before.Retried)
		}
		fieldtest.CheckSums(t, db, f.Round.ID)
	}
}
