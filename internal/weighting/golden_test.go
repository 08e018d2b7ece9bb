package weighting_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

var update = flag.Bool("update", false, "rewrite testdata/round.csv and testdata/population.csv (then run Rscript golden.R in testdata)")

// goldenMethods are the calibrations checked against R, with the R call
// testdata/golden.R makes for each.
var goldenMethods = []struct {
	name string
	cfg  weighting.Config
}{
	// postStratify(des, ~street+E1+E2, pop)
	{"poststratify", weighting.Config{Calibration: "poststratify", Variables: []string{"street", "E1", "E2"}}},
	// rake(des, list(~street+E1, ~street+E2), list(pop_sex, pop_age))
	{"rake", weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}}},
}

// goldenFigure is one R estimate: svymean (domain "") or svyby.
type goldenFigure struct {
	Method    string  `json:"method"`
	By        string  `json:"by"`
	Domain    string  `json:"domain"`
	Indicator string  `json:"indicator"`
	Estimate  float64 `json:"estimate"`
	SE        float64 `json:"se"`
}

type goldenOut struct {
	Weights map[string]map[string]float64 `json:"weights"` // method → response id → weight
	Figures []goldenFigure                `json:"figures"`
	// Drivers: svyglm(support ~ q1 + q2 + q3 + q4, design, family = quasibinomial())
	Drivers map[string]struct {
		Names    []string  `json:"names"`
		Estimate []float64 `json:"estimate"`
		SE       []float64 `json:"se"`
		T        []float64 `json:"t"`
		P        []float64 `json:"p"`
		DF       int       `json:"df"`
	} `json:"drivers"`
}

