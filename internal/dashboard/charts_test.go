package dashboard

import (
	"bytes"
	"encoding/xml"
	"flag"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/web"
)

var updateCharts = flag.Bool("update", false, "rewrite testdata/chart_*.svg from the chart templates")

// chartTemplates parses the chart partials as the pages do (web.Funcs).
func chartTemplates(t *testing.T) *template.Template {
	t.Helper()
	tpl := template.New("charts").Option("missingkey=error").Funcs(web.Funcs)
	for _, name := range []string{"chart_common", "chart_forest", "chart_change", "chart_bars", "chart_days", "chart_spark"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "web", "templates", "partials", name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tpl.Parse(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return tpl
}

// chartKeys are the strings the chart templates need, as their keys (so
// the golden files do not change with the wording).
func chartKeys() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"dash.chart.table", "dash.chart.target", "dash.col.domain", "dash.col.estimate", "dash.col.ci", "dash.col.n", "dash.col.flag",
		"dash.col.item", "dash.col.day", "dash.suppressed.short", "dash.missing", "dash.district", "dash.flag.below", "dash.flag.straddle", "dash.flag.meets",
		"dash.compare.now", "dash.compare.before", "dash.compare.change", "dash.days.interviews", "dash.days.final", "dash.days.rr1", "dash.spark.aria",
		"chart.forest", "chart.forest.aria", "chart.change", "chart.change.aria", "chart.bars", "chart.bars.aria", "chart.days", "chart.days.aria", "rate.interim.mark"} {
		m[k] = "[" + k + "]"
	}
	return m
}

// chartFixtures are one chart of each kind on fixed figures: a rate below
// its target, one straddling it, one reaching it, a suppressed one, one
// without an interval.
func chartFixtures() map[string]any {
	col := &dashColumn{ID: "satisfaction", Label: "满意率", Percent: true, Target: 0.85, HasTarget: true}
	cell := func(est, lo, hi float64, n int64) dashCell {
		return makeCell(col, stats.Estimate{Value: est, CILow: lo, CIHigh: hi, N: n, Deff: 1.5, EffectiveN: float64(n) / 1.5, SE: 0.03}, 30)
	}
	rows := []dashRow{
		{ID: 1, Name: "城关街道", Href: "/rounds/1/streets/1", Cells: []dashCell{cell(0.91, 0.87, 0.94, 120)}},
		{ID: 2, Name: "东城街道", Href: "/rounds/1/streets/2", Cells: []dashCell{cell(0.84, 0.78, 0.89, 110)}},
		{ID: 3, Name: "南湖街道", Href: "/rounds/1/streets/3", Cells: []dashCell{cell(0.71, 0.64, 0.78, 100)}},
		{ID: 4, Name: "西城街道", Cells: []dashCell{cell(0.6, 0.5, 0.7, 12)}},
		{ID: 5, Name: "北山街道", Cells: []dashCell{cell(1, math.NaN(), math.NaN(), 40)}},
	}
	district := cell(0.8, 0.77, 0.83, 382)
	items := []dashCell{}
	for i, v := range []float64{0.62, 0.78, 0.88} {
		c := &dashColumn{ID: "item" + string(rune('a'+i)), Label: []string{"农贸市场", "交通秩序", "环境卫生"}[i], Percent: true, Target: 0.85, HasTarget: true}
		items = append(items, makeCell(c, stats.Estimate{Value: v, CILow: v - 0.05, CIHigh: v + 0.04, N: 200, Deff: 1.2, EffectiveN: 166}, 30))
	}
	return map[string]any{
		"forest": newForest("forest", "chart.forest", "满意率", col, rows, &district),
		"change": newChange("change", "chart.change", "", true, []changeValue{
			{Label: "知晓率", Diff: 0.05, Lo: 0.01, Hi: 0.09, Now: 0.9, Before: 0.85},
			{Label: "支持率", Diff: -0.02, Lo: -0.07, Hi: 0.03, Now: 0.8, Before: 0.82},
			{Label: "满意率", Diff: -0.08, Lo: -0.12, Hi: -0.04, Now: 0.7, Before: 0.78},
			{Label: "参与率", Missing: true},
		}),
		"bars":  newBars("bars", "chart.bars", "全区", items),
		"days":  newDays("days", "chart.days", "", []dayValue{{"2026-11-20", 12, 20, 0.6}, {"2026-11-21", 30, 41, 0.7}, {"2026-11-22", 7, 9, 0.72}}, false),
		"spark": newSpark("城关街道", []string{"2026-11-20", "2026-11-21", "2026-11-22"}, map[string]int{"2026-11-20": 4, "2026-11-22": 9}, 9),
	}
}

