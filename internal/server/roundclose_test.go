package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestCloseRoundOpenWork: closing a round with work still open answers 409
// round_has_open_work with the counts, which the rounds page shows and its
// close button's confirmation names; "force": true closes it, audited with
// the counts.
func TestCloseRoundOpenWork(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		servertest.SeedAccessObjects(t, f) // a refusal: one replacement awaits a supervisor
		admin := servertest.LoginAs(t, base, "admin")
		_, _, _, page := servertest.GetPage(t, admin, base+"/rounds?lang=en")
		if !strings.Contains(page, `data-open-replacements="1"`) || !strings.Contains(page, "1 replacements awaiting approval") ||
			!strings.Contains(page, `name="force" value="true"`) {
			t.Errorf("the rounds page does not name the open work:\n%.2000s", page)
		}
		url := fmt.Sprintf("%s/api/v1/rounds/%d/close", base, f.Round.ID)
		for _, body := range []string{"", "{}", `{"force":false}`} {
			status, b := servertest.Call(t, admin, "POST", url, body)
			var eb struct {
				Error struct {
					Code    string
					Details store.OpenWork
				}
			}
			if status != http.StatusConflict || json.Unmarshal(b, &eb) != nil || eb.Error.Code != store.CodeRoundOpenWork || eb.Error.Details.PendingReplacements != 1 {
				t.Errorf("close with %q = %d %s", body, status, b)
			}
		}
		if status, b := servertest.Call(t, admin, "POST", url, `{"force":true}`); status != http.StatusOK || !strings.Contains(string(b), `"status":"closed"`) {
			t.Fatalf("forced close = %d %s", status, b)
		}
		var detail string
		if err := db.Reader().Get(&detail, db.Reader().Rebind("SELECT detail FROM audit_log WHERE action = 'round.close'")); err != nil ||
			!strings.Contains(detail, `"forced":true`) || !strings.Contains(detail, `"pending_replacements":1`) {
			t.Errorf("audit = %s (%v)", detail, err)
		}
	})
}
