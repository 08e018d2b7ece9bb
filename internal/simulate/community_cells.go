package simulate

import (
	"math"

	"github.com/minyi-survey/minyi/internal/sae"
)

// Community cells: with DesignSpec.CommunityCells, every repetition also
// estimates each reported rate in each drawn community, twice, as a
// round's community estimates do (package results, ForCommunities):
//
//   - direct: the community's own weighted rate, its standard error within
//     the community and R's logit interval with n − 1 degrees of freedom
//     (sae.DirectRate);
//   - model: the Fay–Herriot EBLUP on the arcsine scale with the street as
//     a factor, fitted on every drawn community with a respondent, its
//     root MSE as its standard error and its 95 % interval (sae.Rates).
//
// Both are judged against the community's true rate (CommunityTruth). A
// community's RMSE, mean SE and coverage are taken over the repetitions
// that drew it with at least one respondent for the rate, and the report
// gives their plain mean over communities, per indicator. A direct
// estimate with no interval (every respondent answered alike, or one
// respondent) counts as not covering: that is what a street office would
// get from it.

// CellMetrics sum up one kind of community estimate of one indicator,
// averaged over communities.
type CellMetrics struct {
	RMSE   float64 `json:"rmse"`
	MeanSE float64 `json:"mean_se"` // direct: the design SE; model: √MSE
	// Coverage is the share of occasions whose 95 % interval holds the
	// community's true rate (no interval: not covered).
	Coverage float64 `json:"coverage"`
	// WithInterval is the share of occasions with an interval at all.
	WithInterval float64 `json:"with_interval"`
}

// CommunityCell is one indicator's community estimates over the
// repetitions.
type CommunityCell struct {
	Indicator string `json:"indicator"`
	// Communities is the number of communities drawn, with a respondent
	// for the indicator, in at least one repetition; Occasions the mean
	// number of repetitions each was (the metrics average over these).
	Communities int     `json:"communities"`
	Occasions   float64 `json:"occasions"`
	// MeanN is the mean number of respondents behind a direct estimate.
	MeanN  float64     `json:"mean_n"`
	Direct CellMetrics `json:"direct"`
	Model  CellMetrics `json:"model"`
	// RMSEGain is 1 − model RMSE / direct RMSE: the share of the direct
	// estimates' error the model removes.
	RMSEGain float64 `json:"rmse_gain"`
	// ModelFailed counts repetitions whose fit failed the model's checks
	// (too few communities, no convergence): their occasions have no
	// model estimate and count as not covered for the model.
	ModelFailed int `json:"model_failed"`
}

// cellEstimate is one community's two estimates of one indicator in one
// repetition.
type cellEstimate struct {
	community int32
	n         int32
	direct    [4]float64 // estimate, SE, low, high
	model     [4]float64 // estimate, √MSE, low, high
}

// repCells is one repetition's community estimates, per indicator.
type repCells struct {
	cells  [][]cellEstimate
	failed []bool
}

// cellBuffers collect one repetition's respondents per indicator and
// community (reused between repetitions by one worker).
type cellBuffers struct {
	w, y  [][]float64 // [k*nc + c]
	drawn []bool
	nc    int
}

func newCellBuffers(ninds, nc int) *cellBuffers {
	return &cellBuffers{w: make([][]float64, ninds*nc), y: make([][]float64, ninds*nc), drawn: make([]bool, nc), nc: nc}
}

func (b *cellBuffers) reset() {
	for i := range b.w {
		b.w[i], b.y[i] = b.w[i][:0], b.y[i][:0]
	}
	clear(b.drawn)
}

// add records a respondent's values of the reported indicators.
func (b *cellBuffers) add(c int32, w float64, y []float64) {
	for k, v := range y {
		if v == v {
			j := k*b.nc + int(c)
			b.w[j] = append(b.w[j], w)
			b.y[j] = append(b.y[j], v)
		}
	}
}

