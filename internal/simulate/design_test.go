package simulate

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/stats"
)

func designSetup(t *testing.T) (*Plan, *Frame, *Truth) {
	t.Helper()
	d, err := Generate(Spec{Streets: 4, Communities: 30, Households: 120, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(standard(t), d.Model)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Frame()
	return p, f, ComputeTruth(p, f)
}

// The same seed gives the same report whatever the number of workers;
// another seed another one.
func TestEvaluateDesignIsReproducible(t *testing.T) {
	p, f, truth := designSetup(t)
	spec := DesignSpec{N: 480, PerCommunity: 12, Allocation: sampling.AllocEqual, ResponseRate: 0.7, Reps: 40, Seed: 3, TargetWidth: 0.1, Power: 0.8}
	run := func(workers int, seed uint64) string {
		s := spec
		s.Workers, s.Seed = workers, seed
		rep, err := EvaluateDesign(context.Background(), p, f, truth, s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(rep)
		return string(b)
	}
	one, two := run(1, 3), run(3, 3)
	if one != two {
		t.Error("1 and 3 workers gave different reports")
	}
	if run(2, 4) == one {
		t.Error("another seed gave the same report")
	}
	var rep struct {
		Reps     int                        `json:"reps"`
		District map[string]json.RawMessage `json:"district"`
		Streets  []map[string]any           `json:"streets"`
	}
	if err := json.Unmarshal([]byte(one), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Reps != 40 || len(rep.District) != 4 || len(rep.Streets) != 16 {
		t.Fatalf("report shape: %s", one)
	}
	for _, k := range []string{"street", "indicator", "true", "bias", "rmse", "mean_se", "mean_width", "coverage", "p_flag_below"} {
		if _, ok := rep.Streets[0][k]; !ok {
			t.Errorf("street row lacks %s", k)
		}
	}
}

// Over many repetitions the estimates are unbiased for the truth and the
// 95 % intervals cover it about 95 % of the time: with 400 repetitions the
// coverage of each district rate lies within 0.90–0.99 (a binomial
// standard error is 0.011) and the bias within 3 of its standard errors;
// intervals are wider where the sample is larger, and the street flagged
// below target most often is one whose truth is below it.
func TestEvaluateDesignCoverage(t *testing.T) {
	p, f, truth := designSetup(t)
	spec := DesignSpec{N: 960, PerCommunity: 12, Allocation: sampling.AllocEqual, ResponseRate: 0.7, Reps: 400, Seed: 5, TargetWidth: 0.1, Power: 0.8}
	rep, err := EvaluateDesign(context.Background(), p, f, truth, spec)
	if err != nil {
		t.Fatal(err)
	}
	for id, m := range rep.District {
		if m.Coverage < 0.90 || m.Coverage > 0.99 {
			t.Errorf("%s: coverage %.3f", id, m.Coverage)
		}
		if se := m.RMSE / math.Sqrt(float64(rep.Reps)); math.Abs(m.Bias) > 3*se+1e-4 {
			t.Errorf("%s: bias %.4f, RMSE %.4f", id, m.Bias, m.RMSE)
		}
		if m.MeanN < 600 || m.MeanN > 740 {
			t.Errorf("%s: %v respondents", id, m.MeanN)
		}
	}
	var best StreetMetrics
	for _, s := range rep.Streets {
		if s.MeanWidth <= rep.District[s.Indicator].MeanWidth {
			t.Errorf("%s %s: street width %.3f not above the district's", s.Street, s.Indicator, s.MeanWidth)
		}
		if s.PFlagBelow != nil && (best.PFlagBelow == nil || *s.PFlagBelow > *best.PFlagBelow) {
			best = s
		}
	}
	tg := p.Def.Indicator(best.Indicator).Target
	if best.PFlagBelow == nil || *best.PFlagBelow == 0 || best.True >= *tg {
		t.Errorf("most flagged: %+v (target %v)", best, *tg)
	}
	rec := rep.Recommendation
	if rec.PerStreet == 0 || rec.Streets[0].Width%12 != 0 || len(rec.Streets) != 4 {
		t.Errorf("recommendation %+v", rec)
	}
	for _, s := range rec.Streets {
		if s.Width < s.N && rep.Streets[0].MeanWidth > 0.1 {
			t.Errorf("%s: width needs %d, has %d, yet its widths exceed the target", s.Street, s.Width, s.N)
		}
		want := "width"
		if s.Power > s.Width {
			want = "power"
		}
		if s.DrivenBy != want && s.DrivenBy != "census" || s.Indicator == "" || s.Reason() == "" {
			t.Errorf("%s: driven by %q (%s), want %s", s.Street, s.DrivenBy, s.Indicator, want)
		}
	}
	// The without-replacement variance (the default) is honest: the mean
	// estimated standard error is near the RMSE in the district and in
	// every street (mean SE / RMSE within 0.8–1.2 at 400 repetitions).
	if rep.Design.Variance != stats.VarianceWOR {
		t.Errorf("variance %v", rep.Design.Variance)
	}
	for id, m := range rep.District {
		if r := m.MeanSE / m.RMSE; r < 0.8 || r > 1.2 {
			t.Errorf("district %s: mean SE %.4f, RMSE %.4f", id, m.MeanSE, m.RMSE)
		}
	}
	for _, s := range rep.Streets {
		if r := s.MeanSE / s.RMSE; r < 0.8 || r > 1.2 {
			t.Errorf("%s %s: mean SE %.4f, RMSE %.4f", s.Street, s.Indicator, s.MeanSE, s.RMSE)
		}
	}
}

// With most communities of a street drawn, the with-replacement variance
// overstates the spread: its mean SE exceeds the without-replacement one.
func TestEvaluateDesignWRWider(t *testing.T) {
	p, f, truth := designSetup(t)
	spec := DesignSpec{N: 1200, PerCommunity: 12, Allocation: sampling.AllocEqual, ResponseRate: 0.7, Reps: 60, Seed: 5, TargetWidth: 0.1, Power: 0.8}
	wor, err := EvaluateDesign(context.Background(), p, f, truth, spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.Variance = stats.VarianceWR
	wr, err := EvaluateDesign(context.Background(), p, f, truth, spec)
	if err != nil {
		t.Fatal(err)
	}
	for id, m := range wor.District {
		if m.RMSE != wr.District[id].RMSE || !(m.MeanSE < wr.District[id].MeanSE) {
			t.Errorf("%s: without replacement RMSE %v mean SE %v; with %v, %v", id, m.RMSE, m.MeanSE, wr.District[id].RMSE, wr.District[id].MeanSE)
		}
	}
}

func TestDesignSpecValidate(t *testing.T) {
	ok := DesignSpec{N: 100, PerCommunity: 10, ResponseRate: 0.7, Reps: 10, TargetWidth: 0.1, Power: 0.8}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, mod := range map[string]func(*DesignSpec){
		"n":             func(s *DesignSpec) { s.N = 1 },
		"per-community": func(s *DesignSpec) { s.PerCommunity = 0 },
		"response-rate": func(s *DesignSpec) { s.ResponseRate = 1.5 },
		"reps":          func(s *DesignSpec) { s.Reps = 0 },
		"target-width":  func(s *DesignSpec) { s.TargetWidth = 0 },
		"power":         func(s *DesignSpec) { s.Power = 1 },
	} {
		s := ok
		mod(&s)
		if _, has := fieldsOf(s.Validate())[field]; !has {
			t.Errorf("%s: %v", field, s.Validate())
		}
	}
}
