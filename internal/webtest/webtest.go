// Package webtest drives a real Chromium from Go tests (github.com/chromedp/
// chromedp): it finds the browser, starts it headless, and offers the steps
// every browser test of minyi needs: a viewport, logging in through a form,
// going offline, waiting for a condition and taking screenshots into a test
// output folder. The tablet app's tests use it; the office pages and the
// dashboard can reuse it.
//
// Tests skip when no Chromium is installed, saying so, except in CI (CI is
// set), where a missing browser fails them: .ci/run installs Debian's
// chromium. MINYI_CHROMIUM names another executable.
package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browsers are where Chromium is looked for after $MINYI_CHROMIUM.
var browsers = []string{"/usr/bin/chromium", "chromium", "chromium-browser"}

// Chromium returns the browser's executable, or skips the test (fails it
// in CI) when there is none.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, c := range append([]string{os.Getenv("MINYI_CHROMIUM")}, browsers...) {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("webtest: no chromium found, and CI is set: install it (apt-get install -y chromium) or set MINYI_CHROMIUM")
		return ""
	}
	t.Skip("webtest: skipping the browser tests: no chromium found (apt-get install -y chromium, or set MINYI_CHROMIUM); in CI they always run")
	return ""
}

// Browser is one headless Chromium with a fresh profile.
type Browser struct {
	t      testing.TB
	alloc  context.Context
	cancel context.CancelFunc
	first  context.Context // the first tab's, which holds the browser
	// Dir is where screenshots go: $MINYI_SCREENSHOTS/<test name>, or a
	// folder under the system's temporary directory.
	Dir string
}

// Start launches Chromium (headless, --no-sandbox, a temporary profile,
// and any extra options, e.g. chromedp.Flag); it is closed when the test
// ends.
func Start(t testing.TB, extra ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	exe := Chromium(t)
	// The profile is removed after the browser has stopped: its helper
	// processes may still be writing when the allocator returns, which
	// t.TempDir's own cleanup would report as an error.
	profile, err := os.MkdirTemp("", "minyi-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	opts = append(opts, extra...)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	root := os.Getenv("MINYI_SCREENSHOTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "minyi-screenshots")
	}
	b := &Browser{t: t, alloc: alloc, cancel: cancel, Dir: filepath.Join(root, sanitize(t.Name()))}
	t.Cleanup(func() {
		cancel()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return b
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// Tab opens a new tab (starting the browser for the first one); it is
// closed when the test ends. Every action on it times out after timeout.
func (b *Browser) Tab(timeout time.Duration) context.Context {
	b.t.Helper()
	// The first tab starts the browser; later ones open beside it (a
	// context made from the allocator again would start a second browser
	// on the same profile, which Chromium refuses).
	parent, opts := b.alloc, []chromedp.ContextOption{chromedp.WithErrorf(b.t.Logf)}
	if b.first != nil {
		parent, opts = b.first, nil
	}
	ctx, cancel := chromedp.NewContext(parent, opts...)
	b.t.Cleanup(cancel)
	if b.first == nil {
		b.first = ctx
	}
	// The page's errors and console output go to the test log.
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.t.Logf("webtest: page exception: %s", e.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			args := make([]string, 0, len(e.Args))
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			b.t.Logf("webtest: console.%s: %s", e.Type, strings.Join(args, " "))
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		b.t.Fatalf("webtest: start chromium: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(ctx, timeout)
	b.t.Cleanup(cancel2)
	return ctx
}

// Run runs actions and fails the test, naming what, on an error.
func Run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("webtest: %s: %v", what, err)
	}
}

// Viewport sets the page's size in CSS pixels as a touch device, and
// returns once the page has drawn a frame at that size (Rendered).
func Viewport(width, height int64) chromedp.Action {
	return chromedp.Tasks{
		emulation.SetDeviceMetricsOverride(width, height, 1, width < height).
			WithScreenOrientation(&emulation.ScreenOrientation{Type: emulation.OrientationTypePortraitPrimary, Angle: 0}),
		Rendered(),
	}
}

// Rendered waits until the page has drawn two frames: everything changed
// before it (a new size, a redraw) has been laid out and painted, so a
// measurement or a screenshot sees it. It waits on the page's rendering,
// not on a time.
func Rendered() chromedp.Action {
	return WaitJS(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
}

// Offline switches the network off (true) or back on, as DevTools'
// network emulation does: requests fail and navigator.onLine follows.
func Offline(off bool) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := network.Enable().Do(ctx); err != nil {
			return err
		}
		return network.EmulateNetworkConditions(off, 0, -1, -1).Do(ctx)
	})
}

