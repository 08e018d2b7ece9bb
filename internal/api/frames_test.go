package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestFrameAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, url, store.RoleAdmin)

		status, body := servertest.Upload(t, admin, url, "bad.csv", "street,community,household\nS,C,1\nS,,2\nS,C,1\n", nil)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad upload = %d %s", status, body)
		}
		var eb struct {
			Error struct {
				Message string
				Details struct {
					Total    int
					Problems []struct {
						Line int
						Code string
					}
				}
			}
		}
		json.Unmarshal(body, &eb)
		if eb.Error.Details.Total != 2 || eb.Error.Details.Problems[0].Line != 3 || eb.Error.Details.Problems[1].Line != 4 {
			t.Fatalf("problems = %s", body)
		}

		status, body = servertest.Upload(t, admin, url, "reg.csv", "户号;村;乡镇\n1;东村;北镇\n2;东村;北镇\n", map[string]string{"encoding": "utf-8"})
		if status != http.StatusCreated || !strings.Contains(string(body), `"households":2`) {
			t.Fatalf("good upload = %d %s", status, body)
		}
		status, body = servertest.Upload(t, admin, url, "reg.csv", "x", map[string]string{"encoding": "latin-1"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), `"encoding"`) {
			t.Fatalf("bad encoding option = %d %s", status, body)
		}

		analyst := servertest.Login(t, url, store.RoleAnalyst)
		if status, _ := servertest.Upload(t, analyst, url, "reg.csv", "street,community,household\nS,C,1\n", nil); status != http.StatusForbidden {
			t.Fatalf("analyst upload = %d", status)
		}
		res, err := analyst.Get(url + "/api/v1/frames/1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), "北镇") {
			t.Fatalf("GET frame = %d %s", res.StatusCode, b)
		}
		res, _ = analyst.Get(url + "/api/v1/frames/9")
		if res.StatusCode != 404 {
			t.Fatalf("missing frame = %d", res.StatusCode)
		}
	})
}
