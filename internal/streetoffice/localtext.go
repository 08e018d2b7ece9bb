package streetoffice

import (
	"regexp"
	"strings"

	"github.com/minyi-survey/minyi/internal/fieldwork"
)

// The quality checks write each flag's detail in plain English
// (fieldwork.Check); a Chinese page shows it in Chinese. Each pattern is
// one of Check's formats; a detail matching none (an older or a new format)
// is shown as it was written.
var flagTextZH = []struct {
	re   *regexp.Regexp
	repl func(m []string) string
}{
	{regexp.MustCompile(`^took (\S+); at least (\S+) expected \((\d+) s for each of (\d+) answered questions\)$`), func(m []string) string {
		return "用时 " + durationZH(m[1]) + "，至少应为 " + durationZH(m[2]) + "（已答 " + m[4] + " 题，每题 " + m[3] + " 秒）"
	}},
	{regexp.MustCompile(`^took (\S+); at least (\S+) expected \(quality\.min_duration_seconds\)$`), func(m []string) string {
		return "用时 " + durationZH(m[1]) + "，至少应为 " + durationZH(m[2]) + "（规则中的最短时长）"
	}},
	{regexp.MustCompile(`^completed (\S+) before it started; check the tablet's clock$`), func(m []string) string {
		return "结束时间比开始时间早 " + durationZH(m[1]) + "，请检查平板的时钟"
	}},
	{regexp.MustCompile(`^all (\d+) satisfaction items answered with code (\d+)$`), func(m []string) string {
		return "全部 " + m[1] + " 道满意度题都选了代码 " + m[2]
	}},
	{regexp.MustCompile(`^(\S+ k?m) from the median position of the (\d+) other interviews in the community \(limit (\S+ k?m)\)$`), func(m []string) string {
		return "距本社区其他 " + m[2] + " 次访问的中位位置 " + metersZH(m[1]) + "（上限 " + metersZH(m[3]) + "）"
	}},
	{regexp.MustCompile(`^the same answers to (\d+) questions as responses? ([\d, ]+)$`), func(m []string) string {
		return "有 " + m[1] + " 道题的答案与问卷 " + strings.ReplaceAll(m[2], ", ", "、") + " 完全相同"
	}},
	{regexp.MustCompile(`^overlaps (.+) of the same interviewer$`), func(m []string) string {
		parts := strings.Split(m[1], ", ")
		one := regexp.MustCompile(`^response (\d+) by (\S+)$`)
		for i, p := range parts {
			pm := one.FindStringSubmatch(p)
			if pm == nil {
				return ""
			}
			parts[i] = "问卷 " + pm[1] + " 重叠 " + durationZH(pm[2])
		}
		return "与同一访员的其他访问时间重叠：" + strings.Join(parts, "；")
	}},
}

var durationPart = regexp.MustCompile(`(\d+(?:\.\d+)?)(h|m|s)`)

// durationZH writes a Go duration ("1m46s") in Chinese ("1分46秒").
func durationZH(d string) string {
	return durationPart.ReplaceAllStringFunc(d, func(p string) string {
		m := durationPart.FindStringSubmatch(p)
		return m[1] + map[string]string{"h": "小时", "m": "分", "s": "秒"}[m[2]]
	})
}

// metersZH writes "350 m" or "1.2 km" as 米 or 公里.
func metersZH(s string) string {
	if v, ok := strings.CutSuffix(s, " km"); ok {
		return v + " 公里"
	}
	if v, ok := strings.CutSuffix(s, " m"); ok {
		return v + " 米"
	}
	return s
}

// localFlags returns flags with their details in lang: Chinese for zh-CN
// where the detail has a known format, as written otherwise.
func localFlags(fs []fieldwork.Flag, lang string) []fieldwork.Flag {
	if lang != "zh-CN" {
		return fs
	}
	out := make([]fieldwork.Flag, len(fs))
	for i, f := range fs {
		out[i] = f
		for _, p := range flagTextZH {
			if m := p.re.FindStringSubmatch(f.Detail); m != nil {
				if s := p.repl(m); s != "" {
					out[i].Detail = s
				}
				break
			}
		}
	}
	return out
}

// The replacement rule's reasons (fieldwork.Assess): parts joined by "; ",
// each one of these, in Chinese. A reason with a part matching none is
// shown as it was written, whole.
var reasonTextZH = []struct {
	re   *regexp.Regexp
	repl func(m []string) string
}{
	{regexp.MustCompile(`^screened out as not eligible during the interview$`), func([]string) string { return "访问中甄别为不符合条件" }},
	{regexp.MustCompile(`^the respondent stopped the interview midway$`), func([]string) string { return "受访者中途停止访问" }},
	{regexp.MustCompile(`^interview completed$`), func([]string) string { return "访问完成" }},
	{regexp.MustCompile(`^(.+) \(visit of (\d{4}-\d\d-\d\d \d\d:\d\d)\)$`), func(m []string) string {
		d, ok := map[string]string{
			"refused":                                               "拒访",
			"not eligible: the dwelling is vacant":                  "不符合条件：空置房",
			"not eligible: no adult resident":                       "不符合条件：无成年居民",
			"not eligible: no resident has lived there long enough": "不符合条件：无居住满规定时长的居民",
			"language barrier":                                      "语言障碍",
		}[m[1]]
		if !ok {
			return ""
		}
		return d + "（" + m[2] + " 入户）"
	}},
	{regexp.MustCompile(`^interviewed on (\d{4}-\d\d-\d\d \d\d:\d\d)$`), func(m []string) string { return m[1] + " 已访问" }},
	{regexp.MustCompile(`^the response has not been accepted yet$`), func([]string) string { return "问卷尚未被接收" }},
	{regexp.MustCompile(`^(\d+) unsuccessful attempts? on (\d+) days?, (\d+) in the evening$`), func(m []string) string {
		return "未成功入户 " + m[1] + " 次，分 " + m[2] + " 天，其中晚间 " + m[3] + " 次"
	}},
	{regexp.MustCompile(`^no one ever answered the door$`), func([]string) string { return "始终无人应门" }},
	{regexp.MustCompile(`^someone answered the door but no interview was obtained$`), func([]string) string { return "有人应门但未能访问" }},
	{regexp.MustCompile(`^non-contact needs (\d+) on (\d+) days?(?:, (\d+) from (\d\d?:\d\d))?$`), func(m []string) string {
		s := "判为无法接触需入户 " + m[1] + " 次、分 " + m[2] + " 天"
		if m[3] != "" {
			s += "，其中 " + m[3] + " 次在 " + m[4] + " 之后"
		}
		return s
	}},
	{regexp.MustCompile(`^no replacement \((\w+) is off\)$`), func(m []string) string { return "不替换（规则中 " + m[1] + " 未开启）" }},
	{regexp.MustCompile(`^replacement released automatically$`), func([]string) string { return "已自动启用替换户" }},
	{regexp.MustCompile(`^replacement due, waiting for a supervisor's approval$`), func([]string) string { return "应替换，等待督导批准" }},
}

// localReason returns a replacement reason in lang: Chinese for zh-CN when
// every part of it has a known form, as written otherwise.
func localReason(reason, lang string) string {
	if lang != "zh-CN" || reason == "" {
		return reason
	}
	parts := strings.Split(reason, "; ")
	for i, p := range parts {
		done := false
		for _, r := range reasonTextZH {
			if m := r.re.FindStringSubmatch(p); m != nil {
				parts[i], done = r.repl(m), true
				break
			}
		}
		if !done || parts[i] == "" {
			return reason
		}
	}
	return strings.Join(parts, "；")
}