// TestGoldenAgainstR weighs the weighttest round with each method and
// compares the final weights, the estimates and their standard errors for
// the district and by street with R's survey package on the round's
// exported responses (testdata/golden.R), to 1e-9.
func TestGoldenAgainstR(t *testing.T) {
	var gold goldenOut
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil && !*update {
		t.Fatal(err)
	}
	if err == nil {
		if err := json.Unmarshal(b, &gold); err != nil {
			t.Fatal(err)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		if _, err := weighting.ImportPopulation(ctx, db, bytes.NewReader([]byte(weighttest.PopulationCSV())), weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System); err != nil {
			t.Fatal(err)
		}
		weights := map[string]map[int64]float64{}
		var export []exportRow
		for _, m := range goldenMethods {
			if _, err := weighting.Weigh(ctx, db, f.Round.ID, m.cfg, store.System); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			rows := exported(t, db, f.Round.ID)
			weights[m.name] = map[int64]float64{}
			for _, r := range rows {
				weights[m.name][r.id] = r.weight
			}
			export = rows
			if *update {
				continue
			}
			for id, w := range weights[m.name] {
				want := gold.Weights[m.name][strconv.FormatInt(id, 10)]
				if !near(w, want, 1e-9) {
					t.Errorf("%s: response %d weight %v, R %v", m.name, id, w, want)
				}
			}
			dr, err := results.KeyDrivers(ctx, db, f.Round.ID, results.DriversRequest{Outcome: "support", Predictors: []string{"q1", "q2", "q3", "q4"}})
			if err != nil {
				t.Fatal(err)
			}
			want := gold.Drivers[m.name]
			if dr.Regression.DF != want.DF || len(dr.Regression.Coefficients) != len(want.Names) {
				t.Errorf("%s drivers: df %d, %d coefficients; R df %d, %v", m.name, dr.Regression.DF, len(dr.Regression.Coefficients), want.DF, want.Names)
			} else {
				for k, c := range dr.Regression.Coefficients {
					if !near(c.Estimate, want.Estimate[k], 1e-8) || !near(c.SE, want.SE[k], 1e-8) || !near(c.T, want.T[k], 1e-8) || !near(c.P, want.P[k], 1e-8) {
						t.Errorf("%s drivers %s: %v se %v t %v p %v; R %v se %v t %v p %v", m.name, want.Names[k], c.Estimate, c.SE, c.T, c.P,
							want.Estimate[k], want.SE[k], want.T[k], want.P[k])
					}
				}
			}
			for _, by := range []string{"", "street", "group:E2", "group:E2/street"} {
				req := results.RoundRequest{By: by}
				if g, ok := strings.CutPrefix(by, "group:"); ok {
					req.Group, req.By, _ = strings.Cut(g, "/")
				}
				rep, err := results.ForRound(ctx, db, f.Round.ID, req)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]results.Figure{}
				for _, fig := range rep.Estimates {
					got[fig.Variable+"/"+fig.DomainLabel] = fig
				}
				n := 0
				for _, g := range gold.Figures {
					if g.Method != m.name || g.By != by {
						continue
					}
					n++
					fig, ok := got[g.Indicator+"/"+g.Domain]
					if !ok {
						t.Errorf("%s by %q: no figure for %s in %q", m.name, by, g.Indicator, g.Domain)
						continue
					}
					if !near(fig.Value, g.Estimate, 1e-9) || !near(fig.SE, g.SE, 1e-9) {
						t.Errorf("%s by %q %s %s: %v (se %v), R %v (se %v)", m.name, by, g.Domain, g.Indicator, fig.Value, fig.SE, g.Estimate, g.SE)
					}
				}
				if n == 0 {
					t.Errorf("%s by %q: no golden figures", m.name, by)
				}
			}
		}
		if *update && db.Dialect() == store.SQLite {
			writeExport(t, export, weights)
			if err := os.WriteFile("testdata/population.csv", []byte(weighttest.PopulationCSV()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

type exportRow struct {
	id, street, psu int64
	streetName      string
	input, weight   float64
	e1, e2          int
	values          map[string]*float64
}

var goldenIndicators = []string{"aware", "support", "q1", "q2", "q3", "q4", "satisfied"}

// exported reads what 'minyi round export' gives R, plus the weight before
// calibration and the demographic answers.
func exported(t *testing.T, db *store.DB, roundID int64) []exportRow {
	t.Helper()
	var rows []struct {
		ID      int64   `db:"id"`
		Street  int64   `db:"street_id"`
		Name    string  `db:"name"`
		PSU     int64   `db:"psu"`
		Input   float64 `db:"input_weight"`
		Weight  float64 `db:"weight"`
		Answers string  `db:"answers"`
	}
	err := db.Reader().Select(&rows, db.Reader().Rebind(`SELECT r.id, a.street_id, s.name, su.psu, r.input_weight, r.weight, r.answers
		FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id
		JOIN streets s ON s.id = a.street_id WHERE r.round_id = ? AND r.status = 'accepted' ORDER BY r.id`), roundID)
	if err != nil {
		t.Fatal(err)
	}
	var vals []struct {
		ID    int64    `db:"response_id"`
		Ind   string   `db:"indicator"`
		Value *float64 `db:"value"`
		W     float64  `db:"weight"`
	}
	if err := db.Reader().Select(&vals, db.Reader().Rebind("SELECT response_id, indicator, value, weight FROM response_values WHERE round_id = ?"), roundID); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]map[string]*float64{}
	for _, v := range vals {
		if byID[v.ID] == nil {
			byID[v.ID] = map[string]*float64{}
		}
		byID[v.ID][v.Ind] = v.Value
	}
	out := make([]exportRow, len(rows))
	for i, r := range rows {
		a, err := questionnaire.ParseResponse([]byte(r.Answers))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = exportRow{id: r.ID, street: r.Street, streetName: r.Name, psu: r.PSU, input: r.Input, weight: r.Weight,
			e1: a["E1"].Number, e2: a["E2"].Number, values: byID[r.ID]}
	}
	return out
}

func writeExport(t *testing.T, rows []exportRow, weights map[string]map[int64]float64) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"response_id", "street", "psu", "input_weight", "E1", "E2"}
	for _, m := range goldenMethods {
		head = append(head, "weight_"+m.name)
	}
	w.Write(append(head, goldenIndicators...))
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range rows {
		rec := []string{strconv.FormatInt(r.id, 10), r.streetName, strconv.FormatInt(r.psu, 10), g(r.input), fmt.Sprint(r.e1), fmt.Sprint(r.e2)}
		for _, m := range goldenMethods {
			rec = append(rec, g(weights[m.name][r.id]))
		}
		for _, ind := range goldenIndicators {
			if v := r.values[ind]; v != nil {
				rec = append(rec, g(*v))
			} else {
				rec = append(rec, "NA")
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := os.WriteFile("testdata/round.csv", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
