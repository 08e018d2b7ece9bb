package simulate

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/sampling"
)

// Community cells: reproducible whatever the workers, one cell per rate,
// the model's estimates closer to the communities' truths than the direct
// ones, and honest intervals (coverage near 95 %) where the direct
// estimate of a community of eight respondents often has none.
func TestEvaluateDesignCommunityCells(t *testing.T) {
	p, f, truth := designSetup(t)
	spec := DesignSpec{N: 480, PerCommunity: 12, Allocation: sampling.AllocEqual, ResponseRate: 0.7, Reps: 30, Seed: 3, TargetWidth: 0.1, Power: 0.8, CommunityCells: true}
	run := func(workers int) *DesignReport {
		s := spec
		s.Workers = workers
		rep, err := EvaluateDesign(context.Background(), p, f, truth, s)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := run(1)
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(run(3))
	if string(a) != string(b) {
		t.Error("1 and 3 workers gave different reports")
	}
	if !rep.Design.CommunityCells || len(rep.Communities) != 4 {
		t.Fatalf("community cells: %s", a)
	}
	for _, c := range rep.Communities {
		t.Logf("%s: %d communities, %.1f occasions, n %.1f; direct RMSE %.4f SE %.4f cov %.3f (interval %.3f); model RMSE %.4f SE %.4f cov %.3f; gain %.3f",
			c.Indicator, c.Communities, c.Occasions, c.MeanN, c.Direct.RMSE, c.Direct.MeanSE, c.Direct.Coverage, c.Direct.WithInterval, c.Model.RMSE, c.Model.MeanSE, c.Model.Coverage, c.RMSEGain)
		// 40 communities are drawn a repetition (480 / 12), of 120.
		if c.Communities < 80 || c.Occasions <= 1 || c.MeanN < 5 || c.MeanN > 12 {
			t.Errorf("%s: %d communities, %.1f occasions each, n %.1f", c.Indicator, c.Communities, c.Occasions, c.MeanN)
		}
		if c.ModelFailed != 0 {
			t.Errorf("%s: %d fits failed", c.Indicator, c.ModelFailed)
		}
		if !(c.Model.RMSE < c.Direct.RMSE) || math.Abs(c.RMSEGain-(1-c.Model.RMSE/c.Direct.RMSE)) > 1e-5 {
			t.Errorf("%s: model RMSE %.4f, direct %.4f, gain %.4f", c.Indicator, c.Model.RMSE, c.Direct.RMSE, c.RMSEGain)
		}
		if c.Model.Coverage < 0.85 || c.Model.Coverage > 0.995 || c.Model.WithInterval != 1 {
			t.Errorf("%s: model coverage %.3f, with interval %.3f", c.Indicator, c.Model.Coverage, c.Model.WithInterval)
		}
		if c.Direct.WithInterval >= 1 || c.Direct.Coverage > c.Direct.WithInterval {
			t.Errorf("%s: direct coverage %.3f with an interval %.3f", c.Indicator, c.Direct.Coverage, c.Direct.WithInterval)
		}
	}
	// Without the flag, no cells.
	spec.CommunityCells = false
	plain, err := EvaluateDesign(context.Background(), p, f, truth, spec)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Communities != nil || plain.Design.CommunityCells {
		t.Error("community cells without asking")
	}
}

// summariseCells on repetitions written by hand: per community over its
// occasions, then the mean over communities.
func TestSummariseCells(t *testing.T) {
	nan := math.NaN()
	reps := []repCells{
		{cells: [][]cellEstimate{{
			{community: 0, n: 4, direct: [4]float64{0.5, 0.2, 0.2, 0.8}, model: [4]float64{0.6, 0.1, 0.4, 0.8}},
			{community: 2, n: 6, direct: [4]float64{1, 0, nan, nan}, model: [4]float64{0.9, 0.05, 0.8, 0.95}},
		}}, failed: []bool{false}},
		{cells: [][]cellEstimate{{
			{community: 0, n: 2, direct: [4]float64{0.9, 0.1, 0.8, 0.95}, model: [4]float64{nan, nan, nan, nan}},
		}}, failed: []bool{true}},
	}
	tv := []float64{0.7, 0.5, 0.85}
	got := summariseCells(reps, 0, "x", tv)
	// Community 0: two occasions; direct errors −0.2 and +0.2, SEs 0.2
	// and 0.1, the first interval covers; the model one estimate (−0.1),
	// which covers. Community 2: one occasion; direct error +0.15 and no
	// interval; model error +0.05, covers.
	rmseD := (math.Sqrt((0.04+0.04)/2) + 0.15) / 2
	rmseM := (0.1 + 0.05) / 2
	want := CommunityCell{Indicator: "x", Communities: 2, Occasions: 1.5, MeanN: (3 + 6) / 2.0, ModelFailed: 1,
		Direct:   CellMetrics{RMSE: round6(rmseD), MeanSE: round6((0.15 + 0) / 2), Coverage: round6((0.5 + 0) / 2), WithInterval: 0.5},
		Model:    CellMetrics{RMSE: round6(rmseM), MeanSE: round6((0.1 + 0.05) / 2), Coverage: round6((0.5 + 1) / 2), WithInterval: round6((0.5 + 1) / 2)},
		RMSEGain: round6(1 - round6(rmseM)/round6(rmseD))}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
