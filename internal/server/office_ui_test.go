package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// officeUI drives the office pages in a real Chromium at an office PC's
// size, for the browser tests of every part of the interface.
type officeUI struct {
	t    *testing.T
	b    *webtest.Browser
	ctx  context.Context
	base string
}

// newOfficeUI opens a browser on the server at base (a 1366×900 window).
func newOfficeUI(t *testing.T, base string) *officeUI {
	t.Helper()
	b := webtest.Start(t)
	ctx := b.Tab(3 * time.Minute)
	u := &officeUI{t: t, b: b, ctx: ctx, base: base}
	u.run("window", chromedp.EmulateViewport(1366, 900))
	return u
}

// run runs actions, failing the test with what on an error.
func (u *officeUI) run(what string, actions ...chromedp.Action) {
	u.t.Helper()
	webtest.Run(u.t, u.ctx, what, actions...)
}

// login logs in through the login form as a fieldtest account and waits
// for the workbench.
func (u *officeUI) login(username string) {
	u.t.Helper()
	u.run("log in as "+username, webtest.Login(u.base+"/login?lang=zh-CN", username, fieldtest.Password))
	u.waitFor(`#logout`)
}

// open navigates to a path and waits for the page's main element.
func (u *officeUI) open(path string) {
	u.t.Helper()
	u.run("open "+path, chromedp.Navigate(u.base+path), chromedp.WaitReady("#main", chromedp.ByQuery))
}

// shot saves a full-page screenshot (and, with MINYI_DOCS set, a copy for docs/).
func (u *officeUI) shot(name string) string {
	u.t.Helper()
	return u.b.FullScreenshot(u.ctx, name)
}

// text returns the text of the first element matching sel.
func (u *officeUI) text(sel string) string {
	u.t.Helper()
	var s string
	u.run("read "+sel, webtest.Text(sel, &s))
	return s
}

// waitFor waits until a visible element matches sel, across the
// navigation or reload a form may cause (webtest.WaitVisible).
func (u *officeUI) waitFor(sel string) {
	u.t.Helper()
	u.run("wait for "+sel, webtest.WaitVisible(sel))
}

// textOf returns the text of the first element matching sel ("" when
// none does), read by one evaluation, which a reload cannot leave stale.
func (u *officeUI) textOf(sel string) string {
	u.t.Helper()
	var s string
	u.run("read "+sel, chromedp.Evaluate(`(document.querySelector(`+webtest.JSON(sel)+`)?.innerText ?? "").trim()`, &s))
	return s
}

// count returns the number of elements matching sel.
func (u *officeUI) count(sel string) int {
	u.t.Helper()
	var n int
	u.run("count "+sel, chromedp.Evaluate(`document.querySelectorAll(`+webtest.JSON(sel)+`).length`, &n))
	return n
}
