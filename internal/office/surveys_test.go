package office_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
)

func TestSurveyPages(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	_, url, _ := servertest.NewTestServer(t, db)
	if _, err := survey.EnsureShipped(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	c := servertest.Login(t, url, store.RoleInterviewer)
	get := func(path string) string {
		t.Helper()
		res, body := servertest.Send(t, c, "GET", url+path, "", "", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, body)
		}
		return html.UnescapeString(string(body))
	}
	tests := []struct {
		path string
		want []string
	}{
		{"/surveys?lang=zh-CN", []string{
			`lang="zh-CN"`, `href="/surveys" aria-current="page">问卷</a>`, "创建省级文明县城入户调查问卷",
			`href="/surveys/wenming-household"`, "window-service",
		}},
		{"/surveys?lang=en", []string{`lang="en"`, "Questionnaires", "Counter service satisfaction survey"}},
		{"/surveys/wenming-household?lang=zh-CN", []string{
			"版本 1", "开场白", "甄别问题",
			`<span lang="zh-CN">请问您是否年满18周岁？</span>`,
			`<h1><span lang="zh-CN">创建省级文明县城入户调查问卷</span> <small class="survey-version">版本 1</small></h1>`,
			`问卷语言:`, `<strong lang="zh-CN" aria-current="true">中文</strong>`, `href="/surveys/wenming-household?lang=zh-CN&qlang=en"`,
			`value="18"`, "您对创建文明县城工作还有哪些意见和建议？",
			"若 S1 = 2（否），结束访问（不符合调查条件）", "家中没有年满18周岁的受访者",
			"仅当 A1 = 1（知道） 时显示",
			"满意度量表", "非常满意", "不了解", // built-in options
			"排他选项", "范围 0–100",
			"测评指标", "知晓率", "正面答案:</span> 1（知道）", "90%", "1 → 100", "综合指数", "85%",
		}},
		{"/surveys/wenming-household/1?lang=en", []string{
			`lang="en"`, "Version 1", "Screening", `<span lang="en">Are you 18 years of age or older?</span>`,
			"ends the interview (not eligible) if S1 = 2 (No)", "shown if A1 = 1 (Yes, I know)",
			"satisfaction scale", "Very satisfied", "Awareness rate", "positive:</span> 1 (Yes, I know)", "left out of the denominator",
		}},
		{"/surveys/window-service/latest?lang=zh-CN", []string{"窗口服务满意度调查问卷"}},
		// The questionnaire in English on a Chinese page: the rules in Chinese words, its texts in English.
		{"/surveys/wenming-household/1?lang=zh-CN&qlang=en", []string{
			`<span lang="en">Are you 18 years of age or older?</span>`, "仅当 A1 = 1", `<strong lang="en" aria-current="true">English</strong>`,
		}},
	}
	for _, tt := range tests {
		page := get(tt.path)
		for _, want := range tt.want {
			if !strings.Contains(page, want) {
				t.Errorf("GET %s lacks %q", tt.path, want)
			}
		}
	}
	// One language at a time: no English under the Chinese; no editor but for administrators.
	for path, not := range map[string][]string{
		"/surveys?lang=zh-CN":                   {"Household survey on the provincial civilized county-town campaign"},
		"/surveys/wenming-household?lang=zh-CN": {"Are you 18 years of age or older?", "Very satisfied", "Awareness rate", `id="survey-editor"`, "office_survey_editor.js"},
		"/surveys/wenming-household/1?lang=en":  {"请问您是否年满18周岁？"},
	} {
		page := get(path)
		for _, s := range not {
			if strings.Contains(page, s) {
				t.Errorf("GET %s has %q", path, s)
			}
		}
	}

	// Unknown questionnaires and versions are 404; anonymous visitors go to the login.
	for _, path := range []string{"/surveys/nope", "/surveys/wenming-household/9", "/surveys/wenming-household/draft", "/surveys/wenming-household/x"} {
		if res, _ := servertest.Send(t, c, "GET", url+path, "", "", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d", path, res.StatusCode)
		}
	}
	res, _ := servertest.Send(t, servertest.Client(t), "GET", url+"/surveys/wenming-household", "", "", map[string]string{"Accept": "text/html"})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous page = %d %s", res.StatusCode, res.Header.Get("Location"))
	}

	// A draft is previewed while nothing is published.
	if _, err := survey.Import(context.Background(), db, "d.yaml", []byte(draftOnlyYAML), store.CLI); err != nil {
		t.Fatal(err)
	}
	page := get("/surveys/draft-only?lang=en")
	if !strings.Contains(page, "Draft (not published)") || !strings.Contains(page, "How old are you?") || !strings.Contains(page, "number · range 0–120") {
		t.Errorf("draft page:\n%s", page)
	}
}

const draftOnlyYAML = `id: draft-only
title: {zh-CN: 草稿问卷, en: Draft questionnaire}
sections:
  - id: s
    title: {zh-CN: 部分, en: Part}
    questions:
      - code: E1
        type: integer
        min: 0
        max: 120
        label: {zh-CN: 您多大年纪？, en: "How old are you?"}
`
