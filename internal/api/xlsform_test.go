package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func TestXLSFormAPI(t *testing.T) {
	example, err := os.ReadFile("../../surveys/examples/xlsform-example.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, url, _ := servertest.NewTestServer(t, db)
		admin := servertest.Login(t, url, store.RoleAdmin)
		analyst := servertest.Login(t, url, store.RoleAnalyst)
		api := url + "/api/v1/surveys/xlsform"

		if status, _ := servertest.UploadTo(t, analyst, api, "q.xlsx", string(example), nil); status != http.StatusForbidden {
			t.Fatalf("analyst upload = %d", status)
		}
		// Not a workbook: 422 with the problem, nothing stored.
		status, body := servertest.UploadTo(t, admin, api, "q.xlsx", "id: x\n", nil)
		var eb struct {
			Error struct {
				Code    string
				Details struct {
					Problems xlsform.Problems
					Total    int
				}
			}
		}
		if err := json.Unmarshal(body, &eb); err != nil || status != http.StatusUnprocessableEntity || eb.Error.Details.Total != 1 ||
			!strings.Contains(eb.Error.Details.Problems[0].MessageZH, "XLSX") {
			t.Fatalf("not a workbook = %d %s", status, body)
		}
		// Over 20 MB: 413 stating the limit.
		status, body = servertest.UploadTo(t, admin, api, "big.xlsx", strings.Repeat("x", xlsform.MaxSize+1), nil)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "20 MB") {
			t.Fatalf("big upload = %d %s", status, body)
		}
		if qs, _ := db.Questionnaires(t.Context()); len(qs) != 0 {
			t.Fatalf("stored after refusals: %+v", qs)
		}

		// The example: a draft, with the codes given to yes and no.
		status, body = servertest.UploadTo(t, admin, api, "街道.xlsx", string(example), nil)
		var got struct {
			Slug, Status string
			Codes        []xlsform.AssignedCode
			Warnings     []xlsform.Problem
		}
		if err := json.Unmarshal(body, &got); err != nil || status != http.StatusCreated || got.Slug != "street-satisfaction" || got.Status != "draft" || len(got.Codes) != 2 {
			t.Fatalf("example = %d %s", status, body)
		}
		var hashOf struct {
			ContentHash string `json:"content_hash"`
		}
		_ = json.Unmarshal(body, &hashOf)

		// Export of the draft, imported again: the same content hash.
		res, xl := servertest.Send(t, analyst, "GET", url+"/api/v1/surveys/street-satisfaction/versions/draft/xlsform", "", "", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "street-satisfaction-draft.xlsx") {
			t.Fatalf("export = %d %v", res.StatusCode, res.Header)
		}
		back, err := xlsform.Read(xl)
		if err != nil {
			t.Fatal(err)
		}
		if h, _ := back.Definition.ContentHash(); h != hashOf.ContentHash {
			t.Fatalf("exported draft imports as %s, stored %s", h, hashOf.ContentHash)
		}
		if res, _ := servertest.Send(t, analyst, "GET", url+"/api/v1/surveys/street-satisfaction/versions/7/xlsform", "", "", nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("export of a missing version = %d", res.StatusCode)
		}
	})
}
