package office_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestXLSFormUploadInBrowser uploads a workbook with a problem (listed by
// sheet, row and column, nothing stored), then the example workbook (a
// draft, with the codes given to its choices), on /surveys.
func TestXLSFormUploadInBrowser(t *testing.T) {
	webtest.Chromium(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	before, err := db.Questionnaires(ctx)
	if err != nil {
		t.Fatal(err)
	}
	example, err := filepath.Abs("../../surveys/examples/xlsform-example.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	if err := os.WriteFile(bad, []byte("not a workbook"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	u.Open("/surveys")
	u.Run("upload a file that is not a workbook",
		chromedp.SetUploadFiles(`#xlsform-upload input[name=file]`, []string{bad}, chromedp.ByQuery),
		webtest.Click(`#xlsform-upload [type=submit]`),
		webtest.WaitVisible(`#xlsform-upload .form-alert.error .problems li`))
	if p := u.TextOf(`#xlsform-upload .form-alert`); !strings.Contains(p, "不是 XLSX 工作簿") || !strings.Contains(p, "未保存任何内容") {
		t.Errorf("problems of the bad workbook = %q", p)
	}
	if qs, _ := db.Questionnaires(ctx); len(qs) != len(before) {
		t.Fatalf("after a bad workbook: %d questionnaires, want still %d", len(qs), len(before))
	}
	u.Run("upload the example workbook",
		chromedp.SetUploadFiles(`#xlsform-upload input[name=file]`, []string{example}, chromedp.ByQuery),
		webtest.Click(`#xlsform-upload [type=submit]`),
		webtest.WaitVisible(`#xlsform-result`))
	if c := u.TextOf(`#xlsform-codes`); !strings.Contains(c, "列表 yes_no 的选项“yes”（choices 第 2 行）：代码 1") {
		t.Errorf("codes = %q", c)
	}
	u.Shot("office-xlsform-upload")
	u.Run("open the draft", webtest.Click(`#xlsform-draft`))
	u.WaitFor(`#survey-publish`)
	if h := u.TextOf(`h1`); !strings.Contains(h, "街道群众满意度调查") {
		t.Errorf("draft page title = %q", h)
	}
	var href string
	var ok bool
	u.Run("read the download link", chromedp.AttributeValue(`#survey-xlsform`, "href", &href, &ok, chromedp.ByQuery))
	if href != "/api/v1/surveys/street-satisfaction/versions/draft/xlsform" {
		t.Errorf("download link = %q", href)
	}
}
