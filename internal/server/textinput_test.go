package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// Every text entry point of the API refuses invalid UTF-8 and control
// characters with a 422 naming the field, on both databases: before the
// fix a NUL gave a 500 on PostgreSQL and was stored on SQLite.
func TestTextInputRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, base, store.RoleAdmin)
		anon := servertest.Client(t)
		type req struct {
			name   string
			c      *http.Client
			method string
			path   string
			ctype  string
			body   string
			field  string
		}
		reqs := []req{
			{"login name with NUL", anon, "POST", "/api/v1/login", "application/json", `{"username":"ad\u0000min","password":"x"}`, "username"},
			{"login name invalid UTF-8", anon, "POST", "/api/v1/login", "application/json", "{\"username\":\"ad\xffmin\",\"password\":\"x\"}", "username"},
			{"sample name with escape", admin, "POST", "/api/v1/samples", "application/json", `{"name":"a\u001bb","n":10}`, "name"},
			{"prior street with NUL", admin, "POST", "/api/v1/samples", "application/json", `{"name":"a","n":10,"priors":{"城\u0000关":0.5}}`, "priors.城\x00关"},
			{"path slug with NUL", admin, "GET", "/api/v1/surveys/a%00b", "", "", "slug"},
			{"path sample invalid UTF-8", admin, "GET", "/api/v1/samples/a%FFb", "", "", "name"},
			{"path sample escaped twice", admin, "GET", "/api/v1/samples/a%2500b", "", "", "name"},
			{"query with NUL", admin, "GET", "/api/v1/sample-size?margin=0.05%00", "", "", "margin"},
			{"query invalid UTF-8", admin, "GET", "/api/v1/rounds/1/estimates?by=%C3", "", "", "by"},
			{"form value with NUL", anon, "POST", "/api/v1/logout", "application/x-www-form-urlencoded", "x=a%00b", "x"},
			{"publish slug with control", admin, "POST", "/api/v1/surveys/a%07b/publish", "", "", "slug"},
		}
		for _, r := range reqs {
			t.Run(r.name, func(t *testing.T) {
				hr, err := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
				if err != nil {
					t.Fatal(err)
				}
				if r.ctype != "" {
					hr.Header.Set("Content-Type", r.ctype)
				}
				res, err := r.c.Do(hr)
				if err != nil {
					t.Fatal(err)
				}
				eb := servertest.DecodeError(t, res)
				if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields[r.field] == "" {
					t.Fatalf("%s %s = %d %+v, want 422 naming %q", r.method, r.path, res.StatusCode, eb, r.field)
				}
			})
		}

		// Multipart fields, the file name and the register's cells.
		for _, tc := range []struct {
			name, file, content string
			fields              map[string]string
			want                string
		}{
			{"sheet with NUL", "f.csv", "street,community,household\nS,C,1\n", map[string]string{"sheet": "a\x00"}, `"sheet"`},
			{"file name with NUL", "f\x00.csv", "street,community,household\nS,C,1\n", nil, `"file"`},
			{"register cell with NUL", "f.csv", "street,community,household\nS,C,1\nS,C\x00,2\n", nil, `"line":3`},
			{"register street with override", "f.csv", "street,community,household\nS\u202e,C,1\n", nil, `"line":2`},
		} {
			status, body := servertest.Upload(t, admin, base, tc.file, tc.content, tc.fields)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), tc.want) || strings.Contains(string(body), "pq:") {
				t.Errorf("%s: upload = %d %s, want 422 with %s", tc.name, status, body, tc.want)
			}
		}
		if fs, err := db.Frames(t.Context()); err != nil || len(fs) != 0 {
			t.Fatalf("frames after refused uploads: %v, %v", fs, err)
		}
		// Questionnaire files: the line of the bad character.
		for _, body := range []string{"id: t\ntitle: {zh-CN: 测\x00试, en: T}\n", "id: t\ntitle: {zh-CN: \"测\\u0007试\", en: T}\n", "id: t\ntitle: \xff\n"} {
			res, b := servertest.Send(t, admin, "POST", base+"/api/v1/surveys", "application/yaml", body, nil)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"line":2`) {
				t.Errorf("questionnaire %q = %d %s, want 422 at line 2", body, res.StatusCode, b)
			}
		}
		// ADMIN logs in as admin: usernames are compared without case.
		res, eb := servertest.PostJSON(t, servertest.Client(t), base+"/api/v1/login", `{"username":"ADMIN","password":"password-admin"}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("login as ADMIN = %d %+v", res.StatusCode, eb)
		}
	})
}
