package office_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/accounts/accountstest"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// printLayout is how the slip sheet lies out in print media.
type printLayout struct {
	Pages      int     `json:"pages"`      // .slip-page elements
	PerPage    []int   `json:"perPage"`    // slips on each
	MaxHeight  float64 `json:"maxHeight"`  // the tallest page of slips, CSS px
	Outside    int     `json:"outside"`    // slips not wholly inside their page of slips, or their text not inside them
	SlipHeight float64 `json:"slipHeight"` // the first slip's height, CSS px
}

// TestSlipSheetInBrowser imports 50 accounts through the users page's form
// (a GBK CSV with Chinese headers), prints the sheet of slips to PDF in
// Chromium and checks it: 7 A4 pages, 8 slips a page, each slip wholly on
// its page. Then a slip's login link, opened in the browser, leads to the
// password page and, the new password saved, home. Screenshots of the
// users page and the sheet at 360 and 1280 px, in Chinese and English.
func TestSlipSheetInBrowser(t *testing.T) {
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	dir := t.TempDir()
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	var firstLink string
	for _, lang := range []string{"zh-CN", "en"} {
		list := accountstest.List(50, f.Streets[0].Name, f.Streets[1].Name)
		for _, r := range list[1:] {
			r[1] = lang[:2] + r[1]
		}
		file := filepath.Join(dir, "名单-"+lang+".csv")
		if err := os.WriteFile(file, accountstest.CSV(list, true), 0o644); err != nil {
			t.Fatal(err)
		}
		u.Run("1280 px", webtest.Viewport(1280, 900))
		path := "/users?lang=" + lang
		if lang == "en" { // the list filtered: the supervisors, of whom the first import made five
			path += "&role=supervisor"
		}
		u.Open(path)
		u.Shot("users-list-1280-" + lang)
		u.Run("360 px", webtest.Viewport(360, 740))
		u.Shot("users-list-360-" + lang)
		var width, inner int
		u.Run("width", chromedp.Evaluate(`document.documentElement.scrollWidth`, &width), chromedp.Evaluate(`innerWidth`, &inner))
		if width > inner {
			t.Logf("the users page at 360 px is %d px wide (the phone helper's layout work)", width)
		}
		u.Run("import "+lang,
			chromedp.SetUploadFiles(`#user-import input[type=file]`, []string{file}, chromedp.ByQuery),
			webtest.Navigation(webtest.Click(`#user-import button[type=submit]`)))
		u.WaitFor(`#import-done[data-count="50"]`)
		if n := u.Count(`.slip`); n != 50 {
			t.Fatalf("%s: %d slips on the sheet", lang, n)
		}
		viewShot(t, u, "users-slips-360-"+lang)
		u.Run("1280 px", webtest.Viewport(1280, 900))
		viewShot(t, u, "users-slips-1280-"+lang)
		if lang != "zh-CN" {
			continue
		}
		u.Run("first link", chromedp.Evaluate(`document.querySelector(".slip svg").dataset.url`, &firstLink))

		// Printed: A4 pages of 8 slips, none cut.
		var pdf []byte
		u.Run("print to PDF", chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
			return err
		}))
		if err := os.WriteFile(filepath.Join(u.B.Dir, "users-slips.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		if n := len(regexp.MustCompile(`/Type\s*/Page\b[^s]`).FindAll(pdf, -1)); n != 7 {
			t.Errorf("the PDF has %d pages, want 7 (50 slips, 8 a page)", n)
		}
		var lay printLayout
		u.Run("print layout",
			emulation.SetEmulatedMedia().WithMedia("print"),
			webtest.Rendered(),
			chromedp.Evaluate(`(() => {
				const pages = [...document.querySelectorAll(".slip-page")];
				let outside = 0, maxHeight = 0;
				for (const p of pages) {
					const r = p.getBoundingClientRect();
					maxHeight = Math.max(maxHeight, r.height);
					for (const s of p.querySelectorAll(".slip")) {
						const q = s.getBoundingClientRect();
						// Text cut off inside the slip: the slip's or a line's.
						for (const el of [s, ...s.querySelectorAll(".slip-text, .slip-text > *, dd")]) {
							if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) outside++;
						}
						if (q.top < r.top - 0.5 || q.bottom > r.bottom + 0.5 || q.left < r.left - 0.5 || q.right > r.right + 0.5) outside++;
					}
				}
				return { pages: pages.length, perPage: pages.map((p) => p.querySelectorAll(".slip").length), maxHeight, outside,
					slipHeight: document.querySelector(".slip").getBoundingClientRect().height };
			})()`, &lay))
		u.Run("A4 width", webtest.Viewport(794, 1123), emulation.SetEmulatedMedia().WithMedia("print"), webtest.Rendered())
		viewShot(t, u, "users-slips-print")
		u.Run("screen", emulation.SetEmulatedMedia().WithMedia(""))
		// A4 less the 10 mm margins is 277 mm tall: 1047 CSS px.
		const printable = 277 / 25.4 * 96
		if lay.Pages != 7 || lay.Outside != 0 || lay.MaxHeight > printable || fmt.Sprint(lay.PerPage) != "[8 8 8 8 8 8 2]" ||
			lay.SlipHeight < 66/25.4*96-1 || lay.SlipHeight > 66/25.4*96+1 {
			t.Errorf("print layout = %+v, want 7 pages of at most %.0f px, 8 slips of 66 mm each, none outside", lay, printable)
		}
	}

	// The first slip's QR code, opened: the password page, then home (a
	// supervisor's slip).
	u.Run("open the slip's link", chromedp.Navigate(firstLink))
	u.WaitFor(`#password-must`)
	u.Shot("users-first-login-1280-en")
	u.Run("choose a password", webtest.Type(`#password-form input[name=password]`, "harbour-Violet-7731"),
		webtest.Navigation(webtest.Click(`#password-form button[type=submit]`)))
	u.WaitFor(`#logout`)
	var path string
	u.Run("where", chromedp.Evaluate(`location.pathname`, &path))
	if path != "/" {
		t.Errorf("after the new password: %s, want /", path)
	}
}

// viewShot saves what the viewport shows (a sheet of 50 slips is too long
// a page for docs/), and with MINYI_DOCS set a copy there.
func viewShot(t *testing.T, u *servertest.OfficeUI, name string) {
	t.Helper()
	p := u.B.Screenshot(u.Ctx, name)
	if docs := os.Getenv("MINYI_DOCS"); docs != "" {
		b, err := os.ReadFile(p)
		if err == nil {
			err = os.WriteFile(filepath.Join(docs, name+".png"), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
