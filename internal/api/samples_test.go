package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestSampleAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, base, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, base, store.RoleAdmin)
		var csv strings.Builder
		csv.WriteString("street,community,household\n")
		for _, st := range []string{"A", "B"} {
			for c := range 5 {
				for h := range 30 {
					csv.WriteString(st + ",c" + string(rune('0'+c)) + "," + st + string(rune('a'+h%26)) + string(rune('0'+h/26)) + "\n")
				}
			}
		}
		if status, body := servertest.Upload(t, admin, base, "f.csv", csv.String(), nil); status != http.StatusCreated {
			t.Fatalf("upload = %d %s", status, body)
		}
		res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"mock","design":"two-stage","n":40,"per_community":10,"reserves":2,"seed":"7"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("draw = %d %+v", res.StatusCode, eb)
		}
		res, eb = servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"bad","design":"two-stage","n":0}`)
		if res.StatusCode != 422 || eb.Error.Fields["n"] == "" {
			t.Fatalf("bad spec = %d %+v", res.StatusCode, eb)
		}
		res, eb = servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"mock","design":"srs","n":4}`)
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("duplicate = %d %+v", res.StatusCode, eb)
		}
		status, body := servertest.Get(t, admin, base+"/api/v1/samples/mock")
		if status != 200 || !strings.Contains(string(body), `"seed":"7"`) || !strings.Contains(string(body), `"streets"`) {
			t.Fatalf("get = %d %s", status, body)
		}
		status, body = servertest.Get(t, admin, base+"/api/v1/samples/mock/households?format=csv")
		if status != 200 || strings.Count(string(body), "\n") != 1+40+8 {
			t.Fatalf("csv = %d, %d lines", status, strings.Count(string(body), "\n"))
		}

		// A supervisor of street A sees only street A's households.
		st, err := db.StreetByName(context.Background(), "A")
		if err != nil {
			t.Fatal(err)
		}
		h, _ := auth.HashPassword("password-supervisor")
		if _, err := db.CreateUser(context.Background(), store.NewUser{Username: "supervisor", Role: store.RoleSupervisor, StreetID: &st.ID, PasswordHash: h}, store.CLI); err != nil {
			t.Fatal(err)
		}
		sup := servertest.Login(t, base, store.RoleSupervisor)
		status, body = servertest.Get(t, sup, base+"/api/v1/samples/"+url.PathEscape("mock")+"/households")
		var out struct {
			Households []struct{ Street string }
		}
		json.Unmarshal(body, &out)
		if status != 200 || len(out.Households) != 24 {
			t.Fatalf("supervisor listing = %d, %d households", status, len(out.Households))
		}
		for _, h := range out.Households {
			if h.Street != "A" {
				t.Fatalf("supervisor of A sees %q", h.Street)
			}
		}

		status, body = servertest.Get(t, sup, base+"/api/v1/sample-size?margin=0.05&p=0.5")
		if status != 200 || !strings.Contains(string(body), `"streets"`) {
			t.Fatalf("size = %d %s", status, body)
		}
		status, body = servertest.Get(t, sup, base+"/api/v1/sample-size?margin=abc")
		if status != 422 || !strings.Contains(string(body), `"margin"`) {
			t.Fatalf("bad size = %d %s", status, body)
		}
		interviewer := servertest.Login(t, base, store.RoleInterviewer)
		if status, _ := servertest.Get(t, interviewer, base+"/api/v1/samples"); status != http.StatusForbidden {
			t.Fatalf("interviewer list = %d", status)
		}
	})
}
