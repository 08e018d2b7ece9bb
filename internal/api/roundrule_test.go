package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestRoundRule: in a district whose zone is Asia/Kolkata, a round whose
// rule names no time zone stores Asia/Kolkata and one that names a zone
// keeps it; a bad rule answers 422 with each key's problem under its own
// field (rule.KEY), in the request's language.
func TestRoundRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sz := fieldtest.Small
		sz.Zone = "Asia/Kolkata"
		_, base := servertest.NewFieldServer(t, db, sz)
		admin := servertest.LoginAs(t, base, "admin")
		draw := func(name string) {
			t.Helper()
			if res, eb := servertest.PostJSON(t, admin, base+"/api/v1/samples", `{"name":"`+name+`","n":6,"per_community":3,"seed":"5"}`); res.StatusCode != http.StatusCreated {
				t.Fatalf("draw %s = %d %+v", name, res.StatusCode, eb)
			}
		}
		stored := func(name string) fieldwork.Rule {
			t.Helper()
			id, err := db.RoundIDByName(t.Context(), name)
			if err != nil {
				t.Fatal(err)
			}
			ri, err := db.RoundInfoByID(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			var r fieldwork.Rule
			if err := json.Unmarshal([]byte(ri.ReplacementRule), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		for _, c := range []struct{ name, rule, want string }{
			{"no rule", ``, "Asia/Kolkata"},
			{"a rule without a zone", `,"rule":"attempts: 4\n"`, "Asia/Kolkata"},
			{"a JSON rule without a zone", `,"rule":{"attempts":4}`, "Asia/Kolkata"},
			{"a rule with its zone", `,"rule":"attempts: 4\ntime_zone: Asia/Shanghai\n"`, "Asia/Shanghai"},
		} {
			draw(c.name)
			res, eb := servertest.PostJSON(t, admin, base+"/api/v1/rounds", `{"name":"`+c.name+`","questionnaire":"field","sample":"`+c.name+`"`+c.rule+`}`)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("%s = %d %+v", c.name, res.StatusCode, eb)
			}
			if r := stored(c.name); r.TimeZone != c.want || r.Location().String() != c.want {
				t.Errorf("%s: stored time_zone %q, want %q", c.name, r.TimeZone, c.want)
			}
		}

		// A bad rule: each problem under its own field, in Chinese first
		// and English last (?lang= is remembered in a cookie).
		draw("坏规则")
		body := `{"name":"坏规则","questionnaire":"field","sample":"坏规则","rule":"attempts: 0\nquality:\n  gps_max_meters: 5\ntime_zone: Mars/Base\n"}`
		for _, c := range []struct {
			lang   string
			header map[string]string
			want   map[string]string
		}{
			{"?lang=zh-CN", nil, map[string]string{
				"rule":                        "规则有问题：请看各项设置旁的说明",
				"rule.attempts":               "第 1 行：必须在 1 到 20 之间，实际为 0",
				"rule.quality.gps_max_meters": "第 3 行：必须在 10 到 100000 之间，实际为 5",
				"rule.time_zone":              `第 4 行：未知时区 "Mars/Base"；请使用 IANA 名称，例如 "Asia/Shanghai"`,
			}},
			{"?lang=en", map[string]string{"Accept-Language": "en"}, map[string]string{
				"rule":                        "the rule has problems: see each setting",
				"rule.attempts":               "line 1: must be between 1 and 20, got 0",
				"rule.quality.gps_max_meters": "line 3: must be between 10 and 100000, got 5",
				"rule.time_zone":              `line 4: unknown time zone "Mars/Base"; use an IANA name such as "Asia/Shanghai"`,
			}},
		} {
			res, b := servertest.Send(t, admin, "POST", base+"/api/v1/rounds"+c.lang, "application/json", body, c.header)
			var eb server.ErrorBody
			if res.StatusCode != http.StatusUnprocessableEntity || json.Unmarshal(b, &eb) != nil {
				t.Fatalf("bad rule (%s) = %d %s", c.lang, res.StatusCode, b)
			}
			if len(eb.Error.Fields) != len(c.want) {
				t.Errorf("bad rule (%s): fields %q, want %q", c.lang, eb.Error.Fields, c.want)
			}
			for k, want := range c.want {
				if got := eb.Error.Fields[k]; got != want {
					t.Errorf("bad rule (%s): %s = %q, want %q", c.lang, k, got, want)
				}
				if k != "rule" && eb.Error.FieldCodes[k].Code != "line" {
					t.Errorf("bad rule (%s): %s has code %+v, want line", c.lang, k, eb.Error.FieldCodes[k])
				}
			}
			if strings.Contains(string(b), "invalid fieldwork rule") {
				t.Errorf("bad rule (%s): the parser's headline leaked: %s", c.lang, b)
			}
		}
	})
}
