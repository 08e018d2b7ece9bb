package office_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestPlaceOrderInBrowser sets the district's order of streets on
// /registers: the numbers typed are saved, the page comes back in the new
// order, and so does the store. (An order the API refuses is the store
// test's: the form always sends every street once.)
func TestPlaceOrderInBrowser(t *testing.T) {
	webtest.Chromium(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	before, err := db.Streets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) < 2 {
		t.Fatalf("%d streets: nothing to reorder", len(before))
	}
	names := func() []string {
		var out []string
		u.Run("read the order", chromedp.Evaluate(`[...document.querySelectorAll('#place-order > ol > li > label span')].map(s => s.textContent)`, &out))
		return out
	}
	for _, lang := range []string{"zh-CN", "en"} {
		u.Run("1280 px", webtest.Viewport(1280, 900))
		u.Open("/registers?lang=" + lang)
		u.WaitFor(`#place-order button[type=submit]`)
		u.Shot("registers-order-1280-" + lang)
		u.Run("360 px", webtest.Viewport(360, 740))
		u.Run("show the order", chromedp.ScrollIntoView(`#order`, chromedp.ByQuery))
		u.Shot("registers-order-360-" + lang)
	}
	u.Run("1280 px", webtest.Viewport(1280, 900))
	u.Open("/registers")
	var want []string
	for _, s := range before {
		want = append(want, s.Name)
	}
	if got := names(); !slices.Equal(got, want) {
		t.Fatalf("the form lists %v, want the stored order %v", got, want)
	}

	// Reverse the order by typing the numbers.
	n := len(before)
	for i, s := range before {
		u.Run("number "+s.Name, chromedp.SetValue(fmt.Sprintf(`input[data-place="%d"]:not([data-street])`, s.ID), fmt.Sprint(n-i), chromedp.ByQuery))
	}
	// Saving reloads the page: wait for that new document to load (a
	// screenshot of one still loading has no size), then for its order.
	u.Run("save the order", webtest.Navigation(webtest.Click(`#place-order button[type=submit]`)),
		webtest.WaitJS(`document.querySelector('#place-order > ol > li > label span')?.textContent === `+webtest.JSON(before[n-1].Name)))
	slices.Reverse(want)
	if got := names(); !slices.Equal(got, want) {
		t.Errorf("after saving, the form lists %v, want %v", got, want)
	}
	after, err := db.Streets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, s := range after {
		stored = append(stored, s.Name)
	}
	if !slices.Equal(stored, want) {
		t.Errorf("stored order %v, want %v", stored, want)
	}
	u.Shot("registers-order-saved")
}
