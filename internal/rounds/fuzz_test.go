package rounds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// decodeStrict decodes a request body as the server's bindJSON does: one
// object, no unknown fields, nothing after it.
func decodeStrict(data []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil && !dec.More()
}

// allowedKinds are the only errors a submission or a sync item may answer:
// anything else (internal, unavailable) from outside input is a bug.
var allowedKinds = map[apperr.Kind]bool{apperr.Invalid: true, apperr.NotFound: true, apperr.Conflict: true, apperr.Forbidden: true}

// FuzzSubmissionJSON feeds arbitrary bytes, decoded as the server decodes
// the bodies of POST /api/v1/responses and POST /api/v1/sync, through
// Service.Submit and Service.Sync against a fixture database: they must
// not panic, and may fail only as Invalid, NotFound, Conflict or
// Forbidden. who picks the caller (interviewers and supervisors of both
// streets, an admin). In the fixture, assignments 1–6 are int1a's (street
// 1), 7–12 street 2's and unassigned; the round uses version 1.
func FuzzSubmissionJSON(f *testing.F) {
	seeds := []string{
		// valid, then its resend and a conflicting one
		`{"client_id":"40000000-0000-4000-8000-000000000001","assignment_id":1,"questionnaire_version":1,"answers":` + fieldtest.Answers(true, true, [4]int{1, 2, 1, 2}) + `}`,
		`{"client_id":"40000000-0000-4000-8000-000000000001","assignment_id":1,"questionnaire_version":1,"answers":` + fieldtest.Answers(false, true, [4]int{1, 2, 1, 2}) + `}`,
		`{"client_id":"40000000-0000-4000-8000-000000000002","assignment_id":2,"questionnaire_version":1,"answers":{"S1":2},"started_at":"2026-11-20T19:00:00+08:00","completed_at":"2026-11-20T19:05:00+08:00","device_id":"pad-7","app_version":"1.0","gps":{"lat":31.2,"lon":121.4,"accuracy_m":8}}`,
		`{"client_id":"40000000-0000-4000-8000-000000000003","assignment_id":3,"questionnaire_version":1,"answers":` + fieldtest.Answers(true, false, [4]int{3, 3, 3, 3}) + `,"supersedes":1}`,
		// invalid
		`{"client_id":"not-a-uuid","assignment_id":-1,"questionnaire_version":0,"answers":[]}`,
		`{"client_id":"40000000-0000-4000-8000-000000000004","assignment_id":4,"questionnaire_version":2,"answers":{"S1":1,"A1":9,"ZZ":"x"}}`,
		`{"client_id":"40000000-0000-4000-8000-000000000005","assignment_id":9,"questionnaire_version":1,"answers":{"S1":1},"gps":{"lat":91,"lon":-181,"accuracy_m":-1}}`,
		`{"client_id":"40000000-0000-4000-8000-000000000006","assignment_id":999999,"questionnaire_version":1,"answers":{},"started_at":"1999-01-01T00:00:00Z"}`,
		`{"client_id":"40000000-0000-4000-8000-000000000007","assignment_id":5,"questionnaire_version":1,"answers":{"S1":1e308,"A1":-0.5,"B1":null}}`,
		`{"client_id":"40000000-0000-4000-8000-000000000008","assignment_id":9223372036854775807,"questionnaire_version":2147483647,"answers":"x","supersedes":-3}`,
		`{"answers":{"S1":1},"admin":true}`,
		`{"client_id":"40000000-0000-4000-8000-000000000009"} {"x":1}`,
		`[1,2,3]`,
		`null`,
		``,
		// sync batches
		`{"items":[{"type":"visit","visit":{"client_id":"40000000-0000-4000-8000-000000000010","assignment_id":6,"attempted_at":"2026-11-20T19:30:00+08:00","outcome":"no_one_home"}},` +
			`{"type":"response","response":{"client_id":"40000000-0000-4000-8000-000000000011","assignment_id":6,"questionnaire_version":1,"answers":` + fieldtest.Answers(false, false, [4]int{5, 4, 3, 2}) + `}},` +
			`{"type":"visit","visit":{"client_id":"x","assignment_id":0,"attempted_at":"2030-01-01T00:00:00Z","outcome":"party","note":"","appointment_at":"2026-11-21T10:00:00Z"}},` +
			`{"type":"response"},{"type":"visit","visit":{},"response":{}},{}]}`,
		`{"items":[{"type":"visit","visit":{"client_id":"40000000-0000-4000-8000-000000000012","assignment_id":7,"attempted_at":"2026-11-20T19:30:00+08:00","outcome":"appointment","appointment_at":"2026-11-22T10:00:00+08:00","gps":{"lat":0,"lon":0}}}]}`,
		`{"items":null}`,
		`{"items":[{"type":"response","response":{"client_id":"40000000-0000-4000-8000-000000000013","assignment_id":1,"questionnaire_version":1,"answers":{"S1":1},"unknown":1}}]}`,
	}
	for i, s := range seeds {
		f.Add(byte(i), []byte(s))
	}

	type fixture struct {
		svc     *rounds.Service
		callers []rounds.Caller
	}
	var fixtures []fixture
	for _, d := range storetest.Dialects(f) {
		fx := fieldtest.New(f, storetest.Open(f, d), fieldtest.Small)
		fx.AssignStreet(f, 1)
		as, err := fx.Service.Assignments(context.Background(), fx.Caller("int1a"), fx.Round.ID, store.AssignmentFilter{})
		if err != nil || len(as) != 6 || fx.Round.QuestionnaireVersion != 1 {
			f.Fatalf("%s: the fixture changed (int1a has %d assignments, %v): update the seeds", d, len(as), err)
		}
		for _, a := range as {
			if a.ID < 1 || a.ID > 6 {
				f.Fatalf("%s: the fixture changed (int1a has assignment %d): update the seeds", d, a.ID)
			}
		}
		var cs []rounds.Caller
		for _, u := range []string{"int1a", "int1b", "int2a", "sup1", "sup2", "admin"} {
			cs = append(cs, fx.Caller(u))
		}
		fixtures = append(fixtures, fixture{fx.Service, cs})
	}

	f.Fuzz(func(t *testing.T, who byte, data []byte) {
		ctx := context.Background()
		for _, fx := range fixtures {
			c := fx.callers[int(who)%len(fx.callers)]
			check := func(what string, err error) {
				if err != nil && !allowedKinds[apperr.KindOf(err)] {
					t.Fatalf("%s as %s: %v answered %s: %v", what, c.User.Username, string(data), apperr.KindOf(err), err)
				}
			}
			var req rounds.ResponseRequest
			if decodeStrict(data, &req) {
				_, err := fx.svc.Submit(ctx, c, req)
				check("submit", err)
			}
			var batch rounds.SyncRequest
			if decodeStrict(data, &batch) {
				res, err := fx.svc.Sync(ctx, c, batch, func(err error) int {
					check("sync item", err)
					return http.StatusUnprocessableEntity
				})
				check("sync", err)
				if err == nil && len(res) != len(batch.Items) {
					t.Fatalf("sync of %d items answered %d results", len(batch.Items), len(res))
				}
			}
		}
	})
}