// estimate computes the repetition's direct and model estimates of every
// drawn community (streets[c] is community c's street).
func (b *cellBuffers) estimate(ninds int, streets []int32) repCells {
	out := repCells{cells: make([][]cellEstimate, ninds), failed: make([]bool, ninds)}
	nan4 := [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	for k := range ninds {
		var areas []sae.Area
		var cells []cellEstimate
		for c := range b.nc {
			if !b.drawn[c] {
				continue
			}
			j := k*b.nc + c
			d := sae.DirectRate(b.w[j], b.y[j], 0.95)
			areas = append(areas, sae.Area{Group: int(streets[c]), N: d.N, Direct: d.P, SumW: d.SumW, SumW2: d.SumW2, FPC: 1})
			cells = append(cells, cellEstimate{community: int32(c), n: int32(d.N), direct: [4]float64{d.P, d.SE, d.Low, d.High}, model: nan4})
		}
		res := sae.Rates(areas, 0.95)
		if res.Reason != "" {
			out.failed[k] = true
		} else {
			for i := range cells {
				e := res.Estimates[i]
				cells[i].model = [4]float64{e.Value, math.Sqrt(e.MSE), e.Low, e.High}
			}
		}
		// Only communities with a respondent are judged.
		kept := cells[:0]
		for _, c := range cells {
			if c.n > 0 {
				kept = append(kept, c)
			}
		}
		out.cells[k] = kept
	}
	return out
}

// summariseCells reduces the repetitions' community estimates of
// indicator k against the communities' truths tv (by community), in
// repetition order, so that the report does not depend on scheduling.
func summariseCells(reps []repCells, k int, id string, tv []float64) CommunityCell {
	type acc struct {
		occ, n                      float64
		est, sq, se, nse, cov, nint [2]float64 // [direct, model]
	}
	a := make([]acc, len(tv))
	cell := CommunityCell{Indicator: id}
	for _, r := range reps {
		if r.failed[k] {
			cell.ModelFailed++
		}
		for _, e := range r.cells[k] {
			x := &a[e.community]
			t := tv[e.community]
			x.occ++
			x.n += float64(e.n)
			for m, v := range [2][4]float64{e.direct, e.model} {
				if v[0] != v[0] {
					continue
				}
				x.est[m]++
				x.sq[m] += (v[0] - t) * (v[0] - t)
				if v[1] == v[1] {
					x.se[m] += v[1]
					x.nse[m]++
				}
				if v[2] == v[2] && v[3] == v[3] {
					x.nint[m]++
					if v[2] <= t && t <= v[3] {
						x.cov[m]++
					}
				}
			}
		}
	}
	var sum [2]CellMetrics
	var withEst, withSE [2]float64
	var occ, n float64
	for _, x := range a {
		if x.occ == 0 {
			continue
		}
		cell.Communities++
		occ += x.occ
		n += x.n / x.occ
		for m := range 2 {
			sum[m].Coverage += x.cov[m] / x.occ
			sum[m].WithInterval += x.nint[m] / x.occ
			if x.est[m] > 0 {
				sum[m].RMSE += math.Sqrt(x.sq[m] / x.est[m])
				withEst[m]++
			}
			if x.nse[m] > 0 {
				sum[m].MeanSE += x.se[m] / x.nse[m]
				withSE[m]++
			}
		}
	}
	if cell.Communities == 0 {
		return cell
	}
	nc := float64(cell.Communities)
	cell.Occasions = math.Round(occ/nc*10) / 10
	cell.MeanN = math.Round(n/nc*10) / 10
	out := [2]*CellMetrics{&cell.Direct, &cell.Model}
	for m := range 2 {
		out[m].Coverage = round6(sum[m].Coverage / nc)
		out[m].WithInterval = round6(sum[m].WithInterval / nc)
		if withEst[m] > 0 {
			out[m].RMSE = round6(sum[m].RMSE / withEst[m])
		}
		if withSE[m] > 0 {
			out[m].MeanSE = round6(sum[m].MeanSE / withSE[m])
		}
	}
	if cell.Direct.RMSE > 0 && withEst[1] > 0 {
		cell.RMSEGain = round6(1 - cell.Model.RMSE/cell.Direct.RMSE)
	}
	return cell
}
