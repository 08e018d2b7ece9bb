package conclude

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// chengguan is the example: 城关街道's satisfaction, its interval
// wholly below the target, with its weakest item.
func chengguan() Figure {
	return Figure{Place: "城关街道", Label: "满意率", Percent: true, Est: 0.737, Lo: 0.678, Hi: 0.788,
		Target: 0.85, HasTarget: true, N: 250, MinCell: 30, Weakest: &Item{Label: "公共设施", Est: 0.70, Percent: true}}
}

func TestWrite(t *testing.T) {
	nan := math.NaN()
	en := func(f Figure) Figure {
		f.Label = "Satisfaction rate"
		if f.Weakest != nil {
			f.Weakest = &Item{Label: "Public facilities", Est: f.Weakest.Est, Percent: true}
		}
		return f
	}
	with := func(edit func(*Figure)) Figure {
		f := chengguan()
		edit(&f)
		return f
	}
	straddle := with(func(f *Figure) { f.Est, f.Lo, f.Hi, f.Weakest = 0.84, 0.79, 0.885, nil })
	meets := with(func(f *Figure) { f.Est, f.Lo, f.Hi, f.Weakest = 0.91, 0.85, 0.95, nil })
	few := with(func(f *Figure) { f.N, f.Est, f.Lo, f.Hi = 12, nan, nan, nan })
	fewWithFigure := with(func(f *Figure) { f.N = 12 }) // a figure the page would suppress: still no claim
	district := with(func(f *Figure) { f.Place, f.Weakest, f.Est, f.Lo, f.Hi = "", nil, 0.80, 0.77, 0.83 })
	points := with(func(f *Figure) {
		f.Label, f.Percent, f.Est, f.Lo, f.Hi, f.Target, f.Weakest = "满意度得分", false, 86.2, 85.1, 87.3, 85, nil
	})
	noInterval := with(func(f *Figure) { f.Est, f.Lo, f.Hi, f.Weakest = 1, nan, nan, nil })
	small := with(func(f *Figure) { f.Small, f.Weakest = true, nil })
	noTarget := with(func(f *Figure) { f.HasTarget, f.Weakest = false, nil })

	cases := []struct {
		name    string
		s       Summary
		zh, en  []string
		verdict Verdict
	}{
		{"below", Summary{Figures: []Figure{chengguan()}},
			[]string{"城关街道满意率 73.7%（95% 置信区间 67.8%–78.8%），整个区间低于目标 85%，可以有把握地说低于目标；各分项中最低的是公共设施（70.0%）。"},
			[]string{"Satisfaction rate in 城关街道: 73.7% (95% confidence interval 67.8%–78.8%); the whole interval is below the target of 85%, so we can say with confidence that it is below the target; the lowest of its items is Public facilities (70.0%)."},
			Below},
		{"straddles", Summary{Figures: []Figure{straddle}},
			[]string{"城关街道满意率 84.0%（95% 置信区间 79.0%–88.5%），区间包含目标 85%，还不能说是否达到目标。"},
			[]string{"Satisfaction rate in 城关街道: 84.0% (95% confidence interval 79.0%–88.5%); the interval contains the target of 85%, so we cannot say whether it meets the target."},
			Straddles},
		{"meets", Summary{Figures: []Figure{meets}},
			[]string{"城关街道满意率 91.0%（95% 置信区间 85.0%–95.0%），整个区间不低于目标 85%，可以有把握地说达到目标。"},
			[]string{"Satisfaction rate in 城关街道: 91.0% (95% confidence interval 85.0%–95.0%); the whole interval is at or above the target of 85%, so we can say with confidence that it meets the target."},
			Meets},
		{"too few", Summary{Figures: []Figure{few}},
			[]string{"城关街道满意率：只有 12 位受访者，少于下结论所需的 30 位，暂不下结论。"},
			[]string{"Satisfaction rate in 城关街道: only 12 respondents, fewer than the 30 needed for a conclusion, so none is drawn."},
			TooFew},
		{"too few with a figure", Summary{Figures: []Figure{fewWithFigure}},
			[]string{"城关街道满意率：只有 12 位受访者，少于下结论所需的 30 位，暂不下结论。"},
			[]string{"Satisfaction rate in 城关街道: only 12 respondents, fewer than the 30 needed for a conclusion, so none is drawn."},
			TooFew},
		{"simulated", Summary{Simulated: true, Figures: []Figure{district}},
			[]string{"以下数字来自模拟数据，只用于演示和练习，不是真实调查的结果。",
				"全区满意率 80.0%（95% 置信区间 77.0%–83.0%），整个区间低于目标 85%，可以有把握地说低于目标。"},
			[]string{"These figures come from simulated data, for demonstration and practice only; they are not the results of a real survey.",
				"Satisfaction rate in the district: 80.0% (95% confidence interval 77.0%–83.0%); the whole interval is below the target of 85%, so we can say with confidence that it is below the target."},
			Below},
		{"interim", Summary{Interim: true, Figures: []Figure{straddle}},
			[]string{"调查还在进行，以下数字只根据已经完成的访问，结束前还会变化。",
				"城关街道满意率 84.0%（95% 置信区间 79.0%–88.5%），区间包含目标 85%，还不能说是否达到目标。"},
			[]string{"Fieldwork is still going on: the figures below rest on the interviews done so far and will change before it ends.",
				"Satisfaction rate in 城关街道: 84.0% (95% confidence interval 79.0%–88.5%); the interval contains the target of 85%, so we cannot say whether it meets the target."},
			Straddles},
		{"points", Summary{Figures: []Figure{points}},
			[]string{"城关街道满意度得分 86.2 分（95% 置信区间 85.1 分–87.3 分），整个区间不低于目标 85 分，可以有把握地说达到目标。"},
			nil, Meets},
		{"no interval", Summary{Figures: []Figure{noInterval}},
			[]string{"城关街道满意率 100.0%，但算不出置信区间，对目标不下结论。"},
			[]string{"Satisfaction rate in 城关街道: 100.0%, but no confidence interval can be computed, so no conclusion about the target is drawn."},
			NoInterval},
		{"small effective sample", Summary{Figures: []Figure{small}},
			[]string{"城关街道满意率 73.7%（95% 置信区间 67.8%–78.8%），整个区间低于目标 85%，可以有把握地说低于目标；有效样本量不足 30，这个区间要谨慎看待。"},
			nil, Below},
		{"no target", Summary{Figures: []Figure{noTarget}},
			[]string{"城关街道满意率 73.7%（95% 置信区间 67.8%–78.8%）。"},
			[]string{"Satisfaction rate in 城关街道: 73.7% (95% confidence interval 67.8%–78.8%)."},
			NoTarget},
		{"respondent group", Summary{Figures: []Figure{with(func(f *Figure) { f.Group, f.Weakest = "性别：女", nil })}},
			[]string{"城关街道（性别：女）满意率 73.7%（95% 置信区间 67.8%–78.8%），整个区间低于目标 85%，可以有把握地说低于目标。"},
			nil, Below},
		{"no respondent", Summary{Figures: []Figure{with(func(f *Figure) { f.N, f.Est = 0, nan })}},
			[]string{"城关街道满意率：还没有受访者，暂时没有数字。"},
			[]string{"Satisfaction rate in 城关街道: no respondents yet, so there is no figure."},
			None},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.s.Figures[len(c.s.Figures)-1]
			if got := Judge(f); got != c.verdict {
				t.Errorf("Judge = %s, want %s", got, c.verdict)
			}
			if got := Write("zh-CN", c.s); !slices.Equal(got, c.zh) {
				t.Errorf("zh-CN:\n got %q\nwant %q", got, c.zh)
			}
			if c.en == nil {
				return
			}
			s := c.s
			s.Figures = []Figure{en(f)}
			if got := Write("en", s); !slices.Equal(got, c.en) {
				t.Errorf("en:\n got %q\nwant %q", got, c.en)
			}
		})
	}
}