// TestDaysChartInterim: during fieldwork the cumulative RR1 is on the
// households closed so far, so its legend (wide and narrow) and its
// table's column carry the interim mark, as every rate of the page; after
// the close, none.
func TestDaysChartInterim(t *testing.T) {
	tpl := chartTemplates(t)
	days := []dayValue{{"2026-11-20", 12, 20, 0.6}, {"2026-11-21", 30, 41, 0.7}}
	for _, interim := range []bool{true, false} {
		var buf bytes.Buffer
		if err := tpl.ExecuteTemplate(&buf, "chart_days", map[string]any{"T": chartKeys(), "C": newDays("days", "chart.days", "", days, interim)}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		want := 0
		if interim {
			want = 3 // the wide legend, the narrow legend, the table's header
		}
		if got := strings.Count(out, "data-interim-mark"); got != want {
			t.Errorf("interim %v: %d interim marks, want %d:\n%s", interim, got, want, out)
		}
		if interim && !strings.Contains(out, "[rate.interim.mark]") {
			t.Errorf("the interim mark does not say its words")
		}
		for _, svg := range chartSVGs(buf.Bytes()) {
			if err := xml.Unmarshal(svg, new(struct{})); err != nil {
				t.Errorf("interim %v: the SVG is not well-formed: %v", interim, err)
			}
		}
	}
}

// The chart templates write the same SVG for the same figures (golden
// files testdata/chart_*.svg, standalone SVG files, rewritten with
// -update), the SVG is well-formed XML with a role and a label, a table
// goes with it, and the forest plot's marks sit where its figures say.
func TestChartGolden(t *testing.T) {
	tpl := chartTemplates(t)
	T := chartKeys()
	for name, ch := range chartFixtures() {
		var buf bytes.Buffer
		if err := tpl.ExecuteTemplate(&buf, "chart_"+name, map[string]any{"T": T, "C": ch}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := buf.Bytes()
		// A chart is drawn wide and, but for the sparkline, narrow
		// (for phones): a golden file each.
		svgs := chartSVGs(out)
		if want := 2; name == "spark" && len(svgs) != 1 || name != "spark" && len(svgs) != want {
			t.Fatalf("%s: %d <svg> in\n%s", name, len(svgs), out)
		}
		for i, svg := range svgs {
			file := name
			if i == 1 {
				file += "_narrow"
				if !strings.Contains(string(svg), `class="chart-svg chart-narrow"`) {
					t.Errorf("%s: the second SVG is not the narrow one", name)
				}
			}
			checkChartSVG(t, file, svg)
		}
		if name != "spark" && !strings.Contains(string(out), "<table") {
			t.Errorf("%s: no table as its text alternative", name)
		}
	}
	// The forest plot's whiskers carry their figures; the suppressed street
	// and the one without an interval have none or a point.
	f := chartFixtures()["forest"].(*forestChart)
	if len(f.Rows) != 5 || f.Rows[3].Suppressed != true || !f.Rows[4].NoInterval || f.Rows[0].X0 >= f.Rows[0].X || f.Rows[0].X >= f.Rows[0].X1 {
		t.Errorf("forest rows %+v", f.Rows)
	}
	if f.Rows[0].Flag != flagMeets || f.Rows[1].Flag != flagStraddle || f.Rows[2].Flag != flagBelow || f.Rows[3].Flag != "" {
		t.Errorf("flags %q %q %q %q", f.Rows[0].Flag, f.Rows[1].Flag, f.Rows[2].Flag, f.Rows[3].Flag)
	}
	if f.TargetX <= f.Rows[2].X1 || f.TargetX >= f.Rows[0].X0 {
		t.Errorf("target at %v, red interval ends at %v, green starts at %v", f.TargetX, f.Rows[2].X1, f.Rows[0].X0)
	}
}

// chartSVGs returns the <svg> elements of a chart's HTML, in order.
func chartSVGs(out []byte) [][]byte {
	var svgs [][]byte
	for {
		i := bytes.Index(out, []byte("<svg"))
		j := bytes.Index(out, []byte("</svg>"))
		if i < 0 || j < i {
			return svgs
		}
		svgs = append(svgs, out[i:j+len("</svg>")])
		out = out[j+len("</svg>"):]
	}
}

// checkChartSVG checks that svg is well-formed XML with a role and a
// label, and the same as its golden file testdata/chart_<name>.svg
// (rewritten with -update).
func checkChartSVG(t *testing.T, name string, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Errorf("%s: SVG is not well-formed: %v", name, err)
			}
			break
		}
	}
	if !strings.Contains(string(svg), `role="img"`) || !strings.Contains(string(svg), `aria-label="`) {
		t.Errorf("%s: no role=img with an aria-label", name)
	}
	golden := filepath.Join("testdata", "chart_"+name+".svg")
	if *updateCharts {
		if err := os.WriteFile(golden, svg, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestChartGolden -update)", err)
	}
	if !bytes.Equal(svg, want) {
		t.Errorf("%s differs from %s (run with -update if the change is meant):\n%s", name, golden, svg)
	}
}

