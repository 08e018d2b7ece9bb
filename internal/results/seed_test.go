package results

import (
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/store"
)

// seedRound writes a synthetic round of n accepted responses straight into
// the tables, with portable SQL (recursive CTEs): strata streets, psus
// communities (community c in street c % strata), weights 20–26, and four
// indicators per response: the rates "aware" (5 % missing, about 0.8 with a
// street effect), "support" and "join", and "score" (20–100, 10 % missing). It returns the round id.
func seedRound(t testing.TB, db *store.DB, n, strata, psus int) int64 {
	t.Helper()
	w := db.Writer()
	ts := time.Date(2026, 11, 1, 19, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(w.Rebind(q), args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	seq := func(count int) string {
		return fmt.Sprintf("WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d) ", count)
	}
	exec("INSERT INTO questionnaires (id, slug, title, created_at) VALUES (1, 'q', 'q', ?)", ts)
	exec("INSERT INTO questionnaire_versions (id, questionnaire_id, version, status, definition, source, content_hash, created_at) VALUES (1, 1, 1, 'published', '{}', '', 'h', ?)", ts)
	exec("INSERT INTO frames (id, version, source_name, source_sha256, households, created_at) VALUES (1, 1, 'seed', '', ?, ?)", n, ts)
	exec(seq(strata)+"INSERT INTO streets (id, code, name, created_at) SELECT i, 'S' || i, '街道' || i, ? FROM seq", ts)
	exec(seq(psus)+"INSERT INTO communities (id, street_id, code, name, created_at) SELECT i, ((i - 1) % ?) + 1, 'C' || i, '社区' || i, ? FROM seq", strata, ts)
	exec(seq(n)+"INSERT INTO households (id, frame_id, street_id, community_id, household_key, line) SELECT i, 1, ((i % ?) % ?) + 1, (i % ?) + 1, 'H' || i, i + 1 FROM seq", psus, strata, psus)
	exec("INSERT INTO samples (id, name, frame_id, kind, design, seed, households, created_at) VALUES (1, 's', 1, 'two-stage', '{}', '1', ?, ?)", n, ts)
	exec("INSERT INTO rounds (id, name, questionnaire_version_id, sample_id, created_at) VALUES (1, 'r', 1, 1, ?)", ts)
	exec("INSERT INTO sample_units (id, sample_id, household_id, street_id, community_id, psu, prob1, prob2, prob, base_weight) " +
		"SELECT id, 1, id, street_id, community_id, community_id, 0.5, 0.1, 0.05, 20 + (id % 7) FROM households")
	exec("INSERT INTO assignments (id, round_id, sample_unit_id, status, disposition, created_at, updated_at) SELECT id, 1, id, 'final', 'complete', ?, ? FROM sample_units", ts, ts)
	exec("INSERT INTO responses (id, assignment_id, round_id, questionnaire_version_id, client_id, status, answers, received_at) "+
		"SELECT id, id, 1, 1, 'c' || id, 'accepted', '{}', ? FROM assignments", ts)
	// A multiplicative hash of the id gives a fixed pseudo-random number in
	// [0, 1000) per response.
	const h = "((r.id * 2654435761) % 1000)"
	exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) " +
		"SELECT r.id, 'aware', CASE WHEN " + h + " < 50 THEN NULL WHEN " + h + " < 250 + 20 * su.street_id THEN 0 ELSE 1 END, " +
		"1, su.street_id, su.psu, su.community_id, su.base_weight FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id")
	exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) " +
		"SELECT r.id, 'score', CASE WHEN (" + h + " % 10) = 3 THEN NULL ELSE 20 * (1 + (" + h + " % 5)) END, " +
		"1, su.street_id, su.psu, su.community_id, su.base_weight FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id")
	for i, name := range []string{"support", "join"} {
		hi := fmt.Sprintf("((r.id * %d) %% 1000)", 40503+i*2)
		exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) " +
			"SELECT r.id, '" + name + "', CASE WHEN " + hi + " < 30 THEN NULL WHEN " + hi + " < 400 - 10 * su.street_id THEN 0 ELSE 1 END, " +
			"1, su.street_id, su.psu, su.community_id, su.base_weight FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id")
	}
	if db.Dialect() == store.Postgres {
		exec("ANALYZE response_values")
	}
	return 1
}
