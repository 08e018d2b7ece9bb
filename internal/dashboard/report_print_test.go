package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/buildinfo"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// The printed report of a district of twenty streets, in both languages:
// the league and fieldwork tables hold every street, and on A4 no table or
// chart is cut and no street name or column header is broken inside a
// word.
func TestReportPrintsTwentyStreets(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	const streets = 20
	round := servertest.SeedDistrict(t, db, streets)
	u := servertest.NewOfficeUI(t, servertest.NewDashServer(t, db))
	u.Login("analyst")
	for _, lang := range []string{"zh-CN", "en"} {
		path := fmt.Sprintf("/rounds/%d/report", round)
		checkPrint(t, u, path, lang, "report-20-streets-"+lang, "")
		for _, sel := range []string{"#report-league tbody tr", "#field-street tbody tr"} {
			if n := u.Count(sel); n != streets {
				t.Errorf("%s: %d rows of %s, want %d", lang, n, sel, streets)
			}
		}
		// On screen, on a phone and on a desk.
		for _, w := range []int64{360, 1280} {
			u.Run("window", chromedp.EmulateViewport(w, 800))
			u.Open(path + "?lang=" + lang)
			u.Shot(fmt.Sprintf("report-20-streets-%d-%s", w, lang))
		}
		u.Run("window", chromedp.EmulateViewport(1366, 900))
	}
}

// A4 in CSS pixels (96 per inch) less the report's @page margins (15 mm
// top and bottom, 14 mm left and right): the box each page holds.
const (
	mmPx        = 96 / 25.4
	a4ContentW  = (210 - 2*14) * mmPx
	a4ContentH  = (297 - 2*15) * mmPx
	pdfPageExpr = `/Type\s*/Page[^s]`
	// a4ViewportW and a4ViewportH are a4ContentW and a4ContentH rounded:
	// the window of the print screenshots.
	a4ViewportW, a4ViewportH = 688, 1009
)

// printCheck is what the print-emulated page says of itself (printJS).
type printCheck struct {
	Lang    string
	Columns int
	Cut     []string // tables, charts and kept blocks cut across pages
	Wide    []string // tables and charts wider than the page, charts' cut text
	Broken  []string // words of headers and names broken across lines
	Checked int      // tables, charts and kept blocks looked at
	Words   int      // words of headers and names looked at
	Field   struct{ Head, Cells int }
	Zone    string
	Soft    string
}

// printJS lays the print-emulated report out in CSS columns of an A4
// page's content box (W × H px). Chromium cannot say where its pages
// break, but columns fragment blocks as pages do (honouring break-inside:
// avoid), so every table, chart and kept block must lie in one column,
// whole, and no wider than it, and a chart's text inside its chart. It also finds every word of a header or a
// row's name (a run of letters and digits: 河西街道, 样本户, Non-contacts)
// whose characters do not lie on one line.
const printJS = `(() => {
	const W = %f, H = %f;
	const box = document.createElement('div');
	box.style.cssText = 'column-width:' + W + 'px;column-gap:0;column-fill:auto;width:' + W + 'px;height:' + H + 'px;margin:0;padding:0';
	while (document.body.firstChild) box.appendChild(document.body.firstChild);
	document.body.appendChild(box);
	const x0 = box.getBoundingClientRect().left;
	const col = r => Math.floor((r.left - x0 + 0.5) / W);
	const name = el => (el.id || el.tagName) + ' ' + (el.querySelector('figcaption,th,text')?.textContent || '').trim().slice(0, 30);
	const res = {Lang: document.documentElement.lang, Columns: 1, Cut: [], Wide: [], Broken: [], Checked: 0, Words: 0};
	for (const el of box.querySelectorAll('#report table, #report svg, #report .keep, #report figure')) {
		const rects = [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0);
		if (!rects.length) continue;
		res.Checked++;
		const c = col(rects[0]);
		res.Columns = Math.max(res.Columns, ...rects.map(r => col(r) + 1));
		const r = rects[0];
		if (rects.length > 1 || r.height > H + 0.5) {
			res.Cut.push(name(el) + ' in ' + rects.length + ' pieces, columns ' + rects.map(col).join(','));
		} else if ((r.width > W + 0.5 || col({left: r.right - 1}) !== c) && !el.parentElement.closest('table')) {
			const cols = el.tHead ? ' (columns ' + [...el.tHead.rows[0].cells].map(c => c.textContent.trim() + ' ' + Math.round(c.getBoundingClientRect().width)).join(', ') + ')' : '';
			res.Wide.push(name(el) + ': ' + Math.round(r.width) + ' px on a page of ' + Math.round(W) + cols);
		}
	}
	for (const svg of box.querySelectorAll('#report svg')) {
		const b = svg.getBoundingClientRect();
		if (!b.width) continue;
		for (const text of svg.querySelectorAll('text')) {
			const r = text.getBoundingClientRect();
			if (r.width && (r.left < b.left - 1 || r.right > b.right + 1)) res.Wide.push(name(svg.closest('figure') || svg) + ': its text "' + text.textContent.slice(0, 30) + '" is cut');
		}
	}
	for (const el of box.querySelectorAll('#report .table-wrap')) {
		if (el.scrollWidth > el.clientWidth + 1) res.Wide.push(name(el.querySelector('table') || el) + ': scrolls ' + el.scrollWidth + ' px in ' + el.clientWidth);
	}
	// The lines a range of text lies on: its boxes grouped by vertical overlap.
	const lines = range => {
		const rs = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
		let n = 0, bottom = -Infinity;
		for (const r of rs) { if (r.top >= bottom - 1) { n++; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom); }
		return n;
	};
	const word = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu;
	for (const cell of box.querySelectorAll('#report table th')) {
		const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
		for (let node; (node = walk.nextNode());) {
			for (const m of node.data.matchAll(word)) {
				res.Words++;
				const range = document.createRange();
				range.setStart(node, m.index);
				range.setEnd(node, m.index + m[0].length);
				if (lines(range) > 1) res.Broken.push((cell.closest('table').id || cell.closest('table').className) + ': ' + m[0]);
			}
		}
	}
	for (const el of box.querySelectorAll('#report *')) {
		for (const r of el.getClientRects()) if (r.width > 0) res.Columns = Math.max(res.Columns, col(r) + 1);
	}
	const field = box.querySelector('#field-street');
	res.Field = {Head: field ? field.tHead.rows[0].cells.length : 0, Cells: field && field.tBodies[0].rows.length ? field.tBodies[0].rows[0].cells.length : 0};
	res.Zone = document.querySelector('#methods-zone')?.dataset.zone || '';
	res.Soft = document.querySelector('#software')?.textContent || '';
	return res;
})()`

