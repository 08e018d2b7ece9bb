package dashboard_test

import (
	"fmt"
	"html"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minyi-survey/minyi/internal/glossary"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/webtest"
)

var (
	conclusionsRe = regexp.MustCompile(`(?s)<section class="conclusions[^"]*" id="([^"]+)"[^>]*data-conclusions>(.*?)</section>`)
	sentenceRe    = regexp.MustCompile(`(?s)<p>(.*?)</p>`)
	termHrefRe    = regexp.MustCompile(`<a class="term" href="/help#([^"]+)"`)
)

// conclusionsOf returns the sentences of a page's conclusions and where
// the section starts in the body (-1 when there is none).
func conclusionsOf(body string) ([]string, int) {
	m := conclusionsRe.FindStringSubmatchIndex(body)
	if m == nil {
		return nil, -1
	}
	var out []string
	for _, s := range sentenceRe.FindAllStringSubmatch(body[m[4]:m[5]], -1) {
		out = append(out, html.UnescapeString(s[1]))
	}
	return out, m[0]
}

// The overview, every street's page and the report open with sentences
// that say, for each headline rate, what the engine's interval allows
// against the target (the rules of internal/conclude, checked here
// against the figures of results.ForRound, not against conclude itself);
// every glossary link on them names a term of the glossary.
func TestPagesOpenWithConclusions(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	seed := servertest.SeedDashboard(t, db)
	base := servertest.NewDashServer(t, db)
	rep, def := seededStreets(t, db, seed)
	type headline struct {
		id, label string
		target    float64
	}
	var heads []headline
	for _, role := range []questionnaire.Role{questionnaire.RoleAwareness, questionnaire.RoleSupport, questionnaire.RoleParticipation, questionnaire.RoleSatisfaction} {
		for _, ind := range def.Indicators {
			if ind.Role == role {
				heads = append(heads, headline{ind.ID, ind.Label["zh-CN"], *ind.Target})
			}
		}
	}
	heads = append(heads, headline{results.CompositeID, def.Composite.Label["zh-CN"], *def.Composite.Target})
	// want is the phrase a figure's sentence must hold.
	want := func(f results.Figure, target float64) string {
		switch {
		case f.N < servertest.DashMinCell:
			return "暂不下结论"
		case math.IsNaN(f.CILow) || math.IsNaN(f.CIHigh):
			return "算不出置信区间"
		case f.CIHigh < target:
			return "整个区间低于目标"
		case f.CILow >= target:
			return "可以有把握地说达到目标"
		}
		return "还不能说是否达到目标"
	}
	analyst := servertest.LoginAs(t, base, "analyst")
	round := fmt.Sprintf("%s/rounds/%d", base, seed.Round)
	open := func(path, first string) []string {
		t.Helper()
		status, _, _, body := servertest.GetPage(t, analyst, path)
		if status != http.StatusOK {
			t.Fatalf("%s = %d", path, status)
		}
		s, at := conclusionsOf(body)
		if at < 0 || len(s) == 0 {
			t.Fatalf("%s: no conclusions", path)
		}
		if i := strings.Index(body, first); i < at {
			t.Errorf("%s: the conclusions (at %d) do not come before %s (at %d)", path, at, first, i)
		}
		if sim := strings.Contains(s[0], "模拟数据") || strings.Contains(s[0], "simulated data"); strings.Contains(body, "data-simulated") != sim {
			t.Errorf("%s: simulated round %v, but the first sentence is %q", path, strings.Contains(body, "data-simulated"), s[0])
		}
		for _, m := range termHrefRe.FindAllStringSubmatch(body, -1) {
			if !glossary.Has(m[1]) {
				t.Errorf("%s links /help#%s, which is no term of the glossary", path, m[1])
			}
		}
		return s
	}
	// check finds the sentence of each headline figure of a place and its claim.
	check := func(path, place string, figs map[string]results.Figure, sentences []string) {
		t.Helper()
		for _, h := range heads {
			f, ok := figs[h.id]
			if !ok {
				t.Fatalf("%s: the engine has no %s", path, h.id)
			}
			prefix := place + h.label
			var got string
			for _, s := range sentences {
				if strings.HasPrefix(s, prefix+" ") || strings.HasPrefix(s, prefix+"：") {
					got = s
				}
			}
			if w := want(f, h.target); !strings.Contains(got, w) {
				t.Errorf("%s: %s (%.3f, %.3f–%.3f, n=%d, target %.2f): sentence %q lacks %q", path, prefix, f.Value, f.CILow, f.CIHigh, f.N, h.target, got, w)
			}
		}
	}
	district := map[string]results.Figure{}
	byStreet := map[int64]map[string]results.Figure{}
	names := map[int64]string{}
	for _, f := range rep.Estimates {
		if f.Domain == stats.NoDomain {
			district[f.Variable] = f
			continue
		}
		if byStreet[f.StreetID] == nil {
			byStreet[f.StreetID] = map[string]results.Figure{}
		}
		byStreet[f.StreetID][f.Variable] = f
		names[f.StreetID] = f.DomainLabel
	}
	// The overview and the report speak of the district, and count the
	// streets in their last sentence.
	for _, path := range []string{round, round + "/report"} {
		first := `id="live-key"`
		if strings.HasSuffix(path, "/report") {
			first = `id="report-key"`
		}
		s := open(path+"?lang=zh-CN", first)
		check(path, "全区", district, s)
		if last := s[len(s)-1]; !strings.Contains(last, fmt.Sprintf("%d 个街道中", len(byStreet))) {
			t.Errorf("%s: the last sentence does not count the %d streets: %q", path, len(byStreet), last)
		}
		en := open(path+"?lang=en", first)
		if !slicesContainsPrefix(en, "Satisfaction rate in the district: ") {
			t.Errorf("%s in English: no sentence on the district's satisfaction rate: %q", path, en)
		}
	}
	for id, figs := range byStreet {
		path := fmt.Sprintf("%s/streets/%d", round, id)
		check(path, names[id], figs, open(path+"?lang=zh-CN", `id="live-key"`))
	}
	t.Run("glossary on tap", func(t *testing.T) { glossaryOnTap(t, base, seed) })
}

