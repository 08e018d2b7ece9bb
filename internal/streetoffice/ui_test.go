package streetoffice_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

// TestStreetUI walks a supervisor (sup1) through the street office in a
// real Chromium: assigning households on the board, the live progress
// page, approving a replacement, reviewing a flagged response (flag it,
// then send it back with a reason) and
// rescuing a tablet's file, checking the database and the audit log after
// each step, with a screenshot of every page.
func TestStreetUI(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	x := newStreetFixture(t, db)
	ctx := context.Background()
	round := x.f.Round.ID
	sup := x.f.Users["sup1"].ID
	u := servertest.NewOfficeUI(t, x.base)
	u.Login("sup1")

	// 1. The board: give two of int1a's households to int1b.
	u.Open(fmt.Sprintf("/rounds/%d/board", round))
	a, b := x.mine[4].ID, x.mine[5].ID
	u.Run("select two households and int1b",
		webtest.Click(fmt.Sprintf(`input[name=unit][value="%d"]`, a)),
		webtest.Click(fmt.Sprintf(`input[name=unit][value="%d"]`, b)),
		chromedp.SetValue(`#assign-form select[name=interviewer]`, "int1b", chromedp.ByQuery))
	if got := u.Text("#selected-count"); !strings.Contains(got, "2") {
		t.Errorf("selection count = %q, want 2", got)
	}
	u.Shot("street-board")
	// The page reloads: read the note by script, not by a node id of a
	// document that may just have been replaced.
	var note string
	u.Run("assign", webtest.Click(`#assign-form button[type=submit]`), webtest.WaitVisible(`#assigned-note`),
		webtest.Eval(`document.getElementById("assigned-note").textContent`, &note))
	if got := note; !strings.Contains(got, "2") || !strings.Contains(got, "int1b") {
		t.Errorf("after assigning: %q", got)
	}
	for _, id := range []int64{a, b} {
		as, err := db.AssignmentByID(ctx, id, store.Scope{})
		if err != nil || as.Interviewer != "int1b" {
			t.Errorf("assignment %d is %q's (%v), want int1b's", id, as.Interviewer, err)
		}
	}
	if n := auditCount(t, db, "assignment.assign", sup, "api"); n != 1 {
		t.Errorf("%d assignments audited as sup1's, want 1", n)
	}

	// 2. Progress: the numbers follow a new visit without a reload.
	u.Open(fmt.Sprintf("/rounds/%d/fieldwork", round))
	u.Run("progress", webtest.WaitVisible(`table[data-by=interviewer]`))
	if got := u.Text("#appointments"); !strings.Contains(got, "int1a") {
		t.Errorf("appointments due today: %q, want int1a's", got)
	}
	u.Shot("street-fieldwork")
	int1b := x.f.Users["int1b"].ID
	cell := fmt.Sprintf(`tr[data-group="%d"] td[data-k=visits]`, int1b)
	if got := u.Text(cell); got != "0" {
		t.Fatalf("int1b's visits before = %q, want 0", got)
	}
	if _, err := x.f.Service.RecordVisit(ctx, x.f.Caller("int1b"), rounds.VisitRequest{
		ClientID: "00000000-0000-4000-8000-0000000000c1", AssignmentID: a, AttemptedAt: time.Now().Add(-time.Minute), Outcome: "no_one_home",
	}); err != nil {
		t.Fatal(err)
	}
	u.Run("live update", webtest.WaitJS(fmt.Sprintf(`document.querySelector(%q).textContent === "1"`, cell)))

	// 3. Replacements: approve the refused household's.
	u.Open(fmt.Sprintf("/rounds/%d/replacements", round))
	refused := x.mine[1].ID
	u.Run("request", webtest.WaitVisible(fmt.Sprintf(`#request-%d`, refused)))
	if got := u.Text(fmt.Sprintf(`#request-%d table.visits`, refused)); !strings.Contains(got, "拒访") {
		t.Errorf("the request's visits: %q, want the refusal", got)
	}
	u.Shot("street-replacements")
	u.Run("approve", chromedp.SetValue(fmt.Sprintf(`#approve-%d input[name=reason]`, refused), "两次拒访，确认", chromedp.ByQuery),
		webtest.Click(fmt.Sprintf(`#approve-%d button[type=submit]`, refused)),
		chromedp.WaitNotPresent(fmt.Sprintf(`#request-%d`, refused), chromedp.ByQuery))
	if as, err := db.AssignmentByID(ctx, refused, store.Scope{}); err != nil || as.Replacement != "released" {
		t.Errorf("the refused household's replacement = %q (%v), want released", as.Replacement, err)
	}
	var reserves int
	if err := db.Reader().Get(&reserves, db.Reader().Rebind("SELECT COUNT(*) FROM assignments WHERE replaces_id = ?"), refused); err != nil || reserves != 1 {
		t.Errorf("%d reserves replace the refused household (%v), want 1", reserves, err)
	}
	if n := auditCount(t, db, "assignment.replace", sup, "api"); n != 1 {
		t.Errorf("%d replacements audited as sup1's, want 1", n)
	}

	// 4. Review: the too-fast response, its answers and timing; accept it.
	u.Open(fmt.Sprintf("/rounds/%d/review", round))
	if got := u.Text("#review-queue"); !strings.Contains(got, "用时过短") || !strings.Contains(got, "int1a") {
		t.Errorf("review queue: %q, want the too-fast response", got)
	}
	u.Shot("street-review")
	u.Open(fmt.Sprintf("/rounds/%d/review/%d", round, x.fast))
	if got := u.Text("#answers"); !strings.Contains(got, "交通秩序") || !strings.Contains(got, "满意") {
		t.Errorf("answers: %q, want question and option labels", got)
	}
	if got := u.Text("#timing"); !strings.Contains(got, "0:20") {
		t.Errorf("timing: %q, want a duration of 0:20", got)
	}
	u.Shot("street-review-response")
	// Flag it with a note, then send it back: first without a reason
	// (the API's 422 shows beside the field), then with one. The page asks
	// to confirm sending back; the dialog is accepted.
	chromedp.ListenTarget(u.Ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			go chromedp.Run(u.Ctx, cdppage.HandleJavaScriptDialog(true))
		}
	})
	u.Run("flag", chromedp.SetValue(`#review-flag input[name=reason]`, "用时太短，待核实", chromedp.ByQuery),
		webtest.Click(`#review-flag button[type=submit]`),
		webtest.WaitVisible(`.form-alert.ok`))
	if r, err := db.ResponseByID(ctx, x.fast, store.Scope{}); err != nil || r.Review != "flagged" || r.ReviewNote != "用时太短，待核实" {
		t.Errorf("the flagged response: %q %q (%v), want flagged with the note", r.Review, r.ReviewNote, err)
	}
	u.Open(fmt.Sprintf("/rounds/%d/review/%d", round, x.fast))
	u.Run("send back without a reason", webtest.Click(`#review-return button[type=submit]`),
		webtest.WaitVisible(`#review-return [data-error-for=reason]`))
	if r, _ := db.ResponseByID(ctx, x.fast, store.Scope{}); r.Review != "flagged" {
		t.Errorf("a return without a reason changed the review to %q", r.Review)
	}
	u.Run("send back", chromedp.SetValue(`#review-return textarea[name=reason]`, "请重新入户访问，逐题询问", chromedp.ByQuery),
		webtest.Click(`#review-return button[type=submit]`),
		webtest.WaitVisible(`.form-alert.ok`))
	if r, err := db.ResponseByID(ctx, x.fast, store.Scope{}); err != nil || r.Review != "returned" || r.Status != "rejected" {
		t.Errorf("the returned response: %s %s (%v), want returned and rejected", r.Review, r.Status, err)
	}
	if as, err := db.AssignmentByID(ctx, x.mine[3].ID, store.Scope{}); err != nil || as.Status == "final" {
		t.Errorf("the household of the returned response is %s (%v), want reopened", as.Status, err)
	}
	if n := auditCount(t, db, "response.review", sup, "api"); n != 2 {
		t.Errorf("%d reviews audited as sup1's, want 2 (flag, return)", n)
	}

	// 5. Rescue: a tablet's file, twice.
	theirs, err := x.f.Service.Assignments(ctx, x.f.Caller("sup2"), round, store.AssignmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "minyi-outbox-int1a-20261122-2000.json")
	if err := os.WriteFile(file, []byte(rescueFile(x, theirs[0].ID)), 0o600); err != nil {
		t.Fatal(err)
	}
	u.Open("/rescue")
	upload := func() string {
		u.Run("upload", chromedp.SetUploadFiles(`#rescue-form input[type=file]`, []string{file}, chromedp.ByQuery),
			webtest.Click(`#rescue-form button[type=submit]`),
			webtest.WaitVisible(`#rescue-items tbody tr`))
		return u.Text("#rescue-summary")
	}
	if got := upload(); !strings.Contains(got, "新收到 2 条") || !strings.Contains(got, "已有 1 条") || !strings.Contains(got, "拒收 2 条") {
		t.Errorf("first upload: %q", got)
	}
	u.Shot("street-rescue")
	if as, err := db.AssignmentByID(ctx, x.mine[4].ID, store.Scope{}); err != nil || as.Disposition != "complete" {
		t.Errorf("the rescued interview's household: %q (%v), want complete", as.Disposition, err)
	}
	if n := auditCount(t, db, "response.submit", sup, "rescue"); n != 1 {
		t.Errorf("%d rescued interviews audited as sup1's rescue, want 1", n)
	}
	u.Open("/rescue")
	if got := upload(); !strings.Contains(got, "新收到 0 条") || !strings.Contains(got, "已有 3 条") {
		t.Errorf("second upload: %q, want everything held", got)
	}

	// The English switch.
	u.Open(fmt.Sprintf("/rounds/%d/board?lang=en", round))
	if got := u.Text("h1"); !strings.Contains(got, "Assignment board") {
		t.Errorf("English board heading: %q", got)
	}
}
