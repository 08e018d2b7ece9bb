package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// simulationPageCases are the access cases of simulationPages (see pageCase).
var simulationPageCases = []pageCase{
	{"GET /samples/design", "/samples/design", "LFFFFAA"},
}

// TestDesignPageInBrowser fills the design page as the analyst: a sample
// larger than the frame gets the server's message beside the n field; a
// small design gets the report, a row per street and indicator after the
// district's, and the needs per street; then the same in English.
func TestDesignPageInBrowser(t *testing.T) {
	webtest.Chromium(t)
	db := storetest.Open(t, store.SQLite)
	_, base := newFieldServer(t, db, fieldtest.Small)
	if _, err := survey.EnsureShipped(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	u := newOfficeUI(t, base)
	u.login("analyst")
	u.open("/samples/design")
	setValue := func(name, v string) chromedp.Action {
		return chromedp.SetValue(`#design-form [name=`+name+`]`, v, chromedp.ByQuery)
	}
	u.run("a sample larger than the frame", setValue("reps", "20"), webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`[data-error-for=n]`))
	if msg := u.text(`[data-error-for=n]`); !strings.Contains(msg, "households") {
		t.Errorf("the error beside n says %q", msg)
	}
	u.shot("design-error-zh")
	u.run("a small design", setValue("n", "40"), setValue("per_community", "5"),
		webtest.Click(`#design-form [type=submit]`),
		webtest.WaitVisible(`#design-result`))
	var rows, needs int
	var first string
	u.run("read the report", chromedp.Evaluate(`document.querySelectorAll("#design-table tbody tr").length`, &rows),
		chromedp.Evaluate(`document.querySelectorAll("#design-needs tbody tr").length`, &needs),
		chromedp.Evaluate(`document.querySelector("#design-table tbody tr").innerText`, &first))
	// The four rates, in the district and in each of the two streets.
	if rows != 12 || needs != 2 || !strings.HasPrefix(first, "全区") {
		t.Errorf("report: %d rows, %d needs, first row %q", rows, needs, first)
	}
	if s := u.text(`#design-summary`); !strings.Contains(s, "重复 20 次") {
		t.Errorf("summary %q", s)
	}
	var stale string
	u.run("the error beside n", chromedp.Evaluate(`(e => e.hidden ? "" : e.textContent)(document.querySelector("[data-error-for=n]"))`, &stale))
	if stale != "" {
		t.Errorf("the error beside n stayed: %q", stale)
	}
	u.shot("design-report-zh")
	u.open("/samples/design?lang=en")
	u.run("in English", setValue("n", "40"), setValue("per_community", "5"), setValue("reps", "20"),
		webtest.Click(`#design-form [type=submit]`), webtest.WaitVisible(`#design-result`))
	if s := u.text(`#design-recommendation`); !strings.HasPrefix(s, "Recommendation:") {
		t.Errorf("recommendation %q", s)
	}
	u.shot("design-report-en")
}
