package servertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// OfficeUI drives the office pages in a real Chromium at an office PC's
// size, for the browser tests of every part of the interface.
type OfficeUI struct {
	T    *testing.T
	B    *webtest.Browser
	Ctx  context.Context
	Base string
}

// NewOfficeUI opens a browser on the server at base (a 1366×900 window).
func NewOfficeUI(t *testing.T, base string) *OfficeUI {
	t.Helper()
	b := webtest.Start(t)
	ctx := b.Tab(3 * time.Minute)
	u := &OfficeUI{T: t, B: b, Ctx: ctx, Base: base}
	u.Run("window", chromedp.EmulateViewport(1366, 900))
	return u
}

// Run runs actions, failing the test with what on an error.
func (u *OfficeUI) Run(what string, actions ...chromedp.Action) {
	u.T.Helper()
	webtest.Run(u.T, u.Ctx, what, actions...)
}

// Login logs in through the login form as a fieldtest account and waits
// for the workbench.
func (u *OfficeUI) Login(username string) {
	u.T.Helper()
	u.Run("log in as "+username, webtest.Login(u.Base+"/login?lang=zh-CN", username, fieldtest.Password))
	u.WaitFor(`#logout`)
}

// Open navigates to a path and waits for the page's main element.
func (u *OfficeUI) Open(path string) {
	u.T.Helper()
	u.Run("open "+path, chromedp.Navigate(u.Base+path), chromedp.WaitReady("#main", chromedp.ByQuery))
}

// Shot saves a full-page screenshot (and, with MINYI_DOCS set, a copy for docs/).
func (u *OfficeUI) Shot(name string) string {
	u.T.Helper()
	return u.B.FullScreenshot(u.Ctx, name)
}

// Text returns the text of the first element matching sel.
func (u *OfficeUI) Text(sel string) string {
	u.T.Helper()
	var s string
	u.Run("read "+sel, webtest.Text(sel, &s))
	return s
}

// WaitFor waits until a visible element matches sel, across the
// navigation or reload a form may cause (webtest.WaitVisible).
func (u *OfficeUI) WaitFor(sel string) {
	u.T.Helper()
	u.Run("wait for "+sel, webtest.WaitVisible(sel))
}

// TextOf returns the text of the first element matching sel ("" when
// none does), read by one evaluation, which a reload cannot leave stale.
func (u *OfficeUI) TextOf(sel string) string {
	u.T.Helper()
	var s string
	u.Run("read "+sel, chromedp.Evaluate(`(document.querySelector(`+webtest.JSON(sel)+`)?.innerText ?? "").trim()`, &s))
	return s
}

// Count returns the number of elements matching sel.
func (u *OfficeUI) Count(sel string) int {
	u.T.Helper()
	var n int
	u.Run("count "+sel, chromedp.Evaluate(`document.querySelectorAll(`+webtest.JSON(sel)+`).length`, &n))
	return n
}