// Slow3G is DevTools' "Slow 3G" profile: 2000 ms latency (400 ms × 5 as
// DevTools applies it), 400 kbit/s down, 400 kbit/s up.
func Slow3G() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := network.Enable().Do(ctx); err != nil {
			return err
		}
		kbps := 400.0 * 1000 / 8 * 0.9 // bytes/s, with DevTools' 0.9 factor
		return network.EmulateNetworkConditions(false, 2000, kbps, kbps).Do(ctx)
	})
}

// NoCache disables the HTTP cache, so a load measures the network.
func NoCache() chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := network.Enable().Do(ctx); err != nil {
			return err
		}
		return network.SetCacheDisabled(true).Do(ctx)
	})
}

// Login fills the form holding input[name=username] and
// input[name=password] on the page at url and clicks its submit button (as
// a person would: the page's submit handler runs).
func Login(url, username, password string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(url),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, username),
		chromedp.SendKeys(`input[name=password]`, password),
		chromedp.Click(`form:has(input[name=password]) [type=submit]`, chromedp.NodeVisible),
	}
}

// WaitJS waits until a JavaScript expression (or the promise it returns)
// is truthy, for as long as the action's context allows. Each check is a
// fresh evaluation in the document the tab shows at that moment, so a wait
// holds across a navigation or reload the page makes by itself: a check the
// navigation interrupts, or one that throws while the new document is still
// being built, counts as "not yet" and is made again. (chromedp.Poll runs
// inside one document and dies with it: "Inspected target navigated or
// closed", or a timeout on a page that no longer exists.) When the wait
// fails, the error names the expression and the last reason it was false.
func WaitJS(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		check := "Promise.resolve((() => (" + expr + "))()).then((v) => !!v)"
		var last error
		for {
			var ok bool
			err := evalOnce(ctx, check, &ok)
			if err == nil && ok {
				return nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				if last != nil {
					return fmt.Errorf("waiting for %s: %w (last check: %v)", expr, ctx.Err(), last)
				}
				return fmt.Errorf("waiting for %s: %w (it stayed false)", expr, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
	})
}

// pollInterval is how often WaitJS checks: often enough that a test does
// not dawdle, seldom enough that the checks do not load a busy machine.
const pollInterval = 50 * time.Millisecond

// checkTimeout bounds one check of WaitJS: an evaluation that a navigation
// leaves without an answer is abandoned and made again.
const checkTimeout = 5 * time.Second

func evalOnce(ctx context.Context, expr string, out any) error {
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	return chromedp.Run(cctx, Eval(expr, out))
}

// WaitVisible waits until an element matching the CSS selector sel is on
// the page and visible (it has a box, and neither it nor an ancestor is
// hidden), across the page's own navigations and redraws, as WaitJS does.
func WaitVisible(sel string) chromedp.Action {
	return WaitJS(visibleJS(sel) + " !== null")
}

// visibleJS is an expression for the first visible element matching sel,
// or null.
func visibleJS(sel string) string {
	return `[...document.querySelectorAll(` + JSON(sel) + `)].find((el) => el.getClientRects().length > 0 &&
		getComputedStyle(el).visibility !== "hidden" && !el.closest("[hidden], [inert]")) ?? null`
}

// Click waits until a visible, enabled element matches sel and clicks it,
// in one evaluation, from the page's own script: the node clicked is the
// one the page holds at that moment. chromedp.Click looks the node up, then
// scrolls to it and sends the mouse events in further round trips; a page
// that redraws itself in between (a sync that re-renders the screen, a
// refresh that swaps a table) leaves it clicking a node that is gone
// ("Could not find node with given id"). It also waits until the document
// has loaded (readyState "complete"): the pages' modules bind their
// handlers as they run, before the load event, and a button shown by the
// HTML before then does nothing when clicked. Click waits across
// navigations as WaitJS does; use Navigation around it when the click
// itself navigates.
func Click(sel string) chromedp.Action {
	enabled := `((el) => el && !el.disabled && !el.closest("fieldset[disabled]") ? el : null)(` + visibleJS(sel) + `)`
	return chromedp.Tasks{
		WaitJS(`document.readyState === "complete" && ` + enabled + " !== null"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var clicked bool
			if err := chromedp.Run(ctx, Eval(`((el) => { if (!el || document.readyState !== "complete") return false; el.scrollIntoView({ block: "nearest" }); el.click(); return true; })(`+enabled+`)`, &clicked)); err != nil {
				return fmt.Errorf("click %s: %w", sel, err)
			}
			if !clicked {
				// Gone between the wait and the click: wait and click again.
				return Click(sel).Do(ctx)
			}
			return nil
		}),
	}
}