func TestStreetsSentence(t *testing.T) {
	fig := func(place string, lo, hi float64, n int64) Figure {
		return Figure{Place: place, Label: "满意率", Percent: true, Est: (lo + hi) / 2, Lo: lo, Hi: hi, Target: 0.85, HasTarget: true, N: n, MinCell: 30}
	}
	var s Streets
	s.Label = "满意率"
	for _, f := range []Figure{fig("城关街道", 0.68, 0.79, 250), fig("东城街道", 0.70, 0.84, 250), fig("南湖街道", 0.80, 0.9, 250),
		fig("北山街道", 0.86, 0.95, 250), fig("河西街道", 0.80, 0.9, 10)} {
		s.Add(f)
	}
	want := "满意率：5 个街道中，2 个整个区间低于目标（城关街道、东城街道），1 个还不能说是否达到目标，1 个可以有把握地说达到目标，1 个受访者太少、不下结论。"
	if got := StreetsSentence("zh-CN", s); got != want {
		t.Errorf("zh-CN:\n got %q\nwant %q", got, want)
	}
	s.Label = "Satisfaction rate"
	want = "Satisfaction rate across the 5 streets: whole interval below the target in 2 (城关街道, 东城街道); cannot yet say whether it meets the target in 1; meets the target with confidence in 1; too few respondents for a conclusion in 1."
	if got := StreetsSentence("en", s); got != want {
		t.Errorf("en:\n got %q\nwant %q", got, want)
	}
	if got := StreetsSentence("en", Streets{}); got != "" {
		t.Errorf("no streets: %q", got)
	}
}

