package streetoffice

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/web"
)

// TestStreetStrings checks that every string the street pages name exists
// in both languages: the keys written in the templates and scripts, and
// those built from data (board states, dispositions, visit outcomes,
// quality flags, review states), which would otherwise show as raw codes.
func TestStreetStrings(t *testing.T) {
	p, err := web.NewPages()
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`"(street\.[a-zA-Z0-9_.]*[a-zA-Z0-9_])"`)
	var files []string
	for _, pat := range []string{"../../web/templates/street/*.html", "../../web/templates/street/partials/*.html", "../../web/static/js/street_*.js"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("found only %d street templates and scripts: %v", len(files), files)
	}
	want := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = true
		}
	}
	for _, s := range store.BoardStates {
		want["street.board.state."+s] = true
	}
	for _, d := range fieldwork.Dispositions {
		want["street.disp."+string(d)] = true
	}
	for _, o := range fieldwork.Outcomes {
		want["street.outcome."+string(o)] = true
	}
	for _, f := range []string{fieldwork.FlagTooFast, fieldwork.FlagStraightLining, fieldwork.FlagGPSFar, fieldwork.FlagOverlap, fieldwork.FlagRepeatedPattern, "reassigned"} {
		want["street.flag."+f] = true
		want["street.flag."+f+".why"] = true
	}
	for _, s := range reviewStates {
		want["street.review.state."+s] = true
	}
	for _, s := range []string{store.RoundPlanned, store.RoundFieldwork, store.RoundClosed} {
		want["street.round."+s] = true
	}
	for _, o := range []string{"received", "held", "refused"} {
		want["street.rescue."+o] = true
	}
	for _, lang := range web.Languages {
		var m map[string]string
		if err := json.Unmarshal(p.StringsJSON(lang), &m); err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if m[k] == "" {
				t.Errorf("%s: string %q is missing", lang, k)
			}
		}
	}
}
