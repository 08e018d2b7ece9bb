package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestHouseholdCountsInBrowser opens the pages with household counts and
// interim rates in Chromium, in both languages at a phone's and an office
// PC's width (screenshots of each), checks that the interim note is seen
// and that the street fieldwork page's counts follow a released reserve
// without a reload.
func TestHouseholdCountsInBrowser(t *testing.T) {
	f, base, refuse := refusalRound(t)
	refuse(0, time.Now().Add(-time.Hour))
	round := f.Round.ID
	u := servertest.NewOfficeUI(t, base)
	u.Login("admin")
	for _, lang := range []string{"zh-CN", "en"} {
		for _, w := range []int64{360, 1280} {
			u.Run("width", chromedp.EmulateViewport(w, 900))
			for name, path := range map[string]string{
				"rounds": "/rounds", "samples": "/samples", "sample": "/samples/fieldtest",
				"fieldwork": fmt.Sprintf("/rounds/%d/fieldwork", round), "dashboard": fmt.Sprintf("/rounds/%d", round),
				"report": fmt.Sprintf("/rounds/%d/report", round),
			} {
				u.Open(path + "?lang=" + lang)
				if name == "fieldwork" || name == "dashboard" || name == "report" {
					u.Run("interim note", webtest.WaitVisible(`.rate-note.interim`))
				}
				u.Shot(fmt.Sprintf("households-%s-%s-%d", name, lang, w))
			}
		}
	}

	// The fieldwork page follows a second released reserve live.
	u.Run("width", chromedp.EmulateViewport(1280, 900))
	u.Open(fmt.Sprintf("/rounds/%d/fieldwork", round))
	if got := u.Text(`#households [data-count="released"] dd`); got != "1" {
		t.Fatalf("released before = %q, want 1", got)
	}
	refuse(1, time.Now().Add(-time.Hour))
	u.Run("live counts", webtest.WaitJS(`document.querySelector('#households [data-count="released"] dd').textContent === "2" &&
		document.querySelector('#households [data-count="assigned"] dd').textContent === "14"`))
	if got := u.Text(`table[data-by=interviewer] tfoot td.base`); !strings.Contains(got, "2") {
		t.Errorf("rate base after the second refusal = %q, want 2 closed", got)
	}
}
