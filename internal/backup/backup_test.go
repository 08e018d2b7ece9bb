package backup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// submitted is one acknowledged submission.
type submitted struct {
	clientID string
	id       int64
	at       time.Time // when the acknowledgement came back
}

// submitters runs 8 clients submitting the round's responses (one
// assignment each, in turn) until stop is closed or the assignments run
// out, and returns what was acknowledged.
func submitters(t testing.TB, f *fieldtest.Field, as []store.Assignment, stop <-chan struct{}) func() []submitted {
	ctx := context.Background()
	var next atomic.Int64
	var mu sync.Mutex
	var acks []submitted
	var wg sync.WaitGroup
	int1a := f.Caller("int1a")
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1) - 1)
				if i >= len(as) {
					return
				}
				cid := fmt.Sprintf("30000000-0000-4000-8000-%012d", i)
				res, err := f.Service.Submit(ctx, int1a, rounds.ResponseRequest{ClientID: cid, AssignmentID: as[i].ID,
					QuestionnaireVersion: f.Round.QuestionnaireVersion,
					Answers:              json.RawMessage(fieldtest.Answers(i%2 == 0, i%3 == 0, [4]int{1 + i%5, 1 + i%4, 2, 1 + i%3}))})
				if err != nil {
					t.Errorf("submit %d: %v", i, err)
					return
				}
				at := time.Now()
				mu.Lock()
				acks = append(acks, submitted{cid, res.ID, at})
				mu.Unlock()
			}
		})
	}
	return func() []submitted { wg.Wait(); return acks }
}

// TestBackupUnderLoad is the test: 8 clients submit while a backup
// is made every second; the last backup is restored into a new file, and
// every response acknowledged before that backup started is in it exactly
// once, with its values and its audit entry, and the file is intact.
func TestBackupUnderLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := fieldtest.New(t, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 8, Households: 400, SampleCommunities: 8, PerCommunity: 400})
	f.AssignStreet(t, 1)
	as, err := f.Service.Assignments(ctx, f.Caller("int1a"), f.Round.ID, store.AssignmentFilter{})
	if err != nil || len(as) != 3200 {
		t.Fatalf("%d assignments (%v)", len(as), err)
	}

	stop := make(chan struct{})
	wait := submitters(t, f, as, stop)
	// Backups every second until three have been made while clients
	// submit (the clients stop then).
	rot := backup.Rotation{Dir: filepath.Join(dir, "backups"), Every: time.Second, Keep: 2}
	var lastStart time.Time
	var last backup.Result
	made := 0
	tick := time.NewTicker(time.Second)
	for made < 3 {
		<-tick.C
		lastStart = time.Now()
		res, err := backup.Rotate(ctx, db, rot, lastStart)
		if err != nil {
			t.Fatal(err)
		}
		last, made = res, made+1
		t.Logf("backup %d: %s", made, res)
	}
	tick.Stop()
	close(stop)
	acks := wait()
	if t.Failed() {
		return
	}
	if names, _ := filepath.Glob(filepath.Join(rot.Dir, "minyi-*.db")); len(names) != rot.Keep {
		t.Errorf("%d backups kept, want %d: %v", len(names), rot.Keep, names)
	}
	if l, ok, err := backup.Latest(rot.Dir); err != nil || !ok || l.File != last.File || l.Size != last.Size {
		t.Errorf("Latest = %+v %v %v, want %s", l, ok, err, last)
	}

	target := filepath.Join(dir, "restored.db")
	r, err := backup.Restore(ctx, last.File, target)
	if err != nil || r.Before != "" {
		t.Fatalf("restore = %+v, %v", r, err)
	}
	if _, err := store.InspectFile(ctx, target); err != nil {
		t.Fatal(err)
	}
	rdb, err := store.Open(ctx, "sqlite:"+target, store.Existing())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	type value struct {
		Indicator string   `db:"indicator"`
		Value     *float64 `db:"value"`
	}
	values := func(db *store.DB, id int64) string {
		var vs []value
		if err := db.Reader().Select(&vs, `SELECT indicator, value FROM response_values WHERE response_id = ? ORDER BY indicator`, id); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(vs)
		return string(b)
	}
	before, after := 0, 0
	for _, a := range acks {
		if !a.at.Before(lastStart) {
			after++
			continue
		}
		before++
		var ids []int64
		if err := rdb.Reader().Select(&ids, `SELECT id FROM responses WHERE client_id = ? AND status = 'accepted'`, a.clientID); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0] != a.id {
			t.Errorf("response %s acknowledged as %d is in the backup as %v", a.clientID, a.id, ids)
			continue
		}
		if got, want := values(rdb, a.id), values(db, a.id); got != want || want == "null" {
			t.Errorf("response %d: values %s in the backup, %s in the database", a.id, got, want)
		}
		var audits int
		if err := rdb.Reader().Get(&audits, `SELECT COUNT(*) FROM audit_log WHERE action = 'response.submit' AND detail LIKE ?`, `%"client_id":"`+a.clientID+`"%`); err != nil {
			t.Fatal(err)
		}
		if audits != 1 {
			t.Errorf("response %d has %d audit entries in the backup, want 1", a.id, audits)
		}
	}
	var total, distinct int
	if err := rdb.Reader().Get(&total, `SELECT COUNT(*) FROM responses`); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Reader().Get(&distinct, `SELECT COUNT(DISTINCT client_id) FROM responses`); err != nil {
		t.Fatal(err)
	}
	if total != distinct || total < before {
		t.Errorf("backup holds %d responses (%d distinct), %d were acknowledged before it started", total, distinct, before)
	}
	t.Logf("%d responses acknowledged before the last backup started (all in it), %d after; the backup holds %d", before, after, total)
	if before == 0 || after == 0 {
		t.Errorf("the backups did not run while clients submitted (%d before, %d after)", before, after)
	}
}

// TestRunRotates: serve's schedule writes a backup at once into an empty
// directory and stops with its context.
func TestRunRotates(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	dir := filepath.Join(t.TempDir(), "b")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		backup.Run(ctx, db, backup.Rotation{Dir: dir, Every: time.Hour, Keep: 3}, slog.New(slog.DiscardHandler))
		close(done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, ok, _ := backup.Latest(dir); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no backup within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	// Files that are not rotating backups are never removed.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)
	for i := range 4 {
		if _, err := backup.Rotate(context.Background(), db, backup.Rotation{Dir: dir, Keep: 3}, time.Date(2030, 1, 1, 0, 0, i, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(names) != 4 || filepath.Base(names[0]) != "minyi-20300101-000001.db" || filepath.Base(names[3]) != "notes.txt" {
		t.Fatalf("after rotation: %v", names)
	}
}
