package dashboard

import (
	"math"
	"strconv"
)

// The dashboard's charts are SVG written by templates
// (web/templates/partials/chart_*.html) from the models below: Go places
// every mark (the scales are here, where they are tested), the template
// writes the elements and the text, which stays text (Chinese labels
// render with the browser's fonts and can be selected). Every chart has a
// table beside it as its text alternative.

// linear maps a data interval onto a pixel interval.
type linear struct{ d0, d1, r0, r1 float64 }

func (s linear) at(v float64) float64 {
	if s.d1 == s.d0 {
		return s.r0
	}
	x := s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
	return math.Round(x*10) / 10 // a tenth of a pixel: stable golden files
}

// chartTick is a gridline with its label.
type chartTick struct {
	X, Y  float64
	Label string
}

// niceStep picks a step of 1, 2, 2.5 or 5 × 10^k giving at most max steps
// over span.
func niceStep(span float64, max int) float64 {
	if span <= 0 || math.IsNaN(span) {
		return 1
	}
	raw := span / float64(max)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// niceDomain widens [lo, hi] to whole steps (within [0, 1] for shares) and
// returns it with its ticks' values.
func niceDomain(lo, hi float64, percent bool, maxTicks int) (float64, float64, []float64) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 1
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-0.05, hi+0.05
	}
	step := niceStep(hi-lo, maxTicks)
	lo, hi = math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
	if percent {
		lo, hi = math.Max(lo, 0), math.Min(hi, 1)
		if hi <= lo {
			lo, hi = 0, 1
		}
	}
	return lo, hi, stepTicks(lo, hi, step)
}

// stepTicks are the values from lo to hi (whole steps) every step.
func stepTicks(lo, hi, step float64) []float64 {
	var ticks []float64
	for v := lo; v <= hi+step/1000; v += step {
		ticks = append(ticks, math.Round(v/step)*step)
	}
	return ticks
}