// TestNeverClaimsMore draws random intervals and targets and checks that a
// sentence claims "below" or "meets" only when the whole interval says so,
// and never claims anything below the minimum cell or without an interval.
func TestNeverClaimsMore(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	claims := map[string][2]string{
		"zh-CN": {"可以有把握地说低于目标", "可以有把握地说达到目标"},
		"en":    {"with confidence that it is below", "with confidence that it meets"},
	}
	for i := 0; i < 5000; i++ {
		lo := r.Float64()
		hi := lo + r.Float64()*(1-lo)
		if r.IntN(20) == 0 {
			lo, hi = math.NaN(), math.NaN()
		}
		f := Figure{Place: "X", Label: "L", Percent: true, Est: r.Float64(), Lo: lo, Hi: hi,
			Target: float64(r.IntN(21)) / 20, HasTarget: r.IntN(10) > 0, N: int64(r.IntN(60)), MinCell: 30}
		for _, lang := range Languages {
			s := Sentence(lang, f)
			ok := f.N >= 30 && !math.IsNaN(f.Est) && f.HasTarget && !math.IsNaN(lo)
			if strings.Contains(s, claims[lang][0]) && !(ok && hi < f.Target) {
				t.Fatalf("%s claims below for %+v: %s", lang, f, s)
			}
			if strings.Contains(s, claims[lang][1]) && !(ok && lo >= f.Target) {
				t.Fatalf("%s claims meets for %+v: %s", lang, f, s)
			}
			if ok && (hi < f.Target || lo >= f.Target) && !strings.Contains(s, claims[lang][0]) && !strings.Contains(s, claims[lang][1]) {
				t.Fatalf("%s makes no claim the interval allows for %+v: %s", lang, f, s)
			}
		}
	}
}

// TestPhrases checks that every language has the same phrases.
func TestPhrases(t *testing.T) {
	for _, lang := range Languages {
		if len(phrases[lang]) == 0 {
			t.Fatalf("no phrases in %s", lang)
		}
		for k := range phrases[lang] {
			for _, other := range Languages {
				if _, ok := phrases[other][k]; !ok {
					t.Errorf("phrase %q of %s is missing in %s", k, lang, other)
				}
			}
		}
	}
	if len(phrases) != len(Languages) {
		t.Errorf("phrases.json has %d languages, want %d", len(phrases), len(Languages))
	}
}
