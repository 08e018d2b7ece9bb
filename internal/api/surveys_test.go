package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
)

func TestSurveyAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, url, store.RoleAdmin)
		analyst := servertest.Login(t, url, store.RoleAnalyst)
		src, def := servertest.ShippedSurvey(t)
		hash1, _ := def.ContentHash()
		canonical1, _ := def.CanonicalJSON()
		api := url + "/api/v1/surveys"

		// Writes are for admins; an unknown body type is refused.
		if res, _ := servertest.Send(t, analyst, "POST", api, "application/yaml", src, nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst import = %d", res.StatusCode)
		}
		if res, _ := servertest.Send(t, admin, "POST", api, "text/plain", src, nil); res.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("text/plain import = %d", res.StatusCode)
		}
		if res, _ := servertest.Send(t, servertest.Client(t), "GET", api, "", "", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous list = %d", res.StatusCode)
		}

		// A broken definition: 422 with every problem and its line.
		broken := strings.Replace(src, "        type: single_choice\n        required: true\n        label:\n          zh-CN: 您是否知道",
			"        type: single_choice\n        required: maybe\n        label:\n          zh-CN: 您是否知道", 1)
		wantLine := strings.Count(broken[:strings.Index(broken, "required: maybe")], "\n") + 1
		for _, path := range []string{api, api + "/validate"} {
			res, body := servertest.Send(t, admin, "POST", path, "application/yaml", broken, nil)
			var eb struct {
				Error struct {
					Code    string
					Details survey.ProblemList
				}
			}
			if err := json.Unmarshal(body, &eb); err != nil || res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Code != "invalid" {
				t.Fatalf("%s broken = %d %s", path, res.StatusCode, body)
			}
			ps := eb.Error.Details.Problems
			if len(ps) != 1 || ps[0].Line != wantLine || ps[0].Column == 0 || ps[0].File != "definition.yaml" || ps[0].Path == "" {
				t.Fatalf("%s problems = %+v, want one at line %d", path, ps, wantLine)
			}
		}
		// Two problems: the headline counts them, in the request's language
		// (?lang= is remembered in a cookie: English last, as the rest asks).
		broken2 := strings.Replace(broken, "required: true", "required: perhaps", 1)
		for _, c := range [][2]string{{"zh-CN", "definition.yaml 有 2 处问题"}, {"en", "definition.yaml has 2 problems"}} {
			lang, want := c[0], c[1]
			res, body := servertest.Send(t, admin, "POST", api+"/validate?lang="+lang, "application/yaml", broken2, nil)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"message":"`+want+`"`) {
				t.Fatalf("two problems (%s) = %d %s", lang, res.StatusCode, body)
			}
		}
		res, body := servertest.Send(t, analyst, "POST", api+"/validate", "text/yaml", src, nil)
		var valid struct {
			Valid       bool   `json:"valid"`
			Slug        string `json:"slug"`
			Questions   int    `json:"questions"`
			ContentHash string `json:"content_hash"`
		}
		if json.Unmarshal(body, &valid); res.StatusCode != 200 || !valid.Valid || valid.Slug != "wenming-household" || valid.Questions != 19 || valid.ContentHash != hash1 {
			t.Fatalf("validate = %d %s", res.StatusCode, body)
		}
		res, body = servertest.Send(t, analyst, "GET", api, "", "", nil)
		if res.StatusCode != 200 || !strings.Contains(string(body), `"surveys":[]`) {
			t.Fatalf("validate stored something: %s", body)
		}

		// Import the YAML: a draft, not yet servable as latest.
		res, body = servertest.Send(t, admin, "POST", api, "application/yaml; charset=utf-8", src, nil)
		var v store.QuestionnaireVersion
		if json.Unmarshal(body, &v); res.StatusCode != http.StatusCreated || v.Slug != "wenming-household" || v.Status != "draft" || v.ContentHash != hash1 {
			t.Fatalf("import = %d %s", res.StatusCode, body)
		}
		version := api + "/wenming-household/versions/"
		if res, _ := servertest.Send(t, analyst, "GET", version+"latest", "", "", nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("latest before publishing = %d", res.StatusCode)
		}
		res, body = servertest.Send(t, analyst, "GET", version+"draft", "", "", nil)
		if res.StatusCode != 200 || res.Header.Get("ETag") != `"`+hash1+`"` || string(body) != string(canonical1) {
			t.Fatalf("draft = %d %s", res.StatusCode, res.Header)
		}

		// Publish: analysts may not; admins get version 1.
		if res, _ := servertest.Send(t, analyst, "POST", api+"/wenming-household/publish", "", "", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("analyst publish = %d", res.StatusCode)
		}
		res, body = servertest.Send(t, admin, "POST", api+"/wenming-household/publish", "", "", nil)
		if json.Unmarshal(body, &v); res.StatusCode != 200 || v.Version != 1 || v.Status != "published" {
			t.Fatalf("publish = %d %s", res.StatusCode, body)
		}
		res, body = servertest.Send(t, admin, "POST", api+"/wenming-household/publish", "", "", nil)
		if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "no draft") {
			t.Fatalf("publish without a draft = %d %s", res.StatusCode, body)
		}

		// The tablet's download: canonical JSON, ETag, revalidation.
		res, body = servertest.Send(t, analyst, "GET", version+"latest", "", "", nil)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || etag != `"`+hash1+`"` || string(body) != string(canonical1) ||
			res.Header.Get("Cache-Control") != "private, max-age=0, must-revalidate" ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("X-Questionnaire-Version") != "1" {
			t.Fatalf("latest = %d %v %.80s", res.StatusCode, res.Header, body)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			res, body = servertest.Send(t, analyst, "GET", version+"latest", "", "", map[string]string{"If-None-Match": inm})
			if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
				t.Fatalf("If-None-Match %s = %d", inm, res.StatusCode)
			}
		}
		if res, _ := servertest.Send(t, analyst, "GET", version+"1", "", "", map[string]string{"If-None-Match": `"stale"`}); res.StatusCode != 200 {
			t.Fatalf("stale If-None-Match = %d", res.StatusCode)
		}

		// Re-importing the same content (here as JSON) is refused.
		res, body = servertest.Send(t, admin, "POST", api, "application/json", string(canonical1), nil)
		if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "identical to published version 1") {
			t.Fatalf("identical import = %d %s", res.StatusCode, body)
		}

		// A changed definition as JSON: a new draft; latest stays version 1.
		changed := strings.Replace(string(canonical1), `"target":0.9`, `"target":0.95`, 1)
		if changed == string(canonical1) {
			t.Fatal("test setup: no target to change")
		}
		res, body = servertest.Send(t, admin, "POST", api, "application/json", changed, nil)
		if json.Unmarshal(body, &v); res.StatusCode != http.StatusCreated || v.Status != "draft" {
			t.Fatalf("import JSON = %d %s", res.StatusCode, body)
		}
		draftETag := `"` + v.ContentHash + `"`
		res, _ = servertest.Send(t, analyst, "GET", version+"draft", "", "", map[string]string{"If-None-Match": etag})
		if res.StatusCode != 200 || res.Header.Get("ETag") != draftETag || draftETag == etag || res.Header.Get("X-Questionnaire-Status") != "draft" {
			t.Fatalf("draft after change = %d %s", res.StatusCode, res.Header.Get("ETag"))
		}
		if res, _ := servertest.Send(t, analyst, "GET", version+"latest", "", "", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
			t.Fatalf("latest changed by a draft: %d", res.StatusCode)
		}
		servertest.Send(t, admin, "POST", api+"/wenming-household/publish", "", "", nil)
		res, _ = servertest.Send(t, analyst, "GET", version+"latest", "", "", map[string]string{"If-None-Match": etag})
		if res.StatusCode != 200 || res.Header.Get("ETag") != draftETag || res.Header.Get("X-Questionnaire-Version") != "2" {
			t.Fatalf("latest after publishing version 2 = %d %s", res.StatusCode, res.Header.Get("ETag"))
		}
		res, body = servertest.Send(t, analyst, "GET", version+"1", "", "", nil)
		if res.StatusCode != 200 || string(body) != string(canonical1) {
			t.Fatalf("version 1 after version 2 = %d", res.StatusCode)
		}

		// Reads: the list and the versions of one questionnaire.
		res, body = servertest.Send(t, analyst, "GET", api+"/wenming-household", "", "", nil)
		var one struct {
			Survey   store.Questionnaire
			Versions []store.QuestionnaireVersion
		}
		if json.Unmarshal(body, &one); res.StatusCode != 200 || one.Survey.Latest != 2 || len(one.Versions) != 2 || one.Versions[0].Version != 2 {
			t.Fatalf("versions = %d %s", res.StatusCode, body)
		}
		for path, want := range map[string]int{
			version + "3":            http.StatusNotFound,
			version + "abc":          http.StatusNotFound,
			api + "/nope":            http.StatusNotFound,
			api + "/nope/versions/1": http.StatusNotFound,
		} {
			if res, _ := servertest.Send(t, analyst, "GET", path, "", "", nil); res.StatusCode != want {
				t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
			}
		}
		if res, _ := servertest.Send(t, admin, "POST", api+"/nope/publish", "", "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("publish unknown = %d", res.StatusCode)
		}

		// Imports and publications are audited.
		log, err := db.AuditLog(context.Background(), 50)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range log {
			if e.ObjectID == "wenming-household" {
				counts[e.Action]++
				if e.Username != "admin" {
					t.Errorf("audit %s by %q", e.Action, e.Username)
				}
			}
		}
		if counts["survey.import"] != 2 || counts["survey.publish"] != 2 {
			t.Fatalf("audit = %v", counts)
		}
	})
}
