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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
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
	// Dir is where screenshots go: $MINYI_SCREENSHOTS/<test name>, or a
	// folder under the system's temporary directory.
	Dir string
}

// Start launches Chromium (headless, --no-sandbox, a temporary profile); it
// is closed when the test ends.
func Start(t testing.TB) *Browser {
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

// Tab opens a new tab (a fresh browser for the first one); it is closed
// when the test ends. Every action on it times out after timeout.
func (b *Browser) Tab(timeout time.Duration) context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithErrorf(b.t.Logf))
	b.t.Cleanup(cancel)
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

// Viewport sets the page's size in CSS pixels as a touch device.
func Viewport(width, height int64) chromedp.Action {
	return emulation.SetDeviceMetricsOverride(width, height, 1, width < height).
		WithScreenOrientation(&emulation.ScreenOrientation{Type: emulation.OrientationTypePortraitPrimary, Angle: 0})
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

// WaitJS polls a JavaScript expression until it is true.
func WaitJS(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingInterval(50*time.Millisecond))
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
