package office_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// surveyPages starts a field server on SQLite with the shipped
// questionnaires and an office browser logged in as who: the setup of the
// questionnaire pages' browser tests (the editor, the test fill).
func surveyPages(t *testing.T, who string) (*store.DB, *servertest.OfficeUI) {
	t.Helper()
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	if _, err := survey.EnsureShipped(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login(who)
	return db, u
}

// edField is the editor's input of a definition path
// (sections[2].questions[0].label.zh-CN).
func edField(path string) string { return `#ed-form [data-path="` + path + `"]` }

// edReplace focuses a field, selects its text and types over it, as a
// person does, until the field holds text.
func edReplace(sel, text string) chromedp.Action {
	return chromedp.Tasks{
		webtest.WaitJS(`((el) => { if (!el) return false; el.focus(); el.select(); return true; })(document.querySelector(` + webtest.JSON(sel) + `))`),
		webtest.Type(sel, text),
		webtest.WaitJS(`document.querySelector(` + webtest.JSON(sel) + `).value === ` + webtest.JSON(text)),
	}
}

// edChoose picks a value in a select as a person does: the page sees a
// change event.
func edChoose(sel, value string) chromedp.Action {
	return chromedp.Tasks{
		webtest.WaitVisible(sel),
		webtest.WaitJS(`((s) => { s.value = ` + webtest.JSON(value) + `; s.dispatchEvent(new Event("change", { bubbles: true })); return s.value === ` + webtest.JSON(value) + `; })(document.querySelector(` + webtest.JSON(sel) + `))`),
	}
}
