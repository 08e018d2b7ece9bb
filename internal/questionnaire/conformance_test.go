package questionnaire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// conformanceCase is one case of testdata/conformance.json; the file's
// "about" field describes the format for other implementations.
type conformanceCase struct {
	Name        string              `json:"name"`
	Definition  json.RawMessage     `json:"definition"`
	Answers     json.RawMessage     `json:"answers"`
	Visible     []string            `json:"visible"`
	Ended       bool                `json:"ended"`
	Disposition string              `json:"disposition"`
	Eligible    bool                `json:"eligible"`
	Errors      map[string]string   `json:"errors"`
	Indicators  map[string]*float64 `json:"indicators"`
}

func loadConformance(t testing.TB) []conformanceCase {
	t.Helper()
	data, err := os.ReadFile("testdata/conformance.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw struct {
		About string            `json:"about"`
		Cases []conformanceCase `json:"cases"`
	}
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("conformance.json: %v", err)
	}
	if len(raw.Cases) == 0 {
		t.Fatal("conformance.json has no cases")
	}
	return raw.Cases
}

func TestConformance(t *testing.T) {
	for _, tc := range loadConformance(t) {
		t.Run(tc.Name, func(t *testing.T) {
			def, err := questionnaire.ParseJSON(tc.Name, tc.Definition)
			if err != nil {
				t.Fatalf("definition: %v", err)
			}
			resp, err := questionnaire.ParseResponse(tc.Answers)
			if err != nil {
				t.Fatalf("answers: %v", err)
			}
			st, err := def.ValidateResponse(resp)
			if !slices.Equal(st.Visible, tc.Visible) {
				t.Errorf("visible = %v, want %v", st.Visible, tc.Visible)
			}
			if st.Ended != tc.Ended || string(st.Disposition) != tc.Disposition || st.Eligible() != tc.Eligible {
				t.Errorf("ended, disposition, eligible = %v, %q, %v; want %v, %q, %v",
					st.Ended, st.Disposition, st.Eligible(), tc.Ended, tc.Disposition, tc.Eligible)
			}
			if ev := def.Evaluate(resp); !slices.Equal(ev.Visible, st.Visible) || ev.Disposition != st.Disposition {
				t.Errorf("Evaluate = %+v, ValidateResponse state = %+v", ev, st)
			}
			got := map[string]string{}
			var fe questionnaire.ResponseErrors
			if errors.As(err, &fe) {
				for _, f := range fe {
					got[f.Question] = f.Rule
				}
			} else if err != nil {
				t.Fatalf("error %v is not ResponseErrors", err)
			}
			if !maps.Equal(got, tc.Errors) && (len(got) > 0 || len(tc.Errors) > 0) {
				t.Errorf("errors = %v, want %v (%v)", got, tc.Errors, err)
			}
			if tc.Indicators == nil {
				return
			}
			values := def.Score(resp)
			if len(values) != len(tc.Indicators) {
				t.Errorf("got %d indicator values, the case lists %d", len(values), len(tc.Indicators))
			}
			for id, want := range tc.Indicators {
				v, ok := values.Get(id)
				switch {
				case want == nil && ok:
					t.Errorf("indicator %s = %v, want missing", id, v)
				case want != nil && !ok:
					t.Errorf("indicator %s missing, want %v", id, *want)
				case want != nil && math.Abs(v-*want) > 1e-9:
					t.Errorf("indicator %s = %v, want %v", id, v, *want)
				}
			}
		})
	}
}
