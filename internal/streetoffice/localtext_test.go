package streetoffice

import (
	"regexp"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
)

// TestLocalFlags: the review pages in Chinese showed the quality checks'
// English details ("took 1m46s; at least 2m50s expected …"); every format
// fieldwork.Check writes reads in Chinese, an unknown one stays as written,
// and English pages keep the English.
func TestLocalFlags(t *testing.T) {
	cases := []struct{ detail, want string }{
		{"took 1m46s; at least 2m50s expected (10 s for each of 17 answered questions)", "用时 1分46秒，至少应为 2分50秒（已答 17 题，每题 10 秒）"},
		{"took 45s; at least 3m0s expected (quality.min_duration_seconds)", "用时 45秒，至少应为 3分0秒（规则中的最短时长）"},
		{"completed 2m0s before it started; check the tablet's clock", "结束时间比开始时间早 2分0秒，请检查平板的时钟"},
		{"all 8 satisfaction items answered with code 5", "全部 8 道满意度题都选了代码 5"},
		{"812 m from the median position of the 5 other interviews in the community (limit 500 m)", "距本社区其他 5 次访问的中位位置 812 米（上限 500 米）"},
		{"1.2 km from the median position of the 3 other interviews in the community (limit 500 m)", "距本社区其他 3 次访问的中位位置 1.2 公里（上限 500 米）"},
		{"the same answers to 12 questions as response 17", "有 12 道题的答案与问卷 17 完全相同"},
		{"the same answers to 12 questions as responses 17, 23", "有 12 道题的答案与问卷 17、23 完全相同"},
		{"overlaps response 4 by 5m0s, response 9 by 1m10s of the same interviewer", "与同一访员的其他访问时间重叠：问卷 4 重叠 5分0秒；问卷 9 重叠 1分10秒"},
		{"something new", "something new"},
	}
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	for _, c := range cases {
		in := []fieldwork.Flag{{Code: "x", Detail: c.detail}}
		got := localFlags(in, "zh-CN")[0].Detail
		if got != c.want {
			t.Errorf("zh-CN %q = %q, want %q", c.detail, got, c.want)
		}
		if c.want != c.detail && latin.MatchString(got) {
			t.Errorf("zh-CN %q still has English: %q", c.detail, got)
		}
		if en := localFlags(in, "en")[0].Detail; en != c.detail {
			t.Errorf("en %q = %q, want it unchanged", c.detail, en)
		}
		if in[0].Detail != c.detail {
			t.Errorf("localFlags changed its input: %q", in[0].Detail)
		}
	}
}

// TestLocalReason: the replacements page in Chinese showed the rule's
// English reasons ("screened out as not eligible during the interview;
// replacement due, …"); each form fieldwork.Assess writes reads in Chinese,
// and a reason with an unknown part stays whole as written.
func TestLocalReason(t *testing.T) {
	cases := []struct{ reason, want string }{
		{"screened out as not eligible during the interview; replacement due, waiting for a supervisor's approval", "访问中甄别为不符合条件；应替换，等待督导批准"},
		{"refused (visit of 2026-10-16 19:44); replacement released automatically", "拒访（2026-10-16 19:44 入户）；已自动启用替换户"},
		{"not eligible: the dwelling is vacant (visit of 2026-10-16 09:05); no replacement (on_not_eligible is off)", "不符合条件：空置房（2026-10-16 09:05 入户）；不替换（规则中 on_not_eligible 未开启）"},
		{"3 unsuccessful attempts on 2 days, 1 in the evening; no one ever answered the door; replacement due, waiting for a supervisor's approval", "未成功入户 3 次，分 2 天，其中晚间 1 次；始终无人应门；应替换，等待督导批准"},
		{"1 unsuccessful attempt on 1 day, 0 in the evening; non-contact needs 3 on 2 days, 1 from 18:00", "未成功入户 1 次，分 1 天，其中晚间 0 次；判为无法接触需入户 3 次、分 2 天，其中 1 次在 18:00 之后"},
		{"interviewed on 2026-10-16 19:44; the response has not been accepted yet", "2026-10-16 19:44 已访问；问卷尚未被接收"},
		{"the respondent stopped the interview midway", "受访者中途停止访问"},
		{"someone answered the door but no interview was obtained", "有人应门但未能访问"},
		{"moved (visit of 2026-10-16 19:44); replacement due, waiting for a supervisor's approval", "moved (visit of 2026-10-16 19:44); replacement due, waiting for a supervisor's approval"},
		{"", ""},
	}
	for _, c := range cases {
		if got := localReason(c.reason, "zh-CN"); got != c.want {
			t.Errorf("zh-CN %q = %q, want %q", c.reason, got, c.want)
		}
		if got := localReason(c.reason, "en"); got != c.reason {
			t.Errorf("en %q = %q, want it unchanged", c.reason, got)
		}
	}
}
