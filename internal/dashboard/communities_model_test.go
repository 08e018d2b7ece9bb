package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// A street page shows its communities' model estimates in a card of their
// own, marked as a model's and explained, beside the direct estimates,
// and never in the league table of streets; a supervisor sees their own
// street's communities only. The figures are results.ForCommunities'.
func TestStreetPageShowsCommunityModel(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	seed := servertest.SeedDashboard(t, db)
	base := servertest.NewDashServer(t, db)
	rep, err := results.ForCommunities(context.Background(), db, seed.Round, results.CommunityRequest{Indicators: []string{"awareness"}, StreetID: seed.Streets[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Communities) == 0 {
		t.Fatal("street 1 has no community figures")
	}
	for _, who := range []string{"analyst", "sup1"} {
		c := servertest.LoginAs(t, base, who)
		status, _, _, body := servertest.GetPage(t, c, fmt.Sprintf("%s/rounds/%d/streets/%d", base, seed.Round, seed.Streets[0].ID))
		if status != http.StatusOK {
			t.Fatalf("%s: street page = %d", who, status)
		}
		card, ok := cut(body, `id="community-model"`, "</section>")
		if !ok {
			t.Fatalf("%s: the street page has no model card", who)
		}
		for _, want := range []string{"data-model-estimate", "模型估计", "Fay–Herriot"} {
			if !strings.Contains(card, want) {
				t.Errorf("%s: the model card lacks %q", who, want)
			}
		}
		if league, ok := cut(body, `id="street-table"`, "</table>"); !ok || strings.Contains(league, "模型") || strings.Contains(league, "data-model") {
			t.Errorf("%s: the league table of streets has model estimates (or is missing)", who)
		}
		fit := rep.Fits[0]
		t.Logf("%s: awareness model: reason %q, σ²ᵥ %v, %d communities", who, fit.Reason, deref(fit.SigmaV2), fit.Areas)
		if fit.Reason != "" {
			if !strings.Contains(card, `data-model-reason="awareness"`) {
				t.Errorf("%s: the model failed (%s) and the card does not say why", who, fit.Reason)
			}
			continue
		}
		table, ok := cut(card, `data-model-rate="awareness"`, "</table>")
		if !ok {
			t.Fatalf("%s: no awareness table in the model card", who)
		}
		for _, f := range rep.Communities {
			if !strings.Contains(table, f.Community) || (f.Model != nil && !strings.Contains(table, fmt.Sprintf("%.1f%%", 100**f.Model))) {
				t.Errorf("%s: community %s (model %v) missing from the table", who, f.Community, f.Model)
			}
		}
	}
	// Another street's communities are not on street 1's page.
	other, err := results.ForCommunities(context.Background(), db, seed.Round, results.CommunityRequest{Indicators: []string{"awareness"}, StreetID: seed.Streets[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, body := servertest.GetPage(t, servertest.LoginAs(t, base, "sup1"), fmt.Sprintf("%s/rounds/%d/streets/%d", base, seed.Round, seed.Streets[0].ID))
	card, _ := cut(body, `id="community-model"`, "</section>")
	for _, f := range other.Communities {
		if strings.Contains(card, ">"+f.Community+"<") {
			t.Errorf("street 1's model card shows street 2's community %s", f.Community)
		}
	}
}

// cut returns s from the first from to the first to after it.
func cut(s, from, to string) (string, bool) {
	i := strings.Index(s, from)
	if i < 0 {
		return "", false
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return "", false
	}
	return s[i : i+j], true
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
