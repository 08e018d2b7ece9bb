package office_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestRoundRuleFormInBrowser: in a district in Asia/Kolkata the round
// form says the rule counts days and evenings there; a bad rule's problems
// are shown beside their inputs (attempts) or, for a key with none
// (quality.gps_max_meters), with the rule's text, in the page's language;
// the round then created stores Asia/Kolkata.
func TestRoundRuleFormInBrowser(t *testing.T) {
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	sz := fieldtest.Small
	sz.Zone = "Asia/Kolkata"
	_, base := servertest.NewFieldServer(t, db, sz)
	admin := servertest.LoginAs(t, base, "admin")
	if res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"第二轮","n":6,"per_community":3,"seed":"5"}`); res.StatusCode != http.StatusCreated {
		t.Fatalf("draw = %d %+v", res.StatusCode, eb)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")

	for _, c := range []struct {
		lang, attempts, gps, zone string
	}{
		{"zh-CN", "第 1 行：必须在 1 到 20 之间，实际为 0", "quality.gps_max_meters: 第 3 行：必须在 10 到 100000 之间，实际为 5", "按本区时区 Asia/Kolkata 计算"},
		{"en", "line 1: must be between 1 and 20, got 0", "quality.gps_max_meters: line 3: must be between 10 and 100000, got 5", "counted in Asia/Kolkata, the district’s time zone"},
	} {
		u.Open("/rounds?lang=" + c.lang)
		if got := u.TextOf(`#rule-zone`); !strings.Contains(got, c.zone) {
			t.Errorf("%s: the zone hint is %q, want %q", c.lang, got, c.zone)
		}
		u.Run("a bad rule ("+c.lang+")",
			webtest.WaitJS(`document.documentElement.dataset.ruleForm === "ready"`),
			chromedp.SetValue(`#round-create input[name=name]`, "晚间规则", chromedp.ByQuery),
			chromedp.SetValue(`#round-create select[name=sample]`, "第二轮", chromedp.ByQuery),
			webtest.Click(`#rule-advanced summary`),
			webtest.Eval(`((box) => { box.value = "attempts: 0\nquality:\n  gps_max_meters: 5\n"; box.dispatchEvent(new Event("input")); return true; })(
				document.querySelector("#round-create textarea[name=rule]"))`, nil),
			webtest.Click(`#round-create [type=submit]`),
			webtest.WaitVisible(`#rule-form [data-error-for="rule.attempts"]`),
			webtest.WaitVisible(`#rule-form [data-error-group=rule] [data-error-for="rule.quality.gps_max_meters"]`))
		if got := u.TextOf(`#rule-form [data-error-for="rule.attempts"]`); got != c.attempts {
			t.Errorf("%s: attempts' problem = %q, want %q", c.lang, got, c.attempts)
		}
		// The problem sits in the attempts input's label.
		if n := u.Count(`#rule-form label:has([data-rule=attempts]) [data-error-for="rule.attempts"]`); n != 1 {
			t.Errorf("%s: the attempts problem is not beside its input", c.lang)
		}
		if got := u.TextOf(`#rule-form [data-error-for="rule.quality.gps_max_meters"]`); got != c.gps {
			t.Errorf("%s: gps_max_meters' problem = %q, want %q", c.lang, got, c.gps)
		}
		if got := u.TextOf(`#rule-form [data-error-for=rule]`); got == "" {
			t.Errorf("%s: no headline of the rule's problems", c.lang)
		}
		for _, w := range []int64{360, 1280} {
			u.Run("width", webtest.Viewport(w, 900))
			u.Shot("rule-problems-" + c.lang + "-" + map[int64]string{360: "360", 1280: "1280"}[w])
		}
		u.Run("window", webtest.Viewport(1366, 900))
	}

	// Without the bad text: the round is created in the district's zone.
	u.Run("a good rule",
		webtest.Eval(`((box) => { box.value = "evening: 1\n"; box.dispatchEvent(new Event("input")); return true; })(
			document.querySelector("#round-create textarea[name=rule]"))`, nil),
		webtest.Click(`#round-create [type=submit]`))
	u.WaitFor(`#rounds tr[data-round="2"]`)
	id, err := db.RoundIDByName(t.Context(), "晚间规则")
	if err != nil {
		t.Fatal(err)
	}
	ri, err := db.RoundInfoByID(t.Context(), id)
	var rule fieldwork.Rule
	if err != nil || json.Unmarshal([]byte(ri.ReplacementRule), &rule) != nil || rule.TimeZone != "Asia/Kolkata" {
		t.Fatalf("created round's rule = %s, %v", ri.ReplacementRule, err)
	}
}
