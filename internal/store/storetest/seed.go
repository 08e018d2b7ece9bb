package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// SeedDefinition is the questionnaire of SeedRound: three rates, a score
// and a composite index of the rates.
const SeedDefinition = `id: seed
title: {zh-CN: 测试问卷, en: Test questionnaire}
sections:
  - id: s
    title: {zh-CN: 问题, en: Questions}
    questions:
      - {code: A1, type: yes_no, required: true, label: {zh-CN: 您是否知道创城, en: Aware of the campaign}}
      - {code: B1, type: yes_no, required: true, label: {zh-CN: 您是否支持, en: Supports it}}
      - {code: C1, type: yes_no, required: true, label: {zh-CN: 您是否参加过, en: Took part}}
      - {code: D1, type: satisfaction, required: true, label: {zh-CN: 您是否满意, en: Satisfied}}
indicators:
  - {id: aware, kind: rate, role: awareness, question: A1, positive: [1], dont_know: negative, target: 0.9, label: {zh-CN: 知晓率, en: Awareness}}
  - {id: support, kind: rate, role: support, question: B1, positive: [1], dont_know: negative, label: {zh-CN: 支持率, en: Support}}
  - {id: join, kind: rate, role: participation, question: C1, positive: [1], dont_know: negative, label: {zh-CN: 参与率, en: Participation}}
  - {id: score, kind: score, question: D1, scores: {1: 100, 2: 80, 3: 60, 4: 40, 5: 20}, dont_know: excluded, target: 60, label: {zh-CN: 满意度得分, en: Satisfaction score}}
composite: {label: {zh-CN: 综合指数, en: Composite index}, weights: {aware: 0.4, support: 0.3, join: 0.3}, target: 0.7}
`

// SeedRound writes a synthetic round (id 1) of n accepted responses
// straight into the tables, with portable SQL (recursive CTEs): strata
// streets named 街道1…, psus communities (社区1…; community c in street
// (c−1) % strata + 1), base weights 20–26, and the four indicators of
// SeedDefinition per response: the rates "aware" (5 % missing, about 0.8
// with a street effect), "support" and "join", and "score" (20–100, 10 %
// missing). It is for tests and benchmarks of estimation, which read only
// response_values; fieldwork writes the same rows one response at a time.
func SeedRound(t testing.TB, db *store.DB, n, strata, psus int) int64 {
	t.Helper()
	def, err := questionnaire.Parse("seed.yaml", []byte(SeedDefinition))
	if err != nil {
		t.Fatal(err)
	}
	canon, err := def.CanonicalJSON()
	if err != nil {
		t.Fatal(err)
	}
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
	exec(`INSERT INTO questionnaires (id, slug, title, created_at) VALUES (1, 'seed', '{"zh-CN":"seed","en":"seed"}', ?)`, ts)
	exec("INSERT INTO questionnaire_versions (id, questionnaire_id, version, status, definition, source, content_hash, created_at) VALUES (1, 1, 1, 'published', ?, ?, 'h', ?)", string(canon), SeedDefinition, ts)
	exec("INSERT INTO frames (id, version, source_name, source_sha256, households, created_at) VALUES (1, 1, 'seed', '', ?, ?)", n, ts)
	exec(seq(strata)+"INSERT INTO streets (id, code, name, created_at) SELECT i, 'S' || i, '街道' || i, ? FROM seq", ts)
	exec(seq(psus)+"INSERT INTO communities (id, street_id, code, name, created_at) SELECT i, ((i - 1) % ?) + 1, 'C' || i, '社区' || i, ? FROM seq", strata, ts)
	exec(seq(n)+"INSERT INTO households (id, frame_id, street_id, community_id, household_key, line) SELECT i, 1, ((i % ?) % ?) + 1, (i % ?) + 1, 'H' || i, i + 1 FROM seq", psus, strata, psus)
	exec("INSERT INTO samples (id, name, frame_id, kind, design, seed, households, created_at) VALUES (1, 's', 1, 'two-stage', '{}', '1', ?, ?)", n, ts)
	exec("INSERT INTO rounds (id, name, questionnaire_version_id, sample_id, created_at) VALUES (1, 'seeded round', 1, 1, ?)", ts)
	exec("INSERT INTO sample_units (id, sample_id, household_id, street_id, community_id, psu, prob1, prob2, prob, base_weight) " +
		"SELECT id, 1, id, street_id, community_id, community_id, 0.5, 0.1, 0.05, 20 + (id % 7) FROM households")
	exec("INSERT INTO assignments (id, round_id, sample_unit_id, status, disposition, created_at, updated_at) SELECT id, 1, id, 'final', 'complete', ?, ? FROM sample_units", ts, ts)
	exec("INSERT INTO responses (id, assignment_id, round_id, questionnaire_version_id, client_id, status, answers, received_at) "+
		"SELECT id, id, 1, 1, 'c' || id, 'accepted', '{}', ? FROM assignments", ts)
	// A multiplicative hash of the id gives a fixed pseudo-random number in
	// [0, 1000) per response and indicator.
	value := map[string]string{
		"aware":   "CASE WHEN %[1]s < 50 THEN NULL WHEN %[1]s < 250 + 20 * su.street_id THEN 0 ELSE 1 END",
		"support": "CASE WHEN %[1]s < 30 THEN NULL WHEN %[1]s < 400 - 10 * su.street_id THEN 0 ELSE 1 END",
		"join":    "CASE WHEN %[1]s < 30 THEN NULL WHEN %[1]s < 402 - 10 * su.street_id THEN 0 ELSE 1 END",
		"score":   "CASE WHEN (%[1]s %% 10) = 3 THEN NULL ELSE 20 * (1 + (%[1]s %% 5)) END",
	}
	for i, ind := range []string{"aware", "support", "join", "score"} {
		h := fmt.Sprintf("((r.id * %d) %% 1000)", []int{2654435761, 40503, 40505, 2654435761}[i])
		exec("INSERT INTO response_values (response_id, indicator, value, round_id, street_id, psu, community_id, weight) " +
			"SELECT r.id, '" + ind + "', " + fmt.Sprintf(value[ind], h) + ", 1, su.street_id, su.psu, su.community_id, su.base_weight " +
			"FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id")
	}
	// The per-PSU sums estimates read, as fieldwork keeps them.
	if err := db.RebuildSums(context.Background(), store.System, 1, nil); err != nil {
		t.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		exec("VACUUM ANALYZE response_values") // as autovacuum leaves a settled table
		exec("VACUUM ANALYZE psu_sums")
	}
	return 1
}

