package office_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestSurveyEditorInBrowser edits the published four-rate questionnaire in
// the browser: B1's label, a new option, a skip rule made with the builder
// (B1 only if A1 = 1) and the support rate counting the new option. A
// problem comes back beside its field; the fixed definition is saved as the
// draft, version 1 stays as it was, and the draft is test-filled through
// the new skip path with the support rate scoring the new option.
func TestSurveyEditorInBrowser(t *testing.T) {
	db, u := surveyPages(t, "admin")
	ctx := context.Background()
	u.Open("/surveys/wenming-household/1?lang=zh-CN")

	const b1 = "sections[2].questions[0]"
	field, replace, choose := edField, edReplace, edChoose

	u.Run("open the editor", webtest.WaitJS(`document.querySelector("#survey-editor")?.dataset.ready === "true"`),
		webtest.Click(`#ed-open`), webtest.WaitJS(`document.querySelector("#survey-editor").dataset.open === "true"`))
	u.Run("edit B1's label", replace(field(b1+".label.zh-CN"), "您是否支持本县创建文明县城？"))
	u.Run("add an option to B1", webtest.Click(`#ed-q-B1 .ed-add-option`), webtest.WaitVisible(field(b1+".options[3].label.zh-CN")))
	if got := u.Count(`#ed-q-B1 .ed-options tbody tr`); got != 6 {
		t.Fatalf("B1 has %d options, want 6", got)
	}
	var code string
	u.Run("new option's code", chromedp.Evaluate(`document.querySelector(`+webtest.JSON(field(b1+".options[3].code"))+`).value`, &code))
	if code != "4" {
		t.Errorf("the new option's code = %q, want 4 (after 1–3, before the special 8 and 9)", code)
	}
	u.Run("label the new option in Chinese only", webtest.Type(field(b1+".options[3].label.zh-CN"), "比较支持"))

	// The show_if builder of B1: one rule, A1 is 1.
	rule := `#ed-q-B1 > .ed-rule:not(.ed-end) `
	u.Run("add a condition", webtest.Click(rule+`.cb-add`), webtest.WaitVisible(rule+`.cb-rule`))
	u.Run("on A1", choose(rule+`.cb-question`, "A1"), webtest.WaitJS(`[...document.querySelectorAll(`+webtest.JSON(rule+`.cb-option option`)+`)].some((o) => o.textContent.includes("知道"))`))
	u.Run("is 1", choose(rule+`.cb-op`, "equals"), choose(rule+`.cb-option`, "1"))

	// The support rate counts the new option as positive too.
	u.Run("support counts 4", webtest.Click(`.ed-indicator[data-id="support"] .ed-positive input[value="4"]`))

	// The English label is missing: the server's problem appears beside it.
	u.Run("save with a problem", webtest.Click(`#ed-save`),
		webtest.WaitVisible(`#ed-form .field-error[data-for="`+b1+`.options[3].label"]`))
	if got := u.Count(`#ed-form [aria-invalid="true"]`); got != 1 {
		t.Errorf("%d fields marked invalid, want 1", got)
	}
	if got := u.Count(`#ed-form td:has(> [aria-invalid="true"][data-path="` + b1 + `.options[3].label.en"]) > .field-error`); got != 1 {
		t.Errorf("the English label of the new option is not the field marked, with its problem beside it (%d)", got)
	}
	if s := u.TextOf(`#ed-form > .form-alert`); !strings.Contains(s, "请改正") {
		t.Errorf("alert = %q", s)
	}
	if _, _, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Draft: true}); err == nil {
		t.Fatal("a definition with a problem was stored as a draft")
	}
	u.Shot("survey-editor-problem")

	u.Run("fix it and save", webtest.Type(field(b1+".options[3].label.en"), "Mostly support"),
		webtest.Navigation(webtest.Click(`#ed-save`)),
		webtest.WaitJS(`location.pathname === "/surveys/wenming-household/draft"`), webtest.WaitVisible(`#q-B1`))
	if s := u.TextOf(`#q-B1`); !strings.Contains(s, "您是否支持本县创建文明县城？") || !strings.Contains(s, "4 比较支持") || !strings.Contains(s, "仅当 A1 = 1（知道） 时显示") {
		t.Errorf("B1 of the draft:\n%s", s)
	}
	if s := u.TextOf(`h1`); !strings.Contains(s, "草稿") {
		t.Errorf("heading = %q", s)
	}
	// The published version is unchanged; the draft holds the edits.
	_, v1, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	if q := v1.Question("B1"); q.ShowIf != nil || q.Option(4) != nil || q.Label["zh-CN"] != "您是否支持本县创建省级文明县城工作？" {
		t.Errorf("version 1's B1 changed: %+v", q)
	}
	_, draft, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if q := draft.Question("B1"); q.ShowIf == nil || q.ShowIf.Equals == nil || q.ShowIf.Equals.Question != "A1" || q.ShowIf.Equals.Value != 1 || q.Option(4) == nil {
		t.Errorf("draft's B1: %+v", q)
	}

	// Test fill of the draft through the new skip path.
	at := func(code string) chromedp.Action {
		return webtest.WaitJS(`document.querySelector("#test-fill").dataset.current === ` + webtest.JSON(code))
	}
	answer := func(code, value string) {
		t.Helper()
		u.Run("answer "+code+" = "+value, at(code),
			webtest.Click(`#tf-question input[name=tf-answer][value="`+value+`"]`), webtest.Click(`#tf-next`))
	}
	support := func(v string) chromedp.Action {
		return webtest.WaitJS(`document.querySelector('#tf-indicators tr[data-id="support"]')?.dataset.value === ` + webtest.JSON(v))
	}
	u.Run("start", webtest.WaitJS(`document.querySelector("#test-fill")?.dataset.ready === "true"`), webtest.Click(`#tf-start`))
	answer("S1", "1")
	answer("S2", "1")
	answer("A1", "2")
	u.Run("A2 and B1 skipped", at("C1"),
		webtest.WaitJS(`document.querySelector('#tf-questions tr[data-code="B1"]').dataset.state === "hidden"`), support(""))
	if s := u.TextOf(`#tf-questions tr[data-code="B1"]`); !strings.Contains(s, "A1 = 1") {
		t.Errorf("B1 in the panel = %q, want its new condition", s)
	}
	u.Run("back to A1", webtest.Click(`#tf-back`), at("A1"))
	answer("A1", "1")
	answer("A2", "3")
	answer("B1", "4")
	u.Run("support scores the new option", at("C1"), support("1"),
		webtest.WaitJS(`document.querySelector('#tf-questions tr[data-code="B1"]').dataset.state === "visible"`))
	u.Shot("survey-editor-testfill")

}

