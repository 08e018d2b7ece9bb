package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Every number of the API has a range: outside it the answer is a 422
// naming the field (or a 404 for an id in the path), never a 500 or an
// Inf in the JSON; a value given is never replaced by a default.
func TestNumbersOutOfRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, base, store.RoleAdmin)
		var csv strings.Builder
		csv.WriteString("street,community,household\n")
		for i := range 300 {
			csv.WriteString("S" + string(rune('A'+i%3)) + ",C" + string(rune('a'+i%12)) + "," + strings.Repeat("x", 1+i/26) + string(rune('a'+i%26)) + "\n")
		}
		if status, body := servertest.Upload(t, admin, base, "f.csv", csv.String(), nil); status != http.StatusCreated {
			t.Fatalf("upload = %d %s", status, body)
		}
		for _, tc := range []struct{ query, field string }{
			{"margin=1e-300", "margin"},
			{"margin=0", "margin"},
			{"margin=-0.05", "margin"},
			{"margin=NaN", "margin"},
			{"margin=Inf", "margin"},
			{"margin=0.05&confidence=1", "confidence"},
			{"margin=0.05&confidence=0", "confidence"},
			{"margin=0.05&p=0", "p"},
			{"margin=0.05&p=1", "p"},
			{"margin=0.05&deff=0", "deff"},
			{"margin=0.05&deff=1e308", "deff"},
			{"margin=0.05&response_rate=0", "response_rate"},
			{"margin=0.05&response_rate=1e-300", "response_rate"},
			{"margin=0.05&population=0", "population"},
			{"margin=0.05&population=-3", "population"},
			{"margin=0.05&population=1.5", "population"},
			{"margin=0.05&population=99999999999999", "population"},
			{"margin=0.05&frame=0", "frame"},
			{"margin=0.05&frame=99999999999", "frame"},
			{"confidence=0.9", "margin"},
		} {
			res, err := admin.Get(base + "/api/v1/sample-size?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			eb := servertest.DecodeError(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields[tc.field] == "" {
				t.Errorf("sample-size?%s = %d %+v, want 422 naming %s", tc.query, res.StatusCode, eb, tc.field)
			}
		}
		for _, q := range []string{"margin=0.001&confidence=0.9999&deff=100&response_rate=0.01", "margin=0.5&confidence=0.5&deff=0.1&p=0.000001&population=1"} {
			status, body := servertest.Get(t, admin, base+"/api/v1/sample-size?"+q)
			var v map[string]any
			if status != http.StatusOK || json.Unmarshal(body, &v) != nil {
				t.Errorf("sample-size?%s = %d %s", q, status, body)
			}
		}
		for _, tc := range []struct{ body, field string }{
			{`{"name":"a","n":0}`, "n"},
			{`{"name":"a","n":-1}`, "n"},
			{`{"name":"a","n":100000000}`, "n"},
			{`{"name":"a","n":10,"per_community":0}`, "per_community"},
			{`{"name":"a","n":10,"reserves":-1}`, "reserves"},
			{`{"name":"a","n":10,"reserves":1000000000}`, "reserves"},
			{`{"name":"a","n":10,"min_per_street":-1}`, "min_per_street"},
			{`{"name":"a","n":10,"frame_version":0}`, "frame_version"},
			{`{"name":"a","n":10,"seed":"0"}`, "seed"},
			{`{"name":"a","n":10,"design":""}`, "design"},
			{`{"name":"a","n":10,"priors":{"SA":1.5}}`, "priors"},
			{`{"name":"a","n":1e400}`, "n"},
			{`{"name":"a/b","n":10}`, "name"},
			{`{"name":"../etc","n":10}`, "name"},
			{`{"name":".x","n":10}`, "name"},
			{`{"name":"a\\b","n":10}`, "name"},
		} {
			res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", tc.body)
			if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields[tc.field] == "" {
				t.Errorf("POST samples %s = %d %+v, want 422 naming %s", tc.body, res.StatusCode, eb, tc.field)
			}
		}
		for _, p := range []string{"/api/v1/frames/99999999999", "/api/v1/frames/-1", "/api/v1/surveys/x/versions/99999999999", "/api/v1/rounds/99999999999999999999/estimates"} {
			if status, body := servertest.Get(t, admin, base+p); status != http.StatusNotFound {
				t.Errorf("GET %s = %d %s, want 404", p, status, body)
			}
		}
		for _, q := range []string{"level=1", "level=0", "level=0.1", "level=NaN", "compare=0"} {
			status, body := servertest.Get(t, admin, base+"/api/v1/rounds/1/estimates?"+q)
			if status != http.StatusUnprocessableEntity {
				t.Errorf("estimates?%s = %d %s, want 422", q, status, body)
			}
		}
		// Defaults: the minimal request draws a two-stage sample of whole
		// communities and says why it has more than n; exact takes n.
		res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"minimal","n":50,"seed":"9"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("minimal draw = %d %+v", res.StatusCode, eb)
		}
		status, body := servertest.Get(t, admin, base+"/api/v1/samples/minimal")
		if status != 200 || !strings.Contains(string(body), `"design":"two-stage"`) || !strings.Contains(string(body), `"per_community":20`) {
			t.Fatalf("minimal sample = %d %s", status, body)
		}
		hres, err := admin.Post(base+"/api/v1/samples", "application/json", strings.NewReader(`{"name":"exact","n":50,"per_community":20,"exact":true,"seed":"9"}`))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Sample struct{ Households int }
			Notes  []string
		}
		json.NewDecoder(hres.Body).Decode(&out)
		hres.Body.Close()
		if hres.StatusCode != http.StatusCreated || out.Sample.Households != 50 || len(out.Notes) != 0 {
			t.Fatalf("exact draw = %d %+v", hres.StatusCode, out)
		}
	})
}