// The scales: nice ticks cover the data, shares stay within 0–100 %.
func TestNiceDomain(t *testing.T) {
	for _, c := range []struct {
		lo, hi  float64
		percent bool
		d0, d1  float64
	}{
		{0.64, 0.94, true, 0.6, 0.95},
		{0.01, 0.99, true, 0, 1},
		{-0.02, 1.03, true, 0, 1},
		{72, 91, false, 70, 92.5},
		{0.5, 0.5, true, 0.44, 0.56},
		{math.Inf(1), math.Inf(-1), true, 0, 1},
	} {
		d0, d1, ticks := niceDomain(c.lo, c.hi, c.percent, 8)
		if math.Abs(d0-c.d0) > 1e-9 || math.Abs(d1-c.d1) > 1e-9 || len(ticks) < 2 || len(ticks) > 12 {
			t.Errorf("niceDomain(%v, %v) = %v, %v, %v; want %v, %v", c.lo, c.hi, d0, d1, ticks, c.d0, c.d1)
		}
	}
}

// Cells: suppressed below the minimum cell, marked small when the
// effective sample is below it, flagged by the interval against the target.
func TestDashCells(t *testing.T) {
	col := &dashColumn{ID: "x", Percent: true, Target: 0.85, HasTarget: true}
	for _, c := range []struct {
		est, lo, hi, effN float64
		n                 int64
		flag              string
		suppressed, small bool
	}{
		{0.9, 0.86, 0.93, 80, 100, flagMeets, false, false},
		{0.85, 0.85, 0.9, 80, 100, flagMeets, false, false},
		{0.84, 0.80, 0.88, 80, 100, flagStraddle, false, false},
		{0.7, 0.6, 0.8499, 20, 40, flagBelow, false, true},
		{0.7, 0.6, 0.8, 20, 29, "", true, false},
		{1, math.NaN(), math.NaN(), 40, 40, flagMeets, false, false},
		{0, math.NaN(), math.NaN(), 40, 40, flagBelow, false, false},
	} {
		got := makeCell(col, stats.Estimate{Value: c.est, CILow: c.lo, CIHigh: c.hi, N: c.n, EffectiveN: c.effN}, 30)
		if got.Flag != c.flag || got.Suppressed != c.suppressed || got.Small != c.small || c.suppressed && !math.IsNaN(got.Est) {
			t.Errorf("%+v: flag %q suppressed %v small %v est %v", c, got.Flag, got.Suppressed, got.Small, got.Est)
		}
	}
	// Sorting: by estimate, suppressed and missing last in either direction.
	mk := func(name string, est float64, n int64) dashRow {
		return dashRow{Name: name, Cells: []dashCell{makeCell(col, stats.Estimate{Value: est, N: n, CILow: est - .01, CIHigh: est + .01}, 30)}}
	}
	rows := []dashRow{mk("b", 0.7, 50), mk("a", 0.9, 10), mk("c", 0.8, 50), mk("d", 0.8, 60)}
	sortRows(rows, "x", true)
	if got := rows[0].Name + rows[1].Name + rows[2].Name + rows[3].Name; got != "cdba" {
		t.Errorf("descending: %s", got)
	}
	sortRows(rows, "x", false)
	if got := rows[0].Name + rows[1].Name + rows[2].Name + rows[3].Name; got != "bcda" {
		t.Errorf("ascending: %s", got)
	}
}

// A narrow chart's label that would not fit its width is shortened with
// "…"; one that fits is kept whole.
func TestFitLabel(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"城关街道", "城关街道"},
		{"Satisfaction with the community environment", "Satisfaction with the community environment"},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五", "一二三四五六七八九十一二三四五六七八九十一二三…"},
		{"Satisfaction with the community environment and its public order", "Satisfaction with the community environmen…"},
	} {
		if got := fitLabel(c.in, narrowW-2*narrowLabelX, narrowLabelPx); got != c.want {
			t.Errorf("fitLabel(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