// TestSurveyEditorScreens opens the editor at a phone's and an office PC's
// width, in both languages, for the screenshots, and checks that the page
// is never wider than the window.
func TestSurveyEditorScreens(t *testing.T) {
	_, u := surveyPages(t, "admin")
	for _, lang := range []string{"zh-CN", "en"} {
		for _, w := range []int64{360, 1280} {
			u.Open("/surveys/wenming-household/1?lang=" + lang)
			u.Run("open the editor", webtest.Viewport(w, 900), webtest.Click(`#ed-open`),
				webtest.WaitJS(`document.querySelector("#survey-editor").dataset.open === "true"`),
				webtest.Click(`#ed-q-B1 > .ed-rule:not(.ed-end) .cb-add`), webtest.Click(`#ed-q-B1 > .ed-rule:not(.ed-end) .cb-add`),
				webtest.WaitJS(`document.querySelectorAll("#ed-q-B1 .cb-rule").length === 2`),
				// A part's removal waiting for confirmation, with the indicator that reads its question.
				webtest.Click(`.ed-section[data-id="support"] .ed-remove-section`), webtest.WaitVisible(`.ed-section[data-id="support"] .ed-confirm`),
				webtest.Rendered())
			var overflow bool
			u.Run("width", chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
			if overflow {
				t.Errorf("%s at %d px: the page is wider than the window", lang, w)
			}
			// Views of the window, not the whole page (the editor is long): its
			// head, a part's tools and confirmation, a question with options and
			// rules, the indicators, a score's points, a mean's items and the
			// composite's weights.
			name := "survey-editor-" + lang + "-" + map[int64]string{360: "360", 1280: "1280"}[w]
			for i, sel := range []string{"#main", "#survey-editor", `.ed-section[data-id="support"]`, "#ed-q-B1", ".ed-indicators",
				`.ed-indicator[data-id="satisfaction_items"]`, `.ed-indicator[data-id="satisfaction_score"]`, ".ed-composite", ".ed-weights-sum"} {
				u.Run("scroll to "+sel, webtest.WaitJS(`(document.querySelector(`+webtest.JSON(sel)+`).scrollIntoView({ block: "start" }), true)`), webtest.Rendered())
				u.B.Screenshot(u.Ctx, name+"-"+string(rune('a'+i)))
			}
		}
	}
}
