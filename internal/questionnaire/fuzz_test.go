package questionnaire_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

// FuzzParse feeds arbitrary bytes to the definition loader: it must return
// a definition or Problems, never panic, and whatever it accepts must
// survive a canonical JSON round trip with the same hash.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(surveys.FS, "*.yaml")
	for _, name := range names {
		data, _ := fs.ReadFile(surveys.FS, name)
		f.Add(data)
	}
	f.Add([]byte(base))
	for _, tc := range loadConformance(f) {
		f.Add([]byte(tc.Definition))
	}
	f.Add([]byte("a: &x [*x]"))
	f.Add([]byte("--- {}\n--- {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := questionnaire.Parse("fuzz.yaml", data)
		if err != nil {
			var probs questionnaire.Problems
			if !errors.As(err, &probs) || len(probs) == 0 {
				t.Fatalf("error %v is not a non-empty Problems", err)
			}
			return
		}
		canon, err := d.CanonicalJSON()
		if err != nil {
			t.Fatalf("CanonicalJSON: %v", err)
		}
		back, err := questionnaire.ParseJSON("canonical.json", canon)
		if err != nil {
			t.Fatalf("canonical JSON does not parse: %v\n%s", err, canon)
		}
		h1, _ := d.ContentHash()
		h2, _ := back.ContentHash()
		if h1 != h2 {
			t.Fatalf("hash changed on a round trip:\n%s", canon)
		}
		d.Evaluate(questionnaire.Response{})
		d.Score(questionnaire.Response{})
	})
}

// FuzzValidateResponse feeds arbitrary JSON to response parsing, validation
// and scoring against the shipped questionnaires: always an error or a
// result, never a panic; valid responses score within range.
func FuzzValidateResponse(f *testing.F) {
	defs := shipped(f)
	seed, _ := json.Marshal(complete())
	f.Add(seed)
	for _, tc := range loadConformance(f) {
		f.Add([]byte(tc.Answers))
	}
	f.Add([]byte(`{"W0": 1, "W1": 3, "W2": 1, "W3": 2, "W4": 3, "W5": 4, "W6": 5, "W7": "太慢"}`))
	f.Add([]byte(`{"S1": 1e400, "C1": [1, -0, 9007199254740993], "E4": "\ud800"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := questionnaire.ParseResponse(data)
		if err != nil {
			return
		}
		for id, d := range defs {
			st, err := d.ValidateResponse(r)
			var fe questionnaire.ResponseErrors
			if err != nil && (!errors.As(err, &fe) || len(fe) == 0) {
				t.Fatalf("%s: error %v is not a non-empty ResponseErrors", id, err)
			}
			vals := d.Score(r)
			if len(vals) != len(d.Indicators) {
				t.Fatalf("%s: %d values for %d indicators", id, len(vals), len(d.Indicators))
			}
			if err != nil {
				continue
			}
			for i, v := range vals {
				ind := d.Indicators[i]
				if v.Missing {
					continue
				}
				if math.IsNaN(v.Value) || ind.Scale() == questionnaire.ScaleProportion && (v.Value < 0 || v.Value > 1) {
					t.Fatalf("%s: %s = %v out of range (state %+v)", id, ind.ID, v.Value, st)
				}
			}
		}
	})
}