// checkPrint opens the report in lang, saves a screenshot of it on screen
// (as screen, unless "") and printed (printShots: name-print and
// name-print-field, the print media at the size of an A4 page's content
// box), prints it to PDF with Chromium and checks the print:
// no table or chart cut across pages or wider than the page, no word of a
// header or a name broken across lines, every column of the fieldwork
// table there, and the methods naming the build and the time zone. The
// PDF must have as many pages as printJS's columns, which ties the check
// to the real print.
func checkPrint(t *testing.T, u *servertest.OfficeUI, path, lang, name, screen string) {
	t.Helper()
	u.Open(path + "?lang=" + lang)
	if screen != "" {
		u.Shot(screen)
	}
	var pdf []byte
	u.Run("print to PDF", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = cdpage.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
		return err
	}))
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("%s: print: not a PDF (%d bytes)", lang, len(pdf))
	}
	pages := len(regexp.MustCompile(pdfPageExpr).FindAll(pdf, -1))
	u.Run("print media at an A4 page's width", chromedp.ActionFunc(func(ctx context.Context) error {
		return emulation.SetEmulatedMedia().WithMedia("print").Do(ctx)
	}), chromedp.EmulateViewport(a4ViewportW, a4ViewportH))
	printShots(u, name)
	var res printCheck
	u.Run("paginate in columns", webtest.Eval(fmt.Sprintf(printJS, a4ContentW, a4ContentH), &res))
	u.Run("screen media again", chromedp.ActionFunc(func(ctx context.Context) error {
		return emulation.SetEmulatedMedia().WithMedia("").Do(ctx)
	}), chromedp.EmulateViewport(1366, 900))
	if res.Lang != lang {
		t.Errorf("the report is in %q, want %q", res.Lang, lang)
	}
	if res.Checked < 8 {
		t.Errorf("%s: print check saw only %d tables and charts", lang, res.Checked)
	}
	if res.Words < 40 {
		t.Errorf("%s: print check saw only %d words of headers and names", lang, res.Words)
	}
	for _, c := range res.Cut {
		t.Errorf("%s: printed report cuts %s", lang, c)
	}
	for _, c := range res.Wide {
		t.Errorf("%s: printed report is wider than A4: %s", lang, c)
	}
	for _, w := range res.Broken {
		t.Errorf("%s: printed report breaks a word across lines: %s", lang, w)
	}
	if res.Field.Head < 13 || res.Field.Cells != res.Field.Head {
		t.Errorf("%s: the fieldwork table has %d headers and %d cells a row", lang, res.Field.Head, res.Field.Cells)
	}
	if res.Zone != "Asia/Shanghai" || !strings.Contains(res.Soft, buildinfo.Read().Version) {
		t.Errorf("%s: the methods name the zone %q and the software %q, want Asia/Shanghai and the build %q", lang, res.Zone, res.Soft, buildinfo.Read().Version)
	}
	if pages != res.Columns {
		t.Errorf("%s: the PDF has %d pages, the column layout %d: the check does not follow the print", lang, pages, res.Columns)
	}
	t.Logf("report %s: %d A4 pages, %d tables and charts, %d words of headers and names; %d cut, %d too wide, %d words broken",
		lang, pages, res.Checked, res.Words, len(res.Cut), len(res.Wide), len(res.Broken))
}

// printShots saves, under the print media, the report's first A4 page
// (name-print) and its fieldwork section (name-print-field) as PNGs: into
// the browser's screenshot folder and, with MINYI_DOCS set, into docs too
// (a page each, not the whole report, to keep docs/ small).
func printShots(u *servertest.OfficeUI, name string) {
	u.T.Helper()
	var page, field []byte
	u.Run("screenshot the printed report", chromedp.CaptureScreenshot(&page), chromedp.Screenshot("#report-field", &field, chromedp.ByQuery))
	for _, dir := range []string{u.B.Dir, os.Getenv("MINYI_DOCS")} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			u.T.Fatal(err)
		}
		for n, png := range map[string][]byte{name + "-print": page, name + "-print-field": field} {
			if err := os.WriteFile(filepath.Join(dir, n+".png"), png, 0o644); err != nil {
				u.T.Fatal(err)
			}
		}
	}
}