// SeedFieldwork gives SeedRound's round the fieldwork rows a dashboard
// counts: the assignments' street and community (SeedRound leaves them
// out), perStreet interviewers per street (users iv<street>_<k>, with
// passwordHash), each assignment given to one of its street's
// interviewers and settled by one visit (attempted over 20 days, 09:00–
// 20:00 in UTC+8; 1 in 5 assignments took two visits), the responses'
// interviewer and times, and 1 in 200 responses flagged and waiting for
// review. Like SeedRound it writes the tables directly.
func SeedFieldwork(t testing.TB, db *store.DB, round int64, perStreet int, passwordHash string) {
	t.Helper()
	w := db.Writer()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(w.Rebind(q), args...); err != nil {
			t.Fatalf("seed fieldwork: %v\n%s", err, q)
		}
	}
	ts := time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC) // 09:00 in UTC+8
	var streets int
	if err := w.Get(&streets, "SELECT COUNT(*) FROM streets"); err != nil {
		t.Fatal(err)
	}
	// Interviewers get ids from 1000 on: street s, k-th: 1000 + s*perStreet + k.
	exec(fmt.Sprintf("WITH RECURSIVE seq(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM seq WHERE i < %d) ", perStreet, (streets+1)*perStreet-1)+
		"INSERT INTO users (id, username, display_name, role, street_id, password_hash, created_at) "+
		"SELECT 1000 + i, 'iv' || (i / ?) || '_' || (i % ?), 'iv' || i, 'interviewer', i / ?, ?, ? FROM seq",
		perStreet, perStreet, perStreet, passwordHash, ts)
	// One statement (each row change runs the assignments' count triggers
	// once): street, community and base weight from the sample unit, an
	// interviewer of the street, a visit on day id % 20, hour (id / 20) % 12,
	// minute id % 60.
	at := "datetime(?, '+' || (id % 20) || ' days', '+' || ((id / 20) % 12) || ' hours', '+' || (id % 60) || ' minutes')"
	if db.Dialect() == store.Postgres {
		at = "(CAST(? AS TIMESTAMPTZ) + (id % 20) * INTERVAL '1 day' + ((id / 20) % 12) * INTERVAL '1 hour' + (id % 60) * INTERVAL '1 minute')"
	}
	su := func(col string) string {
		return "(SELECT su." + col + " FROM sample_units su WHERE su.id = assignments.sample_unit_id)"
	}
	exec(fmt.Sprintf("UPDATE assignments SET street_id = %s, community_id = %s, base_weight = %s, "+
		"interviewer_id = 1000 + %s * %d + (id %% %d), assigned_at = ?, category = 'I', "+
		"contacted = true, attempts = CASE WHEN id %% 5 = 0 THEN 2 ELSE 1 END, last_outcome = 'complete', "+
		"last_visit_at = %s WHERE round_id = ?", su("street_id"), su("community_id"), su("base_weight"), su("street_id"), perStreet, perStreet, at), ts, ts, round)
	exec("INSERT INTO visits (assignment_id, client_id, interviewer_id, attempted_at, outcome, note, received_at) "+
		"SELECT id, 'v' || id, interviewer_id, last_visit_at, 'complete', '', last_visit_at FROM assignments WHERE round_id = ?", round)
	exec("INSERT INTO visits (assignment_id, client_id, interviewer_id, attempted_at, outcome, note, received_at) "+
		"SELECT id, 'w' || id, interviewer_id, ?, 'not_home', '', ? FROM assignments WHERE round_id = ? AND attempts = 2", ts, ts, round)
	exec("UPDATE responses SET interviewer_id = (SELECT a.interviewer_id FROM assignments a WHERE a.id = responses.assignment_id), "+
		"started_at = (SELECT a.last_visit_at FROM assignments a WHERE a.id = responses.assignment_id), "+
		"completed_at = (SELECT a.last_visit_at FROM assignments a WHERE a.id = responses.assignment_id), "+
		"flags = CASE WHEN id % 200 = 7 THEN '[{\"code\":\"too_fast\",\"detail\":\"seed\"}]' ELSE '[]' END WHERE round_id = ?", round)
	if db.Dialect() == store.Postgres {
		exec("VACUUM ANALYZE assignments")
		exec("VACUUM ANALYZE visits")
		exec("VACUUM ANALYZE responses")
	}
}
