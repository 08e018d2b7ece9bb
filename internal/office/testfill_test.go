package office_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestTestFillInBrowser test-fills the shipped four-rate questionnaire on
// its page with the tablet's engine: the skip path through A1, the
// awareness value the answers score to, and the screening end rule.
func TestTestFillInBrowser(t *testing.T) {
	_, u := surveyPages(t, "analyst")
	u.Open("/surveys/wenming-household/1")
	at := func(code string) chromedp.Action {
		return webtest.WaitJS(`document.querySelector("#test-fill").dataset.current === ` + webtest.JSON(code))
	}
	answer := func(code string, value string) {
		t.Helper()
		u.Run("answer "+code+" = "+value, at(code),
			webtest.Click(`#tf-question input[name=tf-answer][value="`+value+`"]`),
			webtest.Click(`#tf-next`))
	}
	u.Run("start", webtest.WaitJS(`document.querySelector("#test-fill")?.dataset.ready === "true"`), webtest.Click(`#tf-start`), at("S1"),
		webtest.WaitJS(`!document.querySelector("#tf-start")`))
	u.Run("next without an answer", webtest.Click(`#tf-next`), webtest.WaitVisible(`#tf-error`))
	if e := u.TextOf(`#tf-error`); e != "此题必答。" {
		t.Errorf("error = %q", e)
	}
	answer("S1", "1")
	answer("S2", "1")
	answer("A1", "1")
	u.Run("at A2", at("A2"), webtest.WaitJS(`document.querySelector('#tf-indicators tr[data-id="awareness"]').dataset.value === "1"`))
	if s := u.TextOf(`#tf-questions tr[data-code="A2"]`); !strings.Contains(s, "显示") {
		t.Errorf("A2 in the panel = %q", s)
	}
	u.Run("back to A1", webtest.Click(`#tf-back`), at("A1"))
	answer("A1", "2")
	u.Run("A2 is skipped", at("B1"),
		webtest.WaitJS(`document.querySelector('#tf-questions tr[data-code="A2"]').dataset.state === "hidden"`),
		webtest.WaitJS(`document.querySelector('#tf-indicators tr[data-id="awareness"]').dataset.value === "0"`))
	if s := u.TextOf(`#tf-questions tr[data-code="A2"]`); !strings.Contains(s, "隐藏") || !strings.Contains(s, "A1 = 1") {
		t.Errorf("A2 in the panel = %q, want hidden with its condition", s)
	}
	u.Shot("survey-test-fill")
	// Screening out: the end rule fires, nothing after S1 is asked.
	for range 3 {
		u.Run("back", webtest.Click(`#tf-back`))
	}
	answer("S1", "2")
	u.Run("ended", webtest.WaitJS(`document.querySelector("#test-fill").dataset.state === "finished"`),
		webtest.WaitJS(`document.querySelector("#tf-end").dataset.fired === "not_eligible"`))
	if s := u.TextOf(`#tf-end`); !strings.Contains(s, "在 S1 结束：不符合调查条件") {
		t.Errorf("end = %q", s)
	}
	if s := u.TextOf(`#tf-questions tr[data-code="D1"]`); !strings.Contains(s, "已结束") {
		t.Errorf("D1 after the end = %q", s)
	}
	if s := u.TextOf(`#tf-indicators tr[data-id="awareness"]`); !strings.Contains(s, "—") {
		t.Errorf("awareness after screening out = %q", s)
	}
}