// tickLabel formats a tick value: a whole percentage for shares (a
// decimal when the step needs one), else a plain number.
func tickLabel(v float64, percent bool) string {
	if percent {
		p := v * 100
		if math.Abs(p-math.Round(p)) < 1e-9 {
			return strconv.Itoa(int(math.Round(p))) + "%"
		}
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// signedTickLabel is tickLabel for a change: "+5%" for a gain.
func signedTickLabel(v float64, percent bool) string {
	s := tickLabel(v, percent)
	if v > 1e-12 {
		return "+" + s
	}
	return s
}

// finite reports whether every value is a number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// anyShown reports whether a chart would draw anything: a figure neither
// suppressed nor missing.
func anyShown(cells []dashCell) bool {
	for _, c := range cells {
		if !c.Suppressed && !c.Missing {
			return true
		}
	}
	return false
}

// columnCells returns the rows' cells of a column.
func columnCells(rows []dashRow, col *dashColumn) []dashCell {
	out := make([]dashCell, len(rows))
	for i, r := range rows {
		out[i] = r.cell(col.ID)
	}
	return out
}

// rowLayout is the frame of a forest, change or item chart: its width,
// where its scale starts and ends, at most how many ticks, and where a
// row's label goes. Every such chart is drawn twice, wide (labels left of
// their rows, as on a desk) and narrow (labels above their rows, fewer
// ticks), and dashboard.css shows the one that fits the screen: on a
// phone the wide one would be scaled down to text of 4 px.
type rowLayout struct {
	W, Left, Right float64
	Ticks          int
	Above          bool // labels above their rows (narrow)
}

// The layouts of the row charts. The narrow one is drawn at about its own
// size on a 360 px phone (dashboard.css), so its text, 12–13 units, stays
// at 11 CSS px or more.
var (
	wideRows   = rowLayout{W: forestW, Left: forestLeft, Right: forestRight, Ticks: 8}
	narrowRows = rowLayout{W: narrowW, Left: 22, Right: narrowW - 22, Ticks: 4, Above: true}
)

// rowScale is the scale and row layout the forest, change and item charts
// share: rows apart from the top (forestRowH wide, narrowRowH narrow),
// the axis with its ticks below them, values placed on a linear scale
// between left and right.
type rowScale struct {
	x            linear
	top, h, rowH float64
	above        bool
}

func newRowScale(d0, d1, left, right float64, rows int, above bool) rowScale {
	rowH := forestRowH
	if above {
		rowH = narrowRowH
	}
	return rowScale{x: linear{d0, d1, left, right}, top: forestTop, h: forestTop + float64(rows)*rowH + forestAxis, rowH: rowH, above: above}
}

// y is where row i's mark is drawn: the middle of the row, or its lower
// part when the label sits above it.
func (s rowScale) y(i int) float64 {
	if s.above {
		return s.top + float64(i)*s.rowH + narrowMark
	}
	return s.top + (float64(i)+0.5)*s.rowH
}

// label is where row i's label is written (its baseline) and how it is
// anchored: at the left of the scale, ending there (wide), or above the
// mark from the chart's left edge (narrow).
func (s rowScale) label(i int) (x, y float64, anchor string) {
	if s.above {
		return narrowLabelX, s.top + float64(i)*s.rowH + 15, "start"
	}
	return s.x.r0 - 10, s.y(i) + 5, "end"
}

// targetLabel places the target's label under its line: centred, or, on a
// narrow chart near an edge, beside the line so that it is not cut.
func targetLabel(x float64, l rowLayout) (float64, string) {
	switch {
	case !l.Above:
		return x, "middle"
	case x > l.W*0.6:
		return x + 3, "end"
	case x < l.W*0.35:
		return x - 3, "start"
	}
	return x, "middle"
}

// ticks are the gridlines at vals on the axis, labelled by label.
func (s rowScale) ticks(vals []float64, percent bool, label func(float64, bool) string) []chartTick {
	var out []chartTick
	for _, v := range vals {
		out = append(out, chartTick{X: s.x.at(v), Y: s.h - forestAxis, Label: label(v, percent)})
	}
	return out
}

// mark places an estimate and its interval; without a finite interval
// (a rate of 0 or 1) the interval is the estimate alone.
func (s rowScale) mark(est, lo, hi float64) (x, x0, x1 float64, noInterval bool) {
	x = s.x.at(est)
	if !finite(lo, hi) {
		return x, x, x, true
	}
	return x, s.x.at(lo), s.x.at(hi), false
}

// cellRow is row i of a forest or item chart: a dashboard cell's estimate
// and interval, nothing drawn when it is suppressed or missing.
func (s rowScale) cellRow(i int, label, href string, c dashCell) forestRow {
	r := forestRow{Y: s.y(i), Label: label, Href: href, Est: c.Est, Lo: c.Lo, Hi: c.Hi, N: c.N,
		Flag: c.Flag, Suppressed: c.Suppressed, Small: c.Small, Missing: c.Missing}
	r.LX, r.LY, _ = s.label(i)
	if s.above {
		r.Label = fitLabel(label, narrowW-2*narrowLabelX, narrowLabelPx)
	} else {
		r.Label = fitLabel(label, r.LX-wideLabelMargin, wideLabelPx)
	}
	if !c.Suppressed && !c.Missing {
		r.X, r.X0, r.X1, r.NoInterval = s.mark(c.Est, c.Lo, c.Hi)
	}
	return r
}

// forestChart is a forest plot: one line per street (or community, or
// group), its estimate as a dot on the line of its interval, a vertical
// line at the target and a dashed one at the district's figure.
type forestChart struct {
	ID, Key, Subject string
	W, H, Top        float64
	Left, Right      float64
	Percent          bool
	Ticks            []chartTick
	TargetX          float64
	HasTarget        bool
	Target           float64
	TargetLX         float64 // the target's label
	TargetAnchor     string
	DistrictX        float64
	HasDistrict      bool
	District         float64
	Anchor           string // the rows' labels' text-anchor
	Rows             []forestRow
	Narrow           *forestChart // the same figures for a narrow screen
}

// forestRow is one line of a forest plot or one bar of an item chart:
// positions and, for the data-* attributes, the values drawn.
type forestRow struct {
	Y                 float64
	LX, LY            float64 // the label's place
	Label, Href       string
	X, X0, X1         float64
	Est, Lo, Hi       float64
	N                 int64
	Flag              string
	Suppressed, Small bool
	Missing           bool
	NoInterval        bool // the estimate without an interval (a rate of 0 or 1)
}

// Layout of the forest plot (and the change and item charts).
const (
	forestW, forestLeft, forestRight = 760.0, 170.0, 730.0
	forestRowH, forestTop            = 26.0, 16.0
	forestAxis                       = 34.0
	// narrowW is the width of the narrow charts; a narrow row is
	// narrowRowH high, its label above, its mark narrowMark from its top.
	narrowW, narrowRowH, narrowMark = 300.0, 40.0, 28.0
	// narrowLabelX is where a narrow row's label starts; narrowLabelPx
	// its font size (dashboard.css).
	narrowLabelX, narrowLabelPx = 8.0, 12.0
	// wideLabelPx is a wide row's label's font size (dashboard.css);
	// wideLabelMargin the room kept left of the longest label.
	wideLabelPx, wideLabelMargin = 13.0, 4.0
)

// fitLabel shortens a label with "…" so that, written at px, it takes at
// most room units: a narrow chart's label has the chart's width and no
// more (the SVG would cut it). The width is estimated: a Chinese character
// is 1 em, a Latin capital 0.68 em, other characters 0.52 em (system-ui
// and Noto Sans at worst). The chart's table keeps the whole label.
func fitLabel(label string, room, px float64) string {
	w := func(r rune) float64 { return runeWidth(r, px) }
	if labelWidth(label, px) <= room {
		return label
	}
	used, ell := 0.0, w('…')+px*0.1
	for i, r := range label {
		if used+w(r)+ell > room {
			return label[:i] + "…"
		}
		used += w(r)
	}
	return label
}

// runeWidth is the estimated width of r written at px (fitLabel).
func runeWidth(r rune, px float64) float64 {
	switch {
	case r >= 0x2E80:
		return px
	case r >= 'A' && r <= 'Z', r == 'm', r == 'w', r == 'M', r == 'W':
		return 0.68 * px
	}
	return 0.52 * px
}

// labelWidth is the estimated width of label written at px (fitLabel).
func labelWidth(label string, px float64) float64 {
	total := 0.0
	for _, r := range label {
		total += runeWidth(r, px)
	}
	return total
}

// newForest lays out the rows of a column (in the order given) against
// the column's target and the district's figure, wide and narrow.
func newForest(id, key, subject string, col *dashColumn, rows []dashRow, district *dashCell) *forestChart {
	ch := layoutForest(id, key, subject, col, rows, district, wideRows)
	ch.Narrow = layoutForest(id, key, subject, col, rows, district, narrowRows)
	return ch
}

func layoutForest(id, key, subject string, col *dashColumn, rows []dashRow, district *dashCell, l rowLayout) *forestChart {
	ch := &forestChart{ID: id, Key: key, Subject: subject, W: l.W, Top: forestTop, Left: l.Left, Right: l.Right, Percent: col.Percent}
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(vs ...float64) {
		for _, v := range vs {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	for _, r := range rows {
		c := r.cell(col.ID)
		if !c.Suppressed && !c.Missing {
			see(c.Est, c.Lo, c.Hi)
		}
	}
	if col.HasTarget {
		see(col.Target)
	}
	if district != nil && !district.Suppressed && !district.Missing {
		see(district.Est)
	}
	d0, d1, ticks := niceDomain(lo, hi, col.Percent, l.Ticks)
	sc := newRowScale(d0, d1, ch.Left, ch.Right, len(rows), l.Above)
	ch.H, ch.Ticks = sc.h, sc.ticks(ticks, col.Percent, tickLabel)
	_, _, ch.Anchor = sc.label(0)
	if col.HasTarget {
		ch.HasTarget, ch.Target, ch.TargetX = true, col.Target, sc.x.at(col.Target)
		ch.TargetLX, ch.TargetAnchor = targetLabel(ch.TargetX, l)
	}
	if district != nil && !district.Suppressed && !district.Missing {
		ch.HasDistrict, ch.District, ch.DistrictX = true, district.Est, sc.x.at(district.Est)
	}
	for i, r := range rows {
		ch.Rows = append(ch.Rows, sc.cellRow(i, r.Name, r.Href, r.cell(col.ID)))
	}
	return ch
}

// changeChart shows differences between two rounds (or two streets) with
// their intervals around a zero line.
type changeChart struct {
	ID, Key, Subject string
	W, H, Top        float64
	Left, Right      float64
	Percent          bool
	Ticks            []chartTick
	ZeroX            float64
	Anchor           string // the rows' labels' text-anchor
	Rows             []changeRow
	Narrow           *changeChart // the same figures for a narrow screen
}

// changeRow is one difference; Dir is "up" or "down" when its interval
// excludes zero, "" when it does not.
type changeRow struct {
	Y            float64
	LX, LY       float64 // the label's place
	Label        string
	X, X0, X1    float64
	Diff, Lo, Hi float64
	Now, Before  float64
	Dir          string
	Missing      bool
	NoInterval   bool
}

// changeValue is one difference to draw.
type changeValue struct {
	Label        string
	Diff, Lo, Hi float64
	Now, Before  float64
	Missing      bool
}

// newChange lays out differences, wide and narrow.
func newChange(id, key, subject string, percent bool, vals []changeValue) *changeChart {
	ch := layoutChange(id, key, subject, percent, vals, wideRows)
	ch.Narrow = layoutChange(id, key, subject, percent, vals, narrowRows)
	return ch
}

func layoutChange(id, key, subject string, percent bool, vals []changeValue, l rowLayout) *changeChart {
	ch := &changeChart{ID: id, Key: key, Subject: subject, W: l.W, Top: forestTop, Left: l.Left, Right: l.Right, Percent: percent}
	lo, hi := 0.0, 0.0
	for _, v := range vals {
		for _, f := range []float64{v.Diff, v.Lo, v.Hi} {
			if !v.Missing && finite(f) {
				lo, hi = math.Min(lo, f), math.Max(hi, f)
			}
		}
	}
	step := niceStep(hi-lo, l.Ticks)
	if hi-lo < 1e-9 {
		step = 0.05
	}
	d0, d1 := math.Floor(lo/step+1e-9)*step, math.Ceil(hi/step-1e-9)*step
	if d0 == d1 {
		d0, d1 = d0-step, d1+step
	}
	sc := newRowScale(d0, d1, ch.Left, ch.Right, len(vals), l.Above)
	ch.H, ch.Ticks = sc.h, sc.ticks(stepTicks(d0, d1, step), percent, signedTickLabel)
	ch.ZeroX = sc.x.at(0)
	_, _, ch.Anchor = sc.label(0)
	for i, v := range vals {
		r := changeRow{Y: sc.y(i), Label: v.Label, Diff: v.Diff, Lo: v.Lo, Hi: v.Hi, Now: v.Now, Before: v.Before, Missing: v.Missing || !finite(v.Diff)}
		r.LX, r.LY, _ = sc.label(i)
		if sc.above {
			r.Label = fitLabel(v.Label, narrowW-2*narrowLabelX, narrowLabelPx)
		}
		if !r.Missing {
			r.X, r.X0, r.X1, r.NoInterval = sc.mark(v.Diff, v.Lo, v.Hi)
			switch {
			case r.NoInterval:
			case v.Lo > 0:
				r.Dir = "up"
			case v.Hi < 0:
				r.Dir = "down"
			}
		}
		ch.Rows = append(ch.Rows, r)
	}
	return ch
}

// barChart shows items (satisfaction topics) as bars from zero with their
// intervals, weakest first, and the target line.
type barChart struct {
	ID, Key, Subject string
	W, H, Top        float64
	Left, Right      float64
	Percent          bool
	Ticks            []chartTick
	HasTarget        bool
	Target, TargetX  float64
	ZeroX            float64
	Anchor           string // the rows' labels' text-anchor
	Rows             []forestRow
	Narrow           *barChart // the same figures for a narrow screen
}

// newBars lays out item cells (in the order given) on a scale from zero,
// wide and narrow.
func newBars(id, key, subject string, cells []dashCell) *barChart {
	wide := wideRows
	wide.Left += 30 // the items' names are longer than the streets'
	// In English they are longer still ("Satisfaction with the community
	// environment"): the labels' room widens to the longest, up to half
	// the chart; a longer one is shortened (fitLabel) rather than cut.
	for _, c := range cells {
		wide.Left = math.Max(wide.Left, labelWidth(c.Col.Label, wideLabelPx)+wideLabelMargin+10)
	}
	wide.Left = math.Min(wide.Left, wide.W/2)
	ch := layoutBars(id, key, subject, cells, wide)
	ch.Narrow = layoutBars(id, key, subject, cells, narrowRows)
	return ch
}

func layoutBars(id, key, subject string, cells []dashCell, l rowLayout) *barChart {
	ch := &barChart{ID: id, Key: key, Subject: subject, W: l.W, Top: forestTop, Left: l.Left, Right: l.Right}
	percent, hi := true, 0.0
	target, hasTarget := 0.0, false
	for _, c := range cells {
		percent = percent && c.Col.Percent
		if !c.Suppressed && !c.Missing {
			for _, v := range []float64{c.Est, c.Hi} {
				if finite(v) {
					hi = math.Max(hi, v)
				}
			}
		}
		if c.Col.HasTarget && !hasTarget {
			target, hasTarget = c.Col.Target, true
		}
	}
	ch.Percent = percent
	d1 := 1.0
	if !percent {
		step := niceStep(math.Max(hi, target), 5)
		d1 = math.Max(step, math.Ceil(math.Max(hi, target)/step)*step)
	}
	sc := newRowScale(0, d1, ch.Left, ch.Right, len(cells), l.Above)
	maxTicks := 10
	if l.Above {
		maxTicks = l.Ticks
	}
	_, _, ticks := niceDomain(0, d1, percent, maxTicks)
	ch.H, ch.Ticks = sc.h, sc.ticks(ticks, percent, tickLabel)
	ch.ZeroX = sc.x.at(0)
	_, _, ch.Anchor = sc.label(0)
	if hasTarget {
		ch.HasTarget, ch.Target, ch.TargetX = true, target, sc.x.at(target)
	}
	for i, c := range cells {
		ch.Rows = append(ch.Rows, sc.cellRow(i, c.Col.Label, "", c))
	}
	return ch
}

// dayChart shows fieldwork by day: interviews completed each day as bars,
// the cumulative response rate (RR1) as a line.
type dayChart struct {
	ID, Key, Subject string
	W, H             float64
	Left, Right      float64
	Top, Bottom      float64
	BarW             float64
	YTicks           []chartTick // counts, left
	RTicks           []chartTick // rates, right
	Days             []dayBar
	Line             string // the polyline's points
	// LegendY is the legend's baseline; LegendY2, when not 0, the second
	// line's (the narrow chart writes its two entries on two lines).
	LegendY, LegendY2 float64
	// Interim marks the cumulative RR1 as interim (fieldwork not closed:
	// a rate on the households closed so far), as every rate of the page.
	Interim bool
	Narrow  *dayChart // the same days for a narrow screen
}

// dayBar is one day.
type dayBar struct {
	Day, Short        string
	X, Y, H, Mid      float64
	RateY             float64
	ShowLabel         bool
	Interviews, Final int
	RR1               float64
}

// dayValue is one day's figures.
type dayValue struct {
	Day               string
	Interviews, Final int
	RR1               float64 // cumulative
}

// newDays lays out days, wide and narrow (fewer day labels, the legend on
// two lines); interim marks the rate line interim.
func newDays(id, key, subject string, days []dayValue, interim bool) *dayChart {
	ch := layoutDays(id, key, subject, days, false)
	ch.Narrow = layoutDays(id, key, subject, days, true)
	ch.Interim, ch.Narrow.Interim = interim, interim
	return ch
}

func layoutDays(id, key, subject string, days []dayValue, narrow bool) *dayChart {
	ch := &dayChart{ID: id, Key: key, Subject: subject, W: forestW, H: 220, Left: 50, Right: 710, Top: 14, Bottom: 180}
	ch.LegendY = ch.H - 4
	labels := 12 // at most this many days are labelled
	if narrow {
		ch.W, ch.H, ch.Left, ch.Right = narrowW, 238, 34, narrowW-40
		ch.LegendY, ch.LegendY2, labels = 216, 234, 4
	}
	most := 1
	for _, d := range days {
		most = max(most, d.Interviews)
	}
	step := math.Max(1, niceStep(float64(most), 5))
	top := math.Ceil(float64(most)/step) * step
	y := linear{0, top, ch.Bottom, ch.Top}
	for v := 0.0; v <= top+step/1000; v += step {
		ch.YTicks = append(ch.YTicks, chartTick{X: ch.Left, Y: y.at(v), Label: strconv.Itoa(int(v))})
	}
	r := linear{0, 1, ch.Bottom, ch.Top}
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		ch.RTicks = append(ch.RTicks, chartTick{X: ch.Right, Y: r.at(v), Label: tickLabel(v, true)})
	}
	n := max(len(days), 1)
	slot := (ch.Right - ch.Left) / float64(n)
	ch.BarW = math.Round(math.Min(slot*0.7, 40)*10) / 10
	every := max(1, int(math.Ceil(float64(n)/float64(labels))))
	for i, d := range days {
		mid := math.Round((ch.Left+slot*(float64(i)+0.5))*10) / 10
		b := dayBar{Day: d.Day, Short: shortDay(d.Day), Mid: mid, X: math.Round((mid-ch.BarW/2)*10) / 10, Y: y.at(float64(d.Interviews)),
			Interviews: d.Interviews, Final: d.Final, RR1: d.RR1, ShowLabel: i%every == 0}
		b.H = math.Round((ch.Bottom-b.Y)*10) / 10
		if finite(d.RR1) {
			b.RateY = r.at(d.RR1)
			if ch.Line != "" {
				ch.Line += " "
			}
			ch.Line += strconv.FormatFloat(mid, 'f', -1, 64) + "," + strconv.FormatFloat(b.RateY, 'f', -1, 64)
		}
		ch.Days = append(ch.Days, b)
	}
	return ch
}

// shortDay writes 2026-11-20 as 11-20.
func shortDay(d string) string {
	if len(d) == 10 {
		return d[5:]
	}
	return d
}

// sparkChart is a street's interviews per day, small, in a table cell.
type sparkChart struct {
	Aria string
	W, H float64
	Bars []sparkBar
}

type sparkBar struct {
	X, Y, W, H float64
	Day        string
	N          int
}

// newSpark lays out counts per day on a shared scale (most is the largest
// count of any street, so the streets' charts compare).
func newSpark(aria string, days []string, counts map[string]int, most int) *sparkChart {
	ch := &sparkChart{Aria: aria, W: 120, H: 24}
	if len(days) == 0 {
		return ch
	}
	slot := ch.W / float64(len(days))
	y := linear{0, float64(max(most, 1)), ch.H, 1}
	for i, d := range days {
		n := counts[d]
		top := y.at(float64(n))
		ch.Bars = append(ch.Bars, sparkBar{X: math.Round(slot*float64(i)*10) / 10, W: math.Max(1, math.Round(slot*0.8*10)/10), Y: top, H: math.Round((ch.H-top)*10) / 10, Day: d, N: n})
	}
	return ch
}