// Type waits until an input matching sel is visible and enabled in a
// loaded document, focuses it and types text into it at the caret, as a
// keyboard does (Input.insertText: the page sees beforeinput and input
// events). Focusing is one evaluation on the node the page holds, and the
// typing goes to whatever has the focus, so a page that has just replaced
// its document (a redirect to the login page) cannot leave it typing into
// a node that is gone, as chromedp.SendKeys can ("Could not find node with
// given id").
func Type(sel, text string) chromedp.Action {
	enabled := `((el) => el && !el.disabled && !el.readOnly ? el : null)(` + visibleJS(sel) + `)`
	return chromedp.Tasks{
		WaitJS(`document.readyState === "complete" && ((el) => { if (!el) return false; el.focus(); return document.activeElement === el; })(` + enabled + `)`),
		input.InsertText(text),
	}
}

// Text waits until an element matching sel is visible, then reads its
// text (innerText, trimmed) in one evaluation, which a redraw cannot leave
// pointing at a node that is gone.
func Text(sel string, out *string) chromedp.Action {
	return chromedp.Tasks{
		WaitVisible(sel),
		Eval(`((el) => el ? el.innerText.trim() : "")(`+visibleJS(sel)+`)`, out),
	}
}

// WaitFile waits until the browser has saved a file matching pattern (a
// filepath.Glob pattern in the download folder, see Download) and returns
// its contents. It waits as long as ctx allows, for the file itself, not
// for a time: Chromium writes a download under a temporary name and renames
// it when it is complete.
func WaitFile(ctx context.Context, pattern string) ([]byte, error) {
	for {
		if m, err := filepath.Glob(pattern); err != nil {
			return nil, err
		} else if len(m) == 1 {
			return os.ReadFile(m[0])
		} else if len(m) > 1 {
			return nil, fmt.Errorf("%d files match %s, want one", len(m), pattern)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a download matching %s: %w", pattern, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// Navigation runs trigger, actions after which the page loads a new
// document (a form that redirects, a link, a language switch, or a page
// that reloads itself, such as the tablet app taking a new version), and
// waits until that document has loaded. It listens before the trigger
// runs, so a navigation that comes at once is not missed, and it waits for
// the navigation itself, not for a time: the steps after it run on the new
// document. A trigger interrupted by the navigation it caused ("Inspected
// target navigated or closed") is not an error. Exactly one navigation is
// expected; the caller checks further ones with WaitJS on the new page.
func Navigation(trigger ...chromedp.Action) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		loaded := make(chan struct{})
		var once sync.Once
		var navigated atomic.Bool
		chromedp.ListenTarget(lctx, func(ev any) {
			switch e := ev.(type) {
			case *page.EventFrameNavigated:
				if e.Frame.ParentID == "" {
					navigated.Store(true)
				}
			case *page.EventLoadEventFired:
				if navigated.Load() {
					once.Do(func() { close(loaded) })
				}
			}
		})
		if err := chromedp.Run(ctx, trigger...); err != nil && !navigationError(err) {
			return err
		}
		select {
		case <-loaded:
			return nil
		case <-ctx.Done():
			if navigated.Load() {
				return fmt.Errorf("the page navigated but its new document did not finish loading: %w", ctx.Err())
			}
			return fmt.Errorf("waiting for the page to navigate: %w", ctx.Err())
		}
	})
}

// navigationError tells whether err is an evaluation or command cut short
// because its document went away.
func navigationError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "navigated or closed") || strings.Contains(s, "context was destroyed") ||
		strings.Contains(s, "Cannot find context")
}

// Eval evaluates a JavaScript expression (awaiting a promise) into out.
func Eval(expr string, out any) chromedp.Action {
	return chromedp.Evaluate(expr, out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	})
}

// Screenshot saves the viewport as <Dir>/<name>.png and returns the path.
func (b *Browser) Screenshot(ctx context.Context, name string) string {
	b.t.Helper()
	var png []byte
	Run(b.t, ctx, "screenshot "+name, chromedp.CaptureScreenshot(&png))
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(b.Dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return p
}

// Download makes the browser save downloads into dir.
func Download(dir string) chromedp.Action {
	return browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir).WithEventsEnabled(true)
}

// LoadTime navigates to url and returns the time until the load event.
func LoadTime(ctx context.Context, url string) (time.Duration, error) {
	start := time.Now()
	if err := chromedp.Run(ctx, chromedp.Navigate(url)); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// JSON formats v for failure messages.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// FullScreenshot saves the whole page, not only the viewport, as
// <Dir>/<name>.png and returns the path. With MINYI_DOCS set to a folder
// (make docs-screenshots), a copy goes there too, for the README and docs/.
func (b *Browser) FullScreenshot(ctx context.Context, name string) string {
	b.t.Helper()
	var png []byte
	Run(b.t, ctx, "screenshot "+name, chromedp.FullScreenshot(&png, 100))
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(b.Dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if docs := os.Getenv("MINYI_DOCS"); docs != "" {
		if err := os.MkdirAll(docs, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(docs, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	return p
}
