package office_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/draw"
	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// acceptConfirms makes the page's confirm() dialogs answer yes (a real
// user clicks OK; the dialog itself is the browser's).
var acceptConfirms = chromedp.Evaluate(`window.confirm = () => true`, nil)

// TestOfficeWalkInBrowser walks an admin through the office's whole job in
// a real Chromium: a register upload (a bad file first: its problems by
// line, nothing imported), a sample (n = 0 refused beside its field, the
// calculator and the allocation preview, then the draw), a round (created
// with its replacement rule set in the form and edited as text, then
// started), a questionnaire draft uploaded
// and published, a user added (the password shown once, and working), and
// the audit log showing each change. The database is checked after each
// step; every page is photographed.
func TestOfficeWalkInBrowser(t *testing.T) {
	webtest.Chromium(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")

	// Register: a file with a problem imports nothing and names its line.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("街道,社区,门牌号\n城关街道,东风社区,1号\n城关街道,,2号\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good, err := filepath.Abs("../../surveys/examples/register.csv")
	if err != nil {
		t.Fatal(err)
	}
	u.Open("/registers")
	u.Run("upload a bad register",
		chromedp.SetUploadFiles(`#register-upload input[name=file]`, []string{bad}, chromedp.ByQuery),
		webtest.Click(`#register-upload [type=submit]`),
		webtest.WaitVisible(`#register-upload .form-alert.error .problems li`))
	if p := u.TextOf(`#register-upload .problems`); !strings.Contains(p, "行 3") {
		t.Errorf("problems of the bad register = %q, want its line 3", p)
	}
	if fs, _ := db.Frames(ctx); len(fs) != 1 {
		t.Fatalf("after a bad register: %d frame versions, want still 1", len(fs))
	}
	u.Run("upload the example register (GBK)",
		chromedp.SetUploadFiles(`#register-upload input[name=file]`, []string{good}, chromedp.ByQuery),
		webtest.Click(`#register-upload [type=submit]`))
	u.WaitFor(`#frames tbody tr.current a[href="/registers?version=2"]`)
	fs, err := db.Frames(ctx)
	if err != nil || len(fs) != 2 || fs[0].Households != 384 || fs[0].Streets != 3 || fs[0].Communities != 15 {
		t.Fatalf("frames after the upload = %+v, %v; want version 2 with 384 households in 15 communities of 3 streets", fs, err)
	}
	if n := u.Count(`#frame-streets tbody tr`); n != 3 {
		t.Errorf("streets of the new version: %d rows, want 3", n)
	}
	u.Shot("office-registers")

	// Sample: n = 0 is refused beside its field, the calculator answers,
	// the preview shows the allocation, the draw stores it.
	u.Open("/samples")
	u.Run("wait for the calculator", webtest.WaitJS(`document.querySelector("[data-out=completes]").textContent !== "—"`))
	if got := u.TextOf(`[data-out=completes]`); got != "189" { // n0 = 1.96²·0.8·0.2/0.05²·1.5 = 368.8, n = n0/(1+(n0−1)/384) = 188.4
		t.Errorf("calculator: %s interviews for ±5 points at p = 0.8, deff 1.5; want 189 (the new register's 384 households as population)", got)
	}
	u.Run("n = 0",
		chromedp.SetValue(`#sample-draw input[name=name]`, "第一轮", chromedp.ByQuery),
		chromedp.SetValue(`#sample-draw input[name=n]`, "0", chromedp.ByQuery),
		webtest.Click(`#sample-draw [type=submit]`),
		webtest.WaitVisible(`#sample-draw [data-error-for=n]`))
	var beside bool
	u.Run("the error is beside n", chromedp.Evaluate(`(() => { const e = document.querySelector("#sample-draw [data-error-for=n]");
		const i = document.querySelector("#sample-draw input[name=n]");
		return i.getAttribute("aria-invalid") === "true" && (e.previousElementSibling === i.closest("label") || i.closest("label").contains(e)); })()`, &beside))
	if !beside {
		t.Error("n = 0: the error is not beside the n field")
	}
	if ss, _ := db.Samples(ctx); len(ss) != 1 {
		t.Fatalf("n = 0 stored a sample: %+v", ss)
	}
	u.Run("preview",
		chromedp.SetValue(`#sample-draw input[name=n]`, "60", chromedp.ByQuery),
		chromedp.SetValue(`#sample-draw input[name=per_community]`, "10", chromedp.ByQuery),
		chromedp.SetValue(`#sample-draw input[name=reserves]`, "2", chromedp.ByQuery),
		chromedp.SetValue(`#sample-draw input[name=seed]`, "20261127", chromedp.ByQuery),
		webtest.Click(`#preview-button`),
		webtest.WaitVisible(`#preview-table tbody tr`))
	if n := u.Count(`#preview-table tbody tr`); n != 3 {
		t.Errorf("preview: %d streets, want 3", n)
	}
	var expected string
	u.Run("expected interviews", webtest.Text(`#preview-table tfoot th:last-child`, &expected))
	// n = 60 allocated 23, 15, 22; ⌈n_h/10⌉ communities of 10 each issue
	// 30, 20, 30 households, and 80 × 0.7 interviews are expected.
	if expected != "56.0" {
		t.Errorf("preview: %s interviews expected in total, want 56.0", expected)
	}
	if ss, _ := db.Samples(ctx); len(ss) != 1 {
		t.Fatalf("the preview stored a sample: %+v", ss)
	}
	u.Shot("office-samples")
	u.Run("draw",
		webtest.Click(`#sample-draw [type=submit]`))
	u.WaitFor(`#sample-streets`)
	smp, err := db.SampleByName(ctx, "第一轮")
	if err != nil || smp.Households != 80 || smp.FrameVersion != 2 || smp.Seed != "20261127" {
		t.Fatalf("drawn sample = %+v, %v", smp, err)
	}
	if n := u.Count(`#sample-streets tbody tr`); n != 3 {
		t.Errorf("sample page: %d streets, want 3", n)
	}
	var csv string
	u.Run("CSV link", chromedp.AttributeValue(`#sample-csv`, "href", &csv, nil, chromedp.ByQuery))
	if !strings.HasSuffix(csv, "/households?format=csv") {
		t.Errorf("CSV link = %q", csv)
	}
	u.Shot("office-sample")

	// Round: created with a rule set in the form and edited as text, then started.
	u.Open("/rounds")
	u.Run("create a round",
		chromedp.SetValue(`#round-create input[name=name]`, "2026Q4 第一轮", chromedp.ByQuery),
		chromedp.SetValue(`#round-create select[name=sample]`, "第一轮", chromedp.ByQuery),
		chromedp.SetValue(`#round-create select[name=kind]`, "official", chromedp.ByQuery),
		chromedp.SetValue(`#round-create input[name=starts_on]`, "2026-12-01", chromedp.ByQuery),
		chromedp.SetValue(`#round-create input[name=ends_on]`, "2026-12-20", chromedp.ByQuery),
		// The rule as a form: each change is written into the rule's
		// text, and a change of the text shows in the form.
		webtest.WaitJS(`document.documentElement.dataset.ruleForm === "ready"`),
		webtest.Click(`#rule-form [data-rule=on_not_eligible]`),
		webtest.Eval(`((set) => { set("attempts", "4"); set("approval", "automatic"); return true; })((k, v) => {
			const el = document.querySelector("#rule-form [data-rule=" + k + "]"); el.value = v; el.dispatchEvent(new Event("change")); })`, nil))
	var ruleText string
	u.Run("read the rule's text", webtest.Eval(`document.querySelector("#round-create textarea[name=rule]").value`, &ruleText))
	for _, line := range []string{"attempts: 4\n", "approval: automatic\n", "on_not_eligible: true\n", "on_refusal: true\n", `evening_from: "18:00"`} {
		if !strings.Contains(ruleText, line) {
			t.Errorf("the form's settings are not in the rule's text: no %q in\n%s", line, ruleText)
		}
	}
	u.Run("edit the rule as text",
		webtest.Click(`#rule-advanced summary`),
		webtest.Eval(`((box) => { box.value = box.value.replace("attempts: 4", "attempts: 5"); box.dispatchEvent(new Event("input")); return true; })(
			document.querySelector("#round-create textarea[name=rule]"))`, nil),
		webtest.WaitJS(`document.querySelector("#rule-form [data-rule=attempts]").value === "5"`))
	u.Run("submit the round",
		webtest.Click(`#round-create [type=submit]`))
	u.WaitFor(`#rounds tr[data-round="2"]`)
	rid, err := db.RoundIDByName(ctx, "2026Q4 第一轮")
	if err != nil {
		t.Fatal(err)
	}
	ri, err := db.RoundInfoByID(ctx, rid)
	var rule fieldwork.Rule
	if err != nil || ri.Status != store.RoundPlanned || ri.Kind != "official" || ri.Sample != "第一轮" || ri.StartsOn != "2026-12-01" ||
		json.Unmarshal([]byte(ri.ReplacementRule), &rule) != nil || rule.Attempts != 5 || rule.Approval != "automatic" || !rule.OnNotEligible || !rule.OnRefusal {
		t.Fatalf("created round = %+v (rule %+v), %v", ri, rule, err)
	}
	u.Run("start it", acceptConfirms,
		webtest.Click(`#rounds tr[data-round="2"] [data-action=start]`))
	u.WaitFor(`#rounds tr[data-round="2"] [data-action=close]`)
	if ri, _ = db.RoundInfoByID(ctx, rid); ri.Status != store.RoundFieldwork {
		t.Fatalf("after start the round is %s", ri.Status)
	}
	if got := u.TextOf(`#rounds tr[data-round="2"] td:nth-child(7)`); got != "80" {
		t.Errorf("the new round's households = %q, want 80", got)
	}
	u.Shot("office-rounds")

	// Questionnaire: a draft pasted, previewed and published.
	u.Open("/surveys")
	u.Run("upload a draft with a problem",
		chromedp.SetValue(`#survey-upload textarea[name=definition]`, "id: broken\ntitle: {zh-CN: 坏}\nsections:\n  - id: s\n    questions:\n      - {code: A1, type: nosuch}\n", chromedp.ByQuery),
		webtest.Click(`#survey-upload [type=submit]`),
		webtest.WaitVisible(`#survey-upload .problems li`))
	if p := u.TextOf(`#survey-upload .problems`); !strings.Contains(p, "行 6") {
		t.Errorf("problems of the broken definition = %q, want one on line 6", p)
	}
	u.Run("upload a draft",
		chromedp.SetValue(`#survey-upload textarea[name=definition]`, storetest.SeedDefinition, chromedp.ByQuery),
		webtest.Click(`#survey-upload [type=submit]`))
	u.WaitFor(`#survey-publish`)
	u.Shot("office-survey-draft")
	u.Run("publish it", acceptConfirms,
		webtest.Click(`#survey-publish [type=submit]`))
	u.WaitFor(`.survey-meta .badge:not(.draft)`)
	if q, err := db.QuestionnaireSummary(ctx, "seed"); err != nil || q.Latest != 1 || q.HasDraft {
		t.Fatalf("after publishing: %+v, %v", q, err)
	}

	// User: added, the password shown once and working.
	u.Open("/users")
	u.Run("add a supervisor",
		chromedp.SetValue(`#user-create input[name=username]`, "wangfang", chromedp.ByQuery),
		chromedp.SetValue(`#user-create input[name=display_name]`, "王芳", chromedp.ByQuery),
		chromedp.SetValue(`#user-create select[name=role]`, "supervisor", chromedp.ByQuery),
		chromedp.SetValue(`#user-create select[name=street]`, "城关街道", chromedp.ByQuery),
		webtest.Click(`#user-create [type=submit]`),
		webtest.WaitVisible(`#secret`),
		webtest.WaitVisible(`#users tr[data-user=wangfang]`))
	pw := u.TextOf(`#secret [data-secret-value]`)
	nu, err := db.UserByUsername(ctx, "wangfang")
	if err != nil || nu.Role != store.RoleSupervisor || nu.StreetName != "城关街道" || nu.DisplayName != "王芳" {
		t.Fatalf("added user = %+v, %v", nu, err)
	}
	if res, _ := servertest.PostJSON(t, servertest.Client(t), base+"/api/v1/login", `{"username":"wangfang","password":"`+pw+`"}`); res.StatusCode != http.StatusOK {
		t.Errorf("the password shown (%q) does not log wangfang in: %d", pw, res.StatusCode)
	}
	u.Shot("office-users")
	u.Open("/users")
	if body := u.TextOf(`#main`); strings.Contains(body, pw) {
		t.Error("the new password is still shown after leaving the page")
	}
	// An API token for her tablet: shown once, then revoked.
	u.Run("create a token",
		chromedp.SetValue(`#token-create select[name=user_id]`, strconv.FormatInt(nu.ID, 10), chromedp.ByQuery),
		chromedp.SetValue(`#token-create input[name=name]`, "平板 3", chromedp.ByQuery),
		webtest.Click(`#token-create [type=submit]`),
		webtest.WaitVisible(`#secret`))
	tok := u.TextOf(`#secret [data-secret-value]`)
	ts, err := db.APITokens(ctx, nu.ID)
	if err != nil || len(ts) != 1 || ts[0].Name != "平板 3" || !strings.HasPrefix(tok, "minyi_"+ts[0].Prefix) {
		t.Fatalf("wangfang's tokens = %+v, %v (shown %q)", ts, err, tok)
	}
	u.WaitFor(`#revoke-` + strconv.FormatInt(ts[0].ID, 10))
	u.Run("revoke it", acceptConfirms, webtest.Click(`#revoke-`+strconv.FormatInt(ts[0].ID, 10)+` [type=submit]`))
	u.WaitFor(`#tokens .badge.bad`)
	if ts, _ = db.APITokens(ctx, nu.ID); ts[0].RevokedAt == nil {
		t.Errorf("the token is not revoked: %+v", ts[0])
	}
	// Another account: a new password (shown once, and working), another
	// street, then switched off.
	other := f.Users["int2b"]
	oid := strconv.FormatInt(other.ID, 10)
	u.Run("reset int2b's password", acceptConfirms,
		webtest.Click(`#password-`+oid+` [type=submit]`),
		webtest.WaitJS(`document.querySelector("#secret [data-secret-value]").textContent.length > 8 && document.querySelector("#secret [data-secret-label]").textContent.includes("int2b")`))
	newPW := u.TextOf(`#secret [data-secret-value]`)
	if res, _ := servertest.PostJSON(t, servertest.Client(t), base+"/api/v1/login", `{"username":"int2b","password":"`+newPW+`"}`); res.StatusCode != http.StatusOK {
		t.Errorf("int2b's new password (%q) does not log in: %d", newPW, res.StatusCode)
	}
	u.Run("move int2b to 街道1",
		chromedp.SetValue(`#edit-`+oid+` select[name=street]`, "街道1", chromedp.ByQuery),
		webtest.Click(`#edit-`+oid+` [type=submit]`),
		webtest.WaitVisible(`#edit-`+oid+` .form-alert.ok`))
	if x, _ := db.UserByUsername(ctx, "int2b"); x.StreetName != "街道1" {
		t.Errorf("int2b's street = %q, want 街道1", x.StreetName)
	}
	u.Run("deactivate int2b", acceptConfirms, webtest.Click(`#disable-`+oid+` [type=submit]`))
	u.WaitFor(`#enable-` + oid)
	if x, _ := db.UserByUsername(ctx, "int2b"); !x.Disabled {
		t.Error("int2b is not deactivated")
	}

	// Audit: every change of the walk, newest first, filterable.
	u.Open("/audit?user=admin")
	log := u.TextOf(`#audit`)
	for _, action := range []string{"frame.import", "sample.draw", "round.create", "round.start", "survey.publish", "user.create",
		"token.create", "token.revoke", "user.passwd", "user.update", "user.disable"} {
		if u.Count(`#audit tr[data-action="`+action+`"]`) == 0 {
			t.Errorf("the audit page does not show %s:\n%s", action, log)
		}
		if strings.Contains(log, action) {
			t.Errorf("the audit page shows the code %s, not words:\n%s", action, log)
		}
	}
	// Each action, object and detail reads in words, in the page's
	// language, never as JSON.
	for _, words := range []string{"导入名册", "抽取样本", "重设密码", "轮次 ", "户数", "角色"} {
		if !strings.Contains(log, words) {
			t.Errorf("the audit page does not say %q:\n%s", words, log)
		}
	}
	if strings.ContainsAny(log, "{}\"") {
		t.Errorf("the audit page shows JSON:\n%s", log)
	}
	u.Shot("office-audit")
	u.Open("/audit?object_type=round&object_id=" + strconv.FormatInt(rid, 10))
	if n := u.Count(`#audit tbody tr`); n != 2 {
		t.Errorf("audit of round %d: %d entries, want 2 (create, start)", rid, n)
	}

	// The workbench shows the round in the field and the last imports.
	u.Open("/")
	if got := u.TextOf(`#home-rounds`); !strings.Contains(got, "2026Q4 第一轮") || !strings.Contains(got, f.Round.Name) {
		t.Errorf("admin's workbench rounds = %q", got)
	}
	if got := u.TextOf(`#home-imports`); !strings.Contains(got, "register.csv") {
		t.Errorf("admin's workbench imports = %q", got)
	}
	u.Shot("office-home")

	// The audit log and the round form, in both languages, on a phone and
	// a desktop: words, not codes, in each.
	for _, lang := range []string{"en", "zh-CN"} {
		for _, w := range []int64{360, 1280} {
			u.Run("width", webtest.Viewport(w, 800))
			u.Open("/audit?lang=" + lang)
			if got := u.TextOf(`#audit`); strings.Contains(got, "user.create") || (lang == "en") != strings.Contains(got, "add a user") {
				t.Errorf("the audit log in %s:\n%s", lang, got)
			}
			u.Shot(fmt.Sprintf("office-audit-%d-%s", w, lang))
			u.Open("/rounds?lang=" + lang)
			u.Run("open the rule's text", webtest.Click(`#rule-advanced summary`))
			u.Shot(fmt.Sprintf("office-rounds-%d-%s", w, lang))
		}
	}
}

// TestOfficeFormSurvivesRelogin fills the round form, loses the session
// (the cookie deleted, as when it expires), submits, logs in again and
// finds the input back, then submits it successfully.
func TestOfficeFormSurvivesRelogin(t *testing.T) {
	webtest.Chromium(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	// A sample no round fields yet, for the form to offer.
	if _, err := draw.Draw(ctx, db, draw.Spec{Name: "第二轮", N: 6, PerCommunity: 3, Seed: 11}, store.CLI); err != nil {
		t.Fatal(err)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	u.Open("/rounds")
	u.Run("fill the form",
		chromedp.SetValue(`#round-create input[name=name]`, "续登录的轮次", chromedp.ByQuery),
		chromedp.SetValue(`#round-create input[name=starts_on]`, "2026-12-01", chromedp.ByQuery),
		chromedp.SetValue(`#round-create textarea[name=rule]`, "attempts: 5\n", chromedp.ByQuery),
		network.DeleteCookies(server.SessionCookie).WithURL(base),
		webtest.Click(`#round-create [type=submit]`))
	u.WaitFor(`#login-form`)
	u.Run("log in again",
		webtest.WaitVisible(`#login-form`),
		webtest.Type(`#login-form input[name=username]`, "admin"),
		webtest.Type(`#login-form input[name=password]`, fieldtest.Password),
		webtest.Click(`#login-form [type=submit]`))
	u.WaitFor(`#round-create .form-alert.notice`)
	// Read in one evaluation on the page the login sent us back to (a
	// node lookup could still hold the login page's document).
	var form struct{ Name, Rule, Starts string }
	u.Run("read the form", webtest.Eval(`((f) => ({Name: f.elements.name.value, Rule: f.elements.rule.value, Starts: f.elements.starts_on.value}))(document.querySelector("#round-create"))`, &form))
	if form.Name != "续登录的轮次" || form.Rule != "attempts: 5\n" || form.Starts != "2026-12-01" {
		t.Fatalf("after logging in again the form holds %+v", form)
	}
	if _, err := db.RoundIDByName(ctx, "续登录的轮次"); err == nil {
		t.Fatal("the round was created without a session")
	}
	u.Shot("office-relogin")
	u.Run("submit again",
		webtest.Click(`#round-create [type=submit]`))
	u.WaitFor(`#rounds tr[data-round="2"]`)
	id, err := db.RoundIDByName(ctx, "续登录的轮次")
	if err != nil {
		t.Fatal(err)
	}
	ri, err := db.RoundInfoByID(ctx, id)
	var stored fieldwork.Rule
	if err != nil || ri.StartsOn != "2026-12-01" || ri.Sample != "第二轮" || json.Unmarshal([]byte(ri.ReplacementRule), &stored) != nil || stored.Attempts != 5 {
		t.Fatalf("round after the re-login = %+v, %v", ri, err)
	}
}

// TestRegisterUploadProgress uploads a register of some 150 kB over a slow
// network and checks that the form's progress bar shows the upload going
// (a fraction between 0 and 1) before the page shows the new version.
func TestRegisterUploadProgress(t *testing.T) {
	webtest.Chromium(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	var csv strings.Builder
	csv.WriteString("街道,社区,门牌号\n")
	for i := range 4000 {
		fmt.Fprintf(&csv, "东城街道,东城第%d社区,幸福路%d号%d室\n", i%20, i, i%7)
	}
	file := filepath.Join(t.TempDir(), "large.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	u.Open("/registers")
	var seen []float64
	u.Run("upload slowly",
		chromedp.Evaluate(`window.__progress = []; setInterval(() => { const p = document.querySelector("progress[data-progress]");
			if (p && !p.hidden) window.__progress.push(p.value); }, 20); true`, nil),
		chromedp.SetUploadFiles(`#register-upload input[name=file]`, []string{file}, chromedp.ByQuery),
		webtest.Slow3G(),
		webtest.Click(`#register-upload [type=submit]`),
		webtest.WaitJS(`window.__progress.some(v => v > 0 && v < 1)`),
		chromedp.Evaluate(`window.__progress`, &seen),
		network.EmulateNetworkConditions(false, 0, -1, -1))
	u.WaitFor(`#frames tbody tr.current a[href="/registers?version=2"]`)
	if fs, err := db.Frames(ctx); err != nil || len(fs) != 2 || fs[0].Households != 4000 {
		t.Fatalf("frames after the slow upload = %+v, %v", fs, err)
	}
	t.Logf("progress seen: %v", seen)
}
