package design_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestDesignPageInBrowser fills the design page as the analyst: a sample
// larger than the frame gets the server's message beside the n field; a
// small design gets the report, a row per street and indicator after the
// district's, and the needs per street; then the same in English.
func TestDesignPageInBrowser(t *testing.T) {
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
	if _, err := survey.EnsureShipped(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	u := servertest.NewOfficeUI(t, base)
	u.Login("analyst")
	u.Open("/samples/design")
	setValue := func(name, v string) chromedp.Action {
		return chromedp.SetValue(`#design-form [name=`+name+`]`, v, chromedp.ByQuery)
	}
	u.Run("a sample larger than the frame", setValue("reps", "20"), webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`[data-error-for=n]`))
	if msg := u.Text(`[data-error-for=n]`); !strings.Contains(msg, "户") || strings.Contains(msg, "households") {
		t.Errorf("the error beside n says %q, in Chinese on a Chinese page", msg)
	}
	u.Shot("design-error-zh")
	u.Run("a small design", setValue("n", "40"), setValue("per_community", "5"),
		webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`#design-result`))
	var rows, needs int
	var first string
	u.Run("read the report", chromedp.Evaluate(`document.querySelectorAll("#design-table tbody tr").length`, &rows),
		chromedp.Evaluate(`document.querySelectorAll("#design-needs tbody tr").length`, &needs),
		chromedp.Evaluate(`document.querySelector("#design-table tbody tr").innerText`, &first))
	// The four rates, in the district and in each of the two streets.
	if rows != 12 || needs != 2 || !strings.HasPrefix(first, "全区") {
		t.Errorf("report: %d rows, %d needs, first row %q", rows, needs, first)
	}
	if s := u.Text(`#design-summary`); !strings.Contains(s, "重复 20 次") {
		t.Errorf("summary %q", s)
	}
	var stale string
	u.Run("the error beside n", chromedp.Evaluate(`(e => e.hidden ? "" : e.textContent)(document.querySelector("[data-error-for=n]"))`, &stale))
	if stale != "" {
		t.Errorf("the error beside n stayed: %q", stale)
	}
	u.Shot("design-report-zh")
	var hidden bool
	u.Run("no community cells unless asked", chromedp.Evaluate(`document.getElementById("design-communities").hidden`, &hidden))
	if !hidden {
		t.Error("the community table shows without community cells")
	}
	var crows int
	u.Run("with community cells", webtest.Click(`#design-form [name=community_cells]`), webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`#design-communities-table tbody tr`),
		chromedp.Evaluate(`document.querySelectorAll("#design-communities-table tbody tr").length`, &crows))
	if crows != 4 {
		t.Errorf("community cells: %d rows, want the four rates", crows)
	}
	u.Shot("design-communities-zh")
	u.Open("/samples/design?lang=en")
	u.Run("in English", setValue("n", "40"), setValue("per_community", "5"), setValue("reps", "20"),
		webtest.Click(`#design-form [type=submit]`), webtest.WaitVisible(`#design-result`))
	if s := u.Text(`#design-recommendation`); !strings.HasPrefix(s, "Recommendation:") {
		t.Errorf("recommendation %q", s)
	}
	u.Run("community cells in English", webtest.Click(`#design-form [name=community_cells]`), webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`#design-communities-table tbody tr`))
	if s := u.Text(`#design-communities h2`); s != "Community estimates" {
		t.Errorf("community heading %q", s)
	}
	u.Shot("design-report-en")
}
