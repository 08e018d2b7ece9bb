package backup_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/backup"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
)

// benchResponses is the size of the database BenchmarkBackup copies, as
// the issue asks: 10⁵ accepted responses.
const benchResponses = 100_000

// BenchmarkBackup: one backup of a SQLite database of 10⁵ responses
// (with their 7 value rows and audit entries each) while 8 clients submit
// more through the fieldwork service. It reports the backup's time (and of
// it the copy's, VACUUM INTO; the rest is PRAGMA integrity_check of the
// copy), the submissions per second during the backup and during the copy
// and, for comparison, during the two seconds before it.
//
//	go test ./internal/backup/ -run '^$' -bench Backup -benchtime 1x
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "live.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	seedStart := time.Now()
	// 100 communities of 1060 households, all drawn: 10⁵ responses are
	// written straight into the tables, the other 6000 assignments are
	// left for the clients.
	f := fieldtest.New(b, db, fieldtest.Size{Streets: 1, CommunitiesPerStreet: 100, Households: 1060, SampleCommunities: 100, PerCommunity: 1060})
	f.AssignStreet(b, 1)
	bulk(b, db, f)
	var free []store.Assignment
	var ids []int64
	if err := db.Reader().Select(&ids, `SELECT id FROM assignments a WHERE round_id = ? AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.assignment_id = a.id) ORDER BY id`, f.Round.ID); err != nil {
		b.Fatal(err)
	}
	for _, id := range ids {
		free = append(free, store.Assignment{ID: id})
	}
	b.Logf("seeded %d responses (+%d assignments free) in %s", benchResponses, len(free), time.Since(seedStart).Round(time.Second))

	rot := backup.Rotation{Dir: filepath.Join(dir, "backups"), Keep: 2}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stop := make(chan struct{})
		wait := submitters(b, f, free, stop)
		time.Sleep(2 * time.Second) // the clients' pace without a backup
		start := time.Now()
		res, err := backup.Rotate(ctx, db, rot, start.Add(time.Duration(i)*time.Second))
		end := time.Now()
		time.Sleep(200 * time.Millisecond)
		close(stop)
		acks := wait()
		if err != nil {
			b.Fatal(err)
		}
		var during, copying, before int
		for _, a := range acks {
			if !a.at.Before(start) && a.at.Before(start.Add(res.Copy)) {
				copying++
			}
			switch {
			case !a.at.Before(start) && a.at.Before(end):
				during++
			case a.at.Before(start) && a.at.After(start.Add(-2*time.Second)):
				before++
			}
		}
		took := end.Sub(start)
		b.ReportMetric(took.Seconds(), "s/backup")
		b.ReportMetric(res.Copy.Seconds(), "s/copy")
		b.ReportMetric(float64(res.Size)/(1<<20), "MiB")
		b.ReportMetric(float64(during)/took.Seconds(), "submissions/s_during")
		b.ReportMetric(float64(copying)/res.Copy.Seconds(), "submissions/s_copy")
		b.ReportMetric(float64(before)/2, "submissions/s_before")
		if len(acks) >= len(free) {
			b.Fatalf("the clients ran out of assignments (%d)", len(free))
		}
		free = free[len(acks):]
	}
}

// bulk writes benchResponses accepted responses of f's round straight into
// the tables (value rows and audit entries as Submit writes them), for the
// first assignments by id.
func bulk(b *testing.B, db *store.DB, f *fieldtest.Field) {
	w := db.Writer()
	exec := func(q string, args ...any) {
		if _, err := w.Exec(q, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	ts := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	iv := f.Users["int1b"].ID // not the clients' interviewer: their quality checks read only their own responses
	answers := fieldtest.Answers(true, true, [4]int{1, 2, 2, 3})
	exec(`INSERT INTO responses (assignment_id, round_id, questionnaire_version_id, client_id, interviewer_id, status, answers, started_at, completed_at, received_at)
		SELECT a.id, a.round_id, r.questionnaire_version_id, 'bulk-' || a.id, ?, 'accepted', ?, ?, ?, ?
		FROM assignments a JOIN rounds r ON r.id = a.round_id WHERE a.round_id = ? ORDER BY a.id LIMIT ?`,
		iv, answers, ts, ts, ts, f.Round.ID, benchResponses)
	for i, ind := range []string{"aware", "support", "q1", "q2", "q3", "q4", "satisfied"} {
		exec(fmt.Sprintf(`INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight)
			SELECT r.id, ?, ((r.id * %d) %% 1000) / 1000.0, r.round_id, su.street_id, su.psu, su.community_id, su.base_weight
			FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id
			WHERE r.client_id LIKE 'bulk-%%'`, 40503+2*i), ind)
	}
	exec(`INSERT INTO audit_log (at, user_id, action, object_type, object_id, detail)
		SELECT ?, ?, 'response.submit', 'response', r.id, '{"client_id":"' || r.client_id || '"}' FROM responses r WHERE r.client_id LIKE 'bulk-%'`, ts, iv)
}
