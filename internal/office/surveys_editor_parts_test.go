package office_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestSurveyEditorPartsAndWeights edits the structure and the arithmetic of
// the published four-rate questionnaire in the browser. Removing a part
// asks first, naming the rule and the indicator that read its questions;
// the rule on a question no longer there is caught before sending, and the
// indicator, like a new part left without questions, is refused by the
// server with each problem beside its field and nothing stored. Then a part is removed, a new part with a question is
// added and moved up, a score's points, a mean's items and the composite's
// weights are changed; a weight the server refuses is shown beside its
// input, and once fixed the draft read back from the database holds every
// change.
func TestSurveyEditorPartsAndWeights(t *testing.T) {
	db, u := surveyPages(t, "admin")
	ctx := context.Background()
	u.Open("/surveys/wenming-household/1?lang=zh-CN")

	field, replace, choose := edField, edReplace, edChoose
	part := func(id string) string { return `#ed-form .ed-section[data-id="` + id + `"]` }
	noDraft := func(when string) {
		t.Helper()
		if _, _, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Draft: true}); err == nil {
			t.Fatalf("%s: a refused definition was stored as a draft", when)
		}
	}
	open := func() {
		t.Helper()
		u.Run("open the editor", webtest.WaitJS(`document.querySelector("#survey-editor")?.dataset.ready === "true"`),
			webtest.Click(`#ed-open`), webtest.WaitVisible(part("awareness")))
	}
	// shot saves the window scrolled to sel (the whole editor is too long to look at).
	shot := func(name, sel string) {
		t.Helper()
		u.Run("scroll to "+sel, webtest.WaitJS(`(document.querySelector(`+webtest.JSON(sel)+`).scrollIntoView({ block: "start" }), true)`), webtest.Rendered())
		u.B.Screenshot(u.Ctx, name)
	}
	open()

	// 1. Removing the awareness part asks first and names what reads its
	// questions: B1's new rule and the awareness rate. The rule is caught
	// before sending, the rate by the server.
	rule := `#ed-q-B1 > .ed-rule:not(.ed-end) `
	u.Run("B1 only if A1 = 1", webtest.Click(rule+`.cb-add`), webtest.WaitVisible(rule+`.cb-rule`),
		choose(rule+`.cb-question`, "A1"), choose(rule+`.cb-op`, "equals"), choose(rule+`.cb-option`, "1"))
	u.Run("remove the awareness part", webtest.Click(part("awareness")+` .ed-remove-section`), webtest.WaitVisible(part("awareness")+` .ed-confirm`))
	if s := u.TextOf(part("awareness") + ` .ed-confirm`); !strings.Contains(s, "题目（A1, A2）") || !strings.Contains(s, "题目 B1 的条件（读取 A1）") || !strings.Contains(s, "指标 awareness（读取 A1）") {
		t.Errorf("confirmation = %q", s)
	}
	u.Run("confirm", webtest.Click(part("awareness")+` .ed-confirm-remove`), webtest.WaitJS(`!document.querySelector(`+webtest.JSON(part("awareness"))+`)`))
	u.Run("save: B1's rule is not sent", webtest.Click(`#ed-save`), webtest.WaitVisible(rule+`.cb-rule + .field-error`))
	if s := u.TextOf(rule + `.cb-rule + .field-error`); !strings.Contains(s, "问卷中已没有这道题") {
		t.Errorf("B1's rule: %q", s)
	}
	if s := u.TextOf(rule + `.cb-question option:checked`); s != "A1 · 问卷中已没有此题" {
		t.Errorf("B1's rule asks about %q", s)
	}
	noDraft("rule on a removed question")
	u.Run("remove B1's rule", webtest.Click(rule+`.cb-remove`), webtest.WaitVisible(rule+`.cb-none`))
	// A new part left without its question.
	u.Run("add a part", webtest.Click(`#ed-form .ed-add-section`), webtest.WaitVisible(field("sections[5].questions[0].code")))
	u.Run("remove its question", webtest.Click(field("sections[5].questions[0]")+` .ed-qhead .ed-tools .danger`),
		webtest.WaitJS(`!document.querySelector(`+webtest.JSON(field("sections[5].questions[0]"))+`)`))
	u.Run("save: refused", webtest.Click(`#ed-save`),
		webtest.WaitVisible(`#ed-form .field-error[data-for="indicators[0].question"]`),
		webtest.WaitVisible(`#ed-form .field-error[data-for="sections[5].questions"]`))
	if s := u.TextOf(`#ed-form .field-error[data-for="indicators[0].question"]`); !strings.Contains(s, "A1") {
		t.Errorf("the awareness indicator's problem = %q", s)
	}
	if s := u.TextOf(`#ed-form .ed-indicator[data-id="awareness"] .ed-ind-question option:checked`); !strings.Contains(s, "A1 · 问卷中已没有此题") {
		t.Errorf("the awareness indicator's question shows %q", s)
	}
	if s := u.TextOf(`#ed-form .field-error[data-for="sections[5].questions"]`); !strings.Contains(s, "至少") && !strings.Contains(s, "at least one question") {
		t.Errorf("the empty part's problem = %q", s)
	}
	// The new part's untitled languages: each problem beside its own field.
	for _, lang := range []string{"zh-CN", "en"} {
		if s := u.TextOf(`#ed-form label:has(> [data-path="sections[5].title.` + lang + `"]) > .field-error`); !strings.Contains(s, " "+lang+" ") {
			t.Errorf("the problem beside the %s title = %q", lang, s)
		}
	}
	noDraft("removed question")
	shot("survey-editor-parts-refused-indicator", `#ed-form .ed-indicator[data-id="awareness"]`)
	shot("survey-editor-parts-refused-empty", field("sections[5]"))

	// 2. Start again from the published version.
	u.Run("close without saving", webtest.Click(`#ed-cancel`), webtest.WaitVisible(`#ed-open`))
	open()

	u.Run("remove the demographics part", webtest.Click(part("demographics")+` .ed-remove-section`), webtest.WaitVisible(part("demographics")+` .ed-confirm`))
	if s := u.TextOf(part("demographics") + ` .ed-confirm`); strings.Contains(s, "须先修改") {
		t.Errorf("nothing reads the demographics questions, yet the confirmation says %q", s)
	}
	u.Run("confirm", webtest.Click(part("demographics")+` .ed-confirm-remove`), webtest.WaitJS(`!document.querySelector(`+webtest.JSON(part("demographics"))+`)`))

	const np = "sections[5]"
	u.Run("add a part", webtest.Click(`#ed-form .ed-add-section`), webtest.WaitVisible(field(np+".questions[0].code")))
	var code string
	u.Run("its question's code", chromedp.Evaluate(`document.querySelector(`+webtest.JSON(field(np+".questions[0].code"))+`).value`, &code))
	// The id is taken when the field is left, as a question's code is.
	u.Run("name the part", replace(field(np+".id"), "opinion"), webtest.WaitJS(`(document.activeElement.blur(), true)`), webtest.WaitVisible(part("opinion")))
	u.Run("title it", webtest.Type(field(np+".title.zh-CN"), "意见"), webtest.Type(field(np+".title.en"), "Opinion"))
	u.Run("a yes/no question", choose(field(np+".questions[0].type"), "yes_no"), webtest.WaitVisible(field(np+".questions[0].options[2].code")),
		webtest.Type(field(np+".questions[0].label.zh-CN"), "您愿意参加下一次调查吗？"),
		webtest.Type(field(np+".questions[0].label.en"), "Would you take part in the next survey?"))
	u.Run("move the part up", webtest.Click(part("opinion")+` .ed-section-up`),
		webtest.WaitVisible(`#ed-form .ed-section[data-path="sections[4]"][data-id="opinion"]`))

	// The score's points: 满意 (2) is worth 75, not 80; 不了解 and 拒答 have none.
	score := `#ed-form .ed-indicator[data-id="satisfaction_score"] .ed-scores`
	if n := u.Count(score + ` input`); n != 5 {
		t.Errorf("the score has %d point inputs, want 5 (codes 8 and 9 are left out)", n)
	}
	u.Run("points of 2", replace(score+` input[data-code="2"]`, "75"))

	// The mean over items: without the markets; a score cannot join rates.
	items := `#ed-form .ed-indicator[data-id="satisfaction_items"] .ed-of`
	if n := u.Count(items + ` input[value="satisfaction_score"]:disabled`); n != 1 {
		t.Errorf("the score can be ticked in a mean of rates")
	}
	if n := u.Count(items + ` input[value="satisfaction_items"]`); n != 0 {
		t.Errorf("a mean is offered to average itself")
	}
	u.Run("untick the markets", webtest.Click(items+` input[value="sat_market"]`),
		webtest.WaitJS(`!document.querySelector(`+webtest.JSON(items+` input[value="sat_market"]`)+`).checked`))

	// A weight the server refuses is shown beside its input.
	w := func(id string) string { return field("composite.weights." + id) }
	u.Run("awareness weighs -0.1", replace(w("awareness"), "-0.1"),
		webtest.WaitJS(`document.querySelector("#ed-form .ed-weights-sum").dataset.sum === "0.8"`))
	u.Run("save: refused", webtest.Click(`#ed-save`), webtest.WaitVisible(`#ed-form .field-error[data-for="composite.weights.awareness"]`))
	if n := u.Count(`#ed-form td:has(> [aria-invalid="true"][data-path="composite.weights.awareness"]) > .field-error`); n != 1 {
		t.Errorf("the awareness weight is not the field marked, with its problem beside it (%d)", n)
	}
	noDraft("negative weight")
	shot("survey-editor-weights-refused", "#ed-form .ed-composite")

	u.Run("fix the weights", replace(w("awareness"), "0.25"), replace(w("satisfaction"), "0.35"),
		webtest.WaitJS(`document.querySelector("#ed-form .ed-weights-sum").dataset.sum === "1"`))
	u.Run("save", webtest.Navigation(webtest.Click(`#ed-save`)),
		webtest.WaitJS(`location.pathname === "/surveys/wenming-household/draft"`), webtest.WaitVisible(`#section-opinion`))

	// The stored draft, read from the database.
	_, draft, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range draft.Sections {
		ids = append(ids, s.ID)
	}
	if want := []string{"screening", "awareness", "support", "participation", "opinion", "satisfaction"}; !slices.Equal(ids, want) {
		t.Errorf("the draft's parts = %v, want %v", ids, want)
	}
	if s := draft.Sections[4]; s.Title["zh-CN"] != "意见" || s.Title["en"] != "Opinion" || len(s.Questions) != 1 {
		t.Errorf("the new part: %+v", s)
	} else if q := s.Questions[0]; q.Code != code || q.Type != questionnaire.TypeYesNo || q.Label["en"] != "Would you take part in the next survey?" {
		t.Errorf("the new part's question: %+v", q)
	}
	if draft.Question("E1") != nil {
		t.Error("the demographics questions are still in the draft")
	}
	if sc := draft.Indicator("satisfaction_score").Scores; sc[2] != 75 || sc[1] != 100 || len(sc) != 5 {
		t.Errorf("the score's points = %v", sc)
	}
	if of := draft.Indicator("satisfaction_items").Of; len(of) != 6 || slices.Contains(of, "sat_market") {
		t.Errorf("the mean averages %v", of)
	}
	if cw := draft.Composite.Weights; cw["awareness"] != 0.25 || cw["satisfaction"] != 0.35 || cw["support"] != 0.2 || len(cw) != 4 {
		t.Errorf("the composite's weights = %v", cw)
	}
	// Version 1 is as it was.
	_, v1, err := survey.Get(ctx, db, "wenming-household", survey.Ref{Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Question("E1") == nil || v1.Composite.Weights["awareness"] != 0.2 || v1.Indicator("satisfaction_score").Scores[2] != 80 {
		t.Error("version 1 changed")
	}
}
