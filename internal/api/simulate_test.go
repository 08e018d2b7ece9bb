package api_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/survey"
	"github.com/minyi-survey/minyi/surveys"
)

// POST /api/v1/simulate/design evaluates a design on the newest stored
// frame: with the seed of the district the frame came from, its truth is
// that district's (the "true" of every street is the district's own);
// an uploaded TRUTH.json gives the same; the same request gives the same
// report; bad numbers are 422s naming their field.
func TestDesignAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		if _, err := survey.EnsureShipped(ctx, db); err != nil {
			t.Fatal(err)
		}
		d, err := simulate.Generate(simulate.Spec{Streets: 3, Communities: 4, Households: 40, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := simround.District(ctx, db, d, store.System); err != nil {
			t.Fatal(err)
		}
		analyst := servertest.LoginAs(t, base, "analyst")
		const url = "/api/v1/simulate/design"
		body := `{"truth_seed":7,"n":90,"per_community":10,"reps":30,"seed":5}`
		status, b := servertest.Call(t, analyst, "POST", base+url, body)
		if status != http.StatusOK {
			t.Fatalf("%s = %d %s", body, status, b)
		}
		var rep simulate.DesignReport
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Reps != 30 || rep.Design.N != 90 || rep.Design.Streets != 3 || len(rep.District) != 4 || len(rep.Streets) != 12 ||
			len(rep.Recommendation.Streets) != 3 || rep.Recommendation.PerStreet == 0 {
			t.Fatalf("report %s", b)
		}
		if rep.Communities != nil {
			t.Fatalf("community cells without asking: %s", b)
		}
		// The rates' interval: arcsine unless asked, as a round's
		// estimates; logit when asked, on the same draws (same estimates,
		// other intervals).
		if rep.Design.CI != stats.CIAsin || !strings.Contains(string(b), `"ci":"asin"`) {
			t.Fatalf("default interval %v", rep.Design.CI)
		}
		status, lb := servertest.Call(t, analyst, "POST", base+url, strings.Replace(body, `{`, `{"ci":"logit",`, 1))
		var lrep simulate.DesignReport
		if status != http.StatusOK || json.Unmarshal(lb, &lrep) != nil || lrep.Design.CI != stats.CILogit {
			t.Fatalf("ci logit = %d %s", status, lb)
		}
		if lrep.District["awareness"].RMSE != rep.District["awareness"].RMSE || lrep.District["awareness"].MeanWidth == rep.District["awareness"].MeanWidth {
			t.Errorf("logit: RMSE %v (asin %v), width %v (asin %v): want the same estimates with other intervals",
				lrep.District["awareness"].RMSE, rep.District["awareness"].RMSE, lrep.District["awareness"].MeanWidth, rep.District["awareness"].MeanWidth)
		}
		cbody := `{"truth_seed":7,"n":90,"per_community":10,"reps":10,"seed":5,"community_cells":true}`
		status, cb := servertest.Call(t, analyst, "POST", base+url, cbody)
		var crep simulate.DesignReport
		if status != http.StatusOK || json.Unmarshal(cb, &crep) != nil || !crep.Design.CommunityCells || len(crep.Communities) != 4 || crep.Communities[0].Communities == 0 {
			t.Fatalf("%s = %d %s", cbody, status, cb)
		}
		def, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
		if err != nil {
			t.Fatal(err)
		}
		plan, err := simulate.Compile(def, d.Model)
		if err != nil {
			t.Fatal(err)
		}
		truth := simulate.ComputeTruth(plan, d.Frame())
		want := map[[2]string]float64{}
		for _, it := range truth.Indicators {
			for _, sv := range it.Streets {
				want[[2]string{sv.Street, it.ID}] = sv.Value
			}
		}
		for _, m := range rep.Streets {
			w, ok := want[[2]string{m.Street, m.Indicator}]
			if !ok || math.Abs(m.True-w) > 1e-5 {
				t.Errorf("%s %s: true %v, the district's %v", m.Street, m.Indicator, m.True, w)
			}
			if m.Coverage < 0 || m.Coverage > 1 || m.MeanWidth <= 0 || m.PFlagBelow == nil {
				t.Errorf("%s %s: %+v", m.Street, m.Indicator, m.Metrics)
			}
		}
		if status, again := servertest.Call(t, analyst, "POST", base+url, body); status != http.StatusOK || string(again) != string(b) {
			t.Errorf("the same request gave another report (%d)", status)
		}
		// The administrator's order of streets: the report lists them in it,
		// with the same figures.
		all, err := db.Streets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(all))
		for i, st := range all {
			ids[len(all)-1-i] = strconv.FormatInt(st.ID, 10)
		}
		admin := servertest.LoginAs(t, base, "admin")
		if status, b := servertest.Call(t, admin, "PUT", base+"/api/v1/streets/order", `{"streets":[`+strings.Join(ids, ",")+`]}`); status != http.StatusOK {
			t.Fatalf("PUT order = %d %s", status, b)
		}
		status, b3 := servertest.Call(t, analyst, "POST", base+url, body)
		var rep3 simulate.DesignReport
		if status != http.StatusOK || json.Unmarshal(b3, &rep3) != nil {
			t.Fatalf("after reordering: %d %s", status, b3)
		}
		var before, after []string
		for _, st := range rep.Recommendation.Streets {
			before = append(before, st.Street)
		}
		for _, st := range rep3.Recommendation.Streets {
			after = append(after, st.Street)
		}
		slices.Reverse(before)
		if !slices.Equal(before, after) {
			t.Errorf("after reversing the district's order the report lists %v, want %v", after, before)
		}
		figs := map[[2]string]simulate.Metrics{}
		for _, m := range rep.Streets {
			figs[[2]string{m.Street, m.Indicator}] = m.Metrics
		}
		for i, m := range rep3.Streets {
			if w, _ := json.Marshal(figs[[2]string{m.Street, m.Indicator}]); string(w) != string(must(json.Marshal(m.Metrics))) {
				t.Errorf("%s %s: other figures after reordering", m.Street, m.Indicator)
			}
			if i > 0 && m.Indicator == rep3.Streets[i-1].Indicator && slices.Index(after, m.Street) < slices.Index(after, rep3.Streets[i-1].Street) {
				t.Errorf("%s: %s listed after %s", m.Indicator, m.Street, rep3.Streets[i-1].Street)
			}
		}
		upload, _ := json.Marshal(truth)
		status, b2 := servertest.Call(t, analyst, "POST", base+url, `{"truth":`+string(upload)+`,"n":90,"per_community":10,"reps":30,"seed":5}`)
		var rep2 simulate.DesignReport
		if status != http.StatusOK || json.Unmarshal(b2, &rep2) != nil {
			t.Fatalf("with an uploaded truth: %d %s", status, b2)
		}
		s1, _ := json.Marshal(rep3.Streets) // in the order set above
		s2, _ := json.Marshal(rep2.Streets)
		if string(s1) != string(s2) {
			t.Error("the uploaded TRUTH.json of the district gave another report than its seed")
		}

		for body, field := range map[string]string{
			`{"reps":0}`:                                 "reps",
			`{"reps":5001}`:                              "reps",
			`{"n":1}`:                                    "n",
			`{"n":100000}`:                               "n", // more than the frame's households
			`{"per_community":0}`:                        "per_community",
			`{"allocation":"random"}`:                    "allocation",
			`{"response_rate":0}`:                        "response_rate",
			`{"response_rate":1.5}`:                      "response_rate",
			`{"seed":0}`:                                 "seed",
			`{"target_width":1}`:                         "target_width",
			`{"power":0}`:                                "power",
			`{"truth_seed":0}`:                           "truth_seed",
			`{"truth_seed":1,"truth":{}}`:                "truth",
			`{"truth":{"seed":1}}`:                       "truth",
			`{"frame_version":99}`:                       "frame_version",
			`{"questionnaire":"nope"}`:                   "questionnaire",
			`{"indicators":["no-such"],"n":90,"reps":1}`: "indicators",
			`{"questionnaire":"x@draft"}`:                "questionnaire",
			`{"frame_version":-1,"reps":0}`:              "frame_version",
			`{"ci":"wilson"}`:                            "ci",
			`{"variance":"srs"}`:                         "variance",
		} {
			status, b := servertest.Call(t, analyst, "POST", base+url, body)
			var eb server.ErrorBody
			if status != http.StatusUnprocessableEntity || json.Unmarshal(b, &eb) != nil || eb.Error.Fields[field] == "" {
				t.Errorf("%s = %d %s, want a 422 on %s", body, status, b, field)
			}
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