func slicesContainsPrefix(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// glossaryOnTap checks that the glossary has an entry for every term in
// both languages, and that a term on the dashboard works by tap on a
// phone: it opens its entry, on the screen.
func glossaryOnTap(t *testing.T, base string, seed servertest.DashSeed) {
	sup := servertest.LoginAs(t, base, "sup1")
	for _, lang := range []string{"zh-CN", "en"} {
		status, _, _, body := servertest.GetPage(t, sup, base+"/help?lang="+lang)
		if status != http.StatusOK {
			t.Fatalf("/help = %d", status)
		}
		for _, id := range glossary.Terms() {
			if !strings.Contains(body, `id="`+id+`" data-term="`+id+`"`) {
				t.Errorf("/help (%s) has no entry %s", lang, id)
			}
		}
	}
	b := webtest.Start(t)
	ctx := b.Tab(2 * time.Minute)
	var entry struct {
		Hash    string
		OnPage  bool
		Formula bool
	}
	webtest.Run(t, ctx, "a term on the phone", webtest.Viewport(360, 740),
		webtest.Login(base+"/login", "sup1", fieldtest.Password), webtest.WaitJS(`document.getElementById("logout") !== null`),
		chromedp.Navigate(fmt.Sprintf("%s/rounds/%d?lang=zh-CN", base, seed.Round)), chromedp.WaitReady("#live-key", chromedp.ByQuery),
		webtest.Navigation(webtest.Click(`#live-key a.term[data-term="deff"]`)),
		webtest.WaitJS(`location.pathname === "/help" && document.getElementById("deff") !== null`),
		// The browser scrolls to the fragment once the page is laid out:
		// wait for the entry to be on the screen (a fraction of a pixel
		// above its top edge is layout rounding), then read the rest.
		webtest.WaitJS(`(() => { const r = document.getElementById("deff").getBoundingClientRect(); return r.top > -1 && r.top < innerHeight; })()`),
		webtest.Eval(`(() => { const r = document.getElementById("deff").getBoundingClientRect();
			return {hash: location.hash, onPage: r.top > -1 && r.top < innerHeight, formula: document.querySelector("#deff details") !== null}; })()`, &entry))
	if entry.Hash != "#deff" || !entry.OnPage || !entry.Formula {
		t.Errorf("tapping deff: %+v, want its entry #deff on the screen with its formula", entry)
	}
}
