package simulate

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/stats"
)

// DesignSpec is a sampling design to evaluate by Monte Carlo: a two-stage
// sample of N households, PerCommunity per community, split between
// streets by Allocation, of whom a share ResponseRate respond (at random,
// independently of their answers), repeated Reps times.
type DesignSpec struct {
	N            int
	PerCommunity int
	Allocation   sampling.Method
	ResponseRate float64
	Reps         int
	Seed         uint64
	// Indicators to report (ids); empty means every rate with a role.
	Indicators []string
	// TargetWidth is the 95 % interval width a street's estimate should
	// reach (for the recommendation); Power the chance a street below
	// target should have of being flagged.
	TargetWidth float64
	Power       float64
	// Workers run repetitions side by side; 0 means one per core.
	Workers int
	// Variance is the estimator of the standard errors: two stages
	// without replacement with the draw's probabilities (the zero value,
	// as a round's estimates), or PSUs with replacement.
	Variance stats.Variance
	// CI is the interval of a rate (stats.CIMethod; the zero value is the
	// engine's logit). minyi simulate design and the API ask for a round's,
	// the arcsine one, unless told otherwise.
	CI stats.CIMethod
	// CommunityCells adds community-level cells: each reported rate's
	// direct and model (Fay–Herriot) estimates in every drawn community,
	// judged against the community's truth (see CommunityCell).
	CommunityCells bool
}

// Limits of a DesignSpec.
const (
	MaxReps = 100000
	MaxN    = 1000000
)

// Validate range-checks the spec.
func (s DesignSpec) Validate() error {
	f := map[string]string{}
	if s.N < 2 || s.N > MaxN {
		f["n"] = "from 2 to 1000000 households"
	}
	if s.PerCommunity < 1 || s.PerCommunity > 1000 {
		f["per-community"] = "from 1 to 1000"
	}
	if !(s.ResponseRate > 0 && s.ResponseRate <= 1) {
		f["response-rate"] = "above 0, at most 1"
	}
	if s.Reps < 1 || s.Reps > MaxReps {
		f["reps"] = "from 1 to 100000"
	}
	if !(s.TargetWidth > 0 && s.TargetWidth < 1) {
		f["target-width"] = "above 0, below 1"
	}
	if !(s.Power > 0 && s.Power < 1) {
		f["power"] = "above 0, below 1"
	}
	if len(f) > 0 {
		return apperr.WithFields("invalid design", f)
	}
	return nil
}

// Metrics sum up one estimate over the repetitions.
type Metrics struct {
	True float64 `json:"true"`
	Bias float64 `json:"bias"`
	RMSE float64 `json:"rmse"`
	// MeanSE is the mean of the estimated standard errors: near RMSE when
	// the variance estimator is honest (MeanSE/RMSE near 1).
	MeanSE float64 `json:"mean_se"`
	// MeanWidth is the mean width of the 95 % interval.
	MeanWidth float64 `json:"mean_width"`
	// Coverage is the share of repetitions whose interval holds the truth.
	Coverage float64 `json:"coverage"`
	// PFlagBelow is the share of repetitions in which the interval lies
	// wholly below the indicator's target (the street is flagged below
	// it): the power when the truth is below target, a false alarm when
	// it is above. Absent without a target.
	PFlagBelow *float64 `json:"p_flag_below,omitempty"`
	// MeanN is the mean number of respondents behind the estimate.
	MeanN float64 `json:"mean_n"`
}

// StreetMetrics is one street's metrics of one indicator.
type StreetMetrics struct {
	Street    string `json:"street"`
	Indicator string `json:"indicator"`
	Metrics
}

// DesignReport is what EvaluateDesign finds.
type DesignReport struct {
	Reps     int                `json:"reps"`
	Seed     uint64             `json:"seed"`
	Design   DesignEcho         `json:"design"`
	District map[string]Metrics `json:"district"` // by indicator
	Streets  []StreetMetrics    `json:"streets"`
	// Recommendation says how many households per street would reach the
	// target width and flag power.
	Recommendation Recommendation `json:"recommendation"`
	// Targets are the reported indicators' targets, by id.
	Targets map[string]float64 `json:"targets,omitempty"`
	// Communities are the community-level cells, one per reported rate,
	// with DesignSpec.CommunityCells.
	Communities []CommunityCell `json:"communities,omitempty"`
}

// DesignEcho repeats the design evaluated.
type DesignEcho struct {
	N     int `json:"n"`
	Drawn int `json:"drawn"` // households drawn: fewer than n where a street has too few communities

	PerCommunity int            `json:"per_community"`
	Allocation   string         `json:"allocation"`
	Variance     stats.Variance `json:"variance"`
	CI           stats.CIMethod `json:"ci"` // the interval of a rate
	ResponseRate float64        `json:"response_rate"`
	Streets      int            `json:"streets"`
	Households   int            `json:"households"`
	DistrictSeed uint64         `json:"district_seed"` // the seed of the district's truth
	// CommunityCells is set when the report has community-level cells.
	CommunityCells bool `json:"community_cells,omitempty"`
}

// Recommendation is the smallest sample per street that reaches the
// target interval width (for every reported indicator) and gives a street
// below target the wanted chance of being flagged. It extrapolates from
// the simulated design. With the without-replacement variance the
// variance of a street's estimate scales as 1/n − 1/N (N the street's
// households: a census has none), so for a width w* the sample is
//
//	1/n′ = 1/N + (1/n − 1/N)·(w*/w)²
//
// and for power the same with se* = (target − true)/(z₀.₉₇₅ + z_power) in
// place of the width; with the with-replacement variance it scales as
// 1/n (n′ = n·(w/w*)²). Both are rounded up to whole communities of
// PerCommunity and capped at the street's households.
type Recommendation struct {
	TargetWidth float64      `json:"target_width"`
	Power       float64      `json:"power"`
	PerStreet   int          `json:"n_per_street"` // the largest street need: an equal allocation that serves every street
	Total       int          `json:"n_total"`      // the sum of the street needs
	Streets     []StreetNeed `json:"streets"`
	Note        string       `json:"note"`
}

// StreetNeed is one street's sample now and what it needs.
type StreetNeed struct {
	Street string `json:"street"`
	N      int    `json:"n"`       // households drawn now (main sample)
	Width  int    `json:"n_width"` // households for the target width
	// Power is the households that flag the street's weakest
	// below-target indicator with the wanted power; 0 when none is below.
	Power int `json:"n_power,omitempty"`
	Need  int `json:"n_needed"`
	// DrivenBy says which goal sets Need: "width" or "power"; "census"
	// when the goal needs every household of the street (then Need is all
	// of them, and even a census only just reaches it).
	DrivenBy string `json:"driven_by"`
	// Indicator is the indicator whose goal drives Need.
	Indicator string `json:"indicator,omitempty"`
}

// repResult is one repetition's estimates: per reported indicator and
// domain (district first, then streets), the estimate and interval.
type repResult struct {
	est, se, lo, hi []float64
	n               []int64
}

// EvaluateDesign runs the Monte Carlo evaluation: each repetition draws a
// sample from f (its own seed from spec.Seed and the repetition number),
// lets a random share of the households respond with answers drawn from
// the model, and estimates every reported indicator in the district and
// each street with the stats package (Taylor linearisation, logit
// intervals). Repetitions run side by side, and the result does not depend
// on how they are scheduled: the same seed gives the same report.
func EvaluateDesign(ctx context.Context, p *Plan, f *Frame, truth *Truth, spec DesignSpec) (*DesignReport, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	info, err := sampling.Describe(f.Units)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "frame")
	}
	alloc, err := sampling.Allocate(spec.N, sampling.Strata(info), spec.Allocation)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "cannot allocate %d households", spec.N)
	}
	psus := alloc.PSUs(spec.PerCommunity)
	// The reported indicators and their positions in the plan.
	var inds []int
	for i, ip := range p.inds {
		if len(spec.Indicators) == 0 && ip.ind.Role != "" && ip.ind.Kind == "rate" || contains(spec.Indicators, ip.ind.ID) {
			inds = append(inds, i)
		}
	}
	if len(inds) == 0 {
		return nil, apperr.WithFields("invalid design", map[string]string{"indicators": "none of them is an indicator of the questionnaire"})
	}
	offs := make([][]float64, len(f.Communities))
	for i, c := range f.Communities {
		offs[i] = p.Offsets(f.Streets[c.Street], c.Name)
	}
	vars := make([]stats.Variable, len(inds))
	for k, i := range inds {
		kind := stats.Mean
		if p.inds[i].ind.Kind == "rate" {
			kind = stats.Rate
		}
		vars[k] = stats.Variable{Name: p.inds[i].ind.ID, Kind: kind}
	}
	design := &stats.Design{Strata: f.Streets, LonelyPSU: stats.LonelyAdjust}
	wor := spec.Variance == stats.VarianceWOR
	ndom := 1 + len(f.Streets)
	results := make([]repResult, spec.Reps)
	// Community cells: the rates among the reported indicators, each
	// community's street, and each repetition's estimates.
	var cellInds []int // positions in inds
	var cellReps []repCells
	var commStreet []int32
	if spec.CommunityCells {
		for k, i := range inds {
			if p.inds[i].ind.Kind == "rate" {
				cellInds = append(cellInds, k)
			}
		}
		cellReps = make([]repCells, spec.Reps)
		commStreet = make([]int32, len(f.Communities))
		for c, cm := range f.Communities {
			commStreet[c] = cm.Street
		}
	}
	drawn := map[int32]int{} // households drawn per street in the first repetition
	var drawnOnce sync.Once
	workers := spec.Workers
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs := make([]int, len(p.traits))
			vals := make([]float64, len(p.inds))
			y := make([]float64, len(inds))
			var cb *cellBuffers
			var cy []float64
			if spec.CommunityCells {
				cb = newCellBuffers(len(cellInds), len(f.Communities))
				cy = make([]float64, len(cellInds))
			}
			for {
				rep := int(next.Add(1)) - 1
				if rep >= spec.Reps || ctx.Err() != nil {
					return
				}
				seed := mix(spec.Seed, tagRep, uint64(rep))
				smp, err := sampling.TwoStage{Seed: seed, PSUs: psus, PerPSU: spec.PerCommunity}.Draw(f.Units)
				if err != nil {
					errs[w] = apperr.Wrap(apperr.Invalid, err, "cannot draw the sample")
					return
				}
				if rep == 0 {
					drawnOnce.Do(func() {
						for _, st := range smp.Strata {
							drawn[st.Stratum] = st.Drawn
						}
					})
				}
				r := Stream(seed, tagAnswer)
				agg := stats.NewAggregator(len(inds))
				d := design
				if wor {
					// Each repetition's own draw: its communities' π1 and
					// their households' π2 (every community a PSU id).
					cp := *design
					cp.PSUs = make([]stats.PSUProb, len(f.Communities))
					for _, sel := range smp.Selections {
						cp.PSUs[f.Units[sel.Unit].PSU] = stats.PSUProb{First: sel.Pi1, Second: sel.Pi2}
					}
					d = &cp
				}
				if cb != nil {
					cb.reset()
				}
				for _, sel := range smp.Selections {
					if cb != nil && sel.Reserve == 0 {
						cb.drawn[f.Units[sel.Unit].PSU] = true
					}
					if sel.Reserve != 0 || r.Float64() >= spec.ResponseRate {
						continue
					}
					ad := f.Adults(sel.Unit)
					u := f.Units[sel.Unit]
					p.Values(r, offs[u.PSU], int(ad[r.IntN(len(ad))]), outs, vals)
					for k, i := range inds {
						y[k] = vals[i]
					}
					if err := agg.Add(u.Stratum, u.PSU, u.Stratum, 0, sel.Weight, y); err != nil {
						errs[w] = err
						return
					}
					if cb != nil {
						for j, k := range cellInds {
							cy[j] = y[k]
						}
						cb.add(u.PSU, sel.Weight, cy)
					}
				}
				if cb != nil {
					cellReps[rep] = cb.estimate(len(cellInds), commStreet)
				}
				est, err := stats.EstimateAggregates(d, agg.Aggregates(), vars, stats.Options{CI: spec.CI})
				if err != nil {
					errs[w] = err
					return
				}
				nr := len(inds) * ndom
				res := repResult{est: make([]float64, nr), se: make([]float64, nr), lo: make([]float64, nr), hi: make([]float64, nr), n: make([]int64, nr)}
				for i := range res.est {
					res.est[i], res.se[i], res.lo[i], res.hi[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
				}
				for _, e := range est {
					k := indexOf(vars, e.Variable)
					d := 0
					if e.Domain != stats.NoDomain {
						d = 1 + int(e.Domain)
					}
					j := k*ndom + d
					res.est[j], res.se[j], res.lo[j], res.hi[j], res.n[j] = e.Value, e.SE, e.CILow, e.CIHigh, e.N
				}
				results[rep] = res
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	total := 0
	for _, n := range drawn {
		total += n
	}
	rep := &DesignReport{Reps: spec.Reps, Seed: spec.Seed, District: map[string]Metrics{},
		Design: DesignEcho{N: spec.N, Drawn: total, PerCommunity: spec.PerCommunity, Allocation: spec.Allocation.String(),
			ResponseRate: spec.ResponseRate, Variance: spec.Variance, CI: spec.CI, Streets: len(f.Streets), Households: len(f.Units), DistrictSeed: truth.Seed}}
	for k, i := range inds {
		ind := p.inds[i].ind
		it, _ := truth.Indicator(ind.ID)
		for d := range ndom {
			tv := it.District
			if d > 0 {
				tv = it.Street(f.Streets[d-1])
			}
			m := summarise(results, k*ndom+d, tv, ind.Target)
			if d == 0 {
				rep.District[ind.ID] = m
			} else {
				rep.Streets = append(rep.Streets, StreetMetrics{Street: f.Streets[d-1], Indicator: ind.ID, Metrics: m})
			}
		}
	}
	if spec.CommunityCells {
		rep.Design.CommunityCells = true
		truthC := CommunityTruth(p, f)
		tv := make([]float64, len(f.Communities))
		for j, k := range cellInds {
			for c := range tv {
				tv[c] = truthC[c][inds[k]]
			}
			rep.Communities = append(rep.Communities, summariseCells(cellReps, j, p.inds[inds[k]].ind.ID, tv))
		}
	}
	targets := truthTargets(p, inds)
	rep.Recommendation = recommend(rep, alloc, drawn, f.Streets, spec, targets)
	rep.Targets = map[string]float64{}
	for id, t := range targets {
		if t != nil {
			rep.Targets[id] = *t
		}
	}
	return rep, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func indexOf(vars []stats.Variable, name string) int {
	for i, v := range vars {
		if v.Name == name {
			return i
		}
	}
	return -1
}

// summarise reduces one estimate over the repetitions, in repetition
// order (so the sums, and the report, do not depend on scheduling).
func summarise(results []repResult, j int, truth float64, target *float64) Metrics {
	m := Metrics{True: truth}
	var n, sum, sq, width, nw, covered, flagged, resp, se, nse float64
	for _, r := range results {
		resp += float64(r.n[j])
		e := r.est[j]
		if e != e {
			continue
		}
		n++
		sum += e - truth
		sq += (e - truth) * (e - truth)
		if s := r.se[j]; s == s {
			se += s
			nse++
		}
		lo, hi := r.lo[j], r.hi[j]
		if lo == lo && hi == hi {
			nw++
			width += hi - lo
			if lo <= truth && truth <= hi {
				covered++
			}
			if target != nil && hi < *target {
				flagged++
			}
		}
	}
	reps := float64(len(results))
	if n > 0 {
		m.Bias, m.RMSE = round6(sum/n), round6(math.Sqrt(sq/n))
	}
	if nse > 0 {
		m.MeanSE = round6(se / nse)
	}
	if nw > 0 {
		m.MeanWidth = round6(width / nw)
	}
	m.Coverage = round6(covered / reps)
	if target != nil {
		v := round6(flagged / reps)
		m.PFlagBelow = &v
	}
	m.MeanN = math.Round(resp/reps*10) / 10
	return m
}

// truthTargets returns the targets of the reported indicators by id.
func truthTargets(p *Plan, inds []int) map[string]*float64 {
	out := map[string]*float64{}
	for _, i := range inds {
		out[p.inds[i].ind.ID] = p.inds[i].ind.Target
	}
	return out
}

// zQuantile returns the standard normal quantile of p, by bisection on
// the normal distribution function (exact to far beyond what a sample
// size needs).
func zQuantile(p float64) float64 {
	lo, hi := -10.0, 10.0
	for range 100 {
		mid := (lo + hi) / 2
		if 0.5*math.Erfc(-mid/math.Sqrt2) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// recommend extrapolates the street sample sizes that reach the target
// width and power (see Recommendation).
func recommend(rep *DesignReport, alloc sampling.Allocations, drawn map[int32]int, streets []string, spec DesignSpec, targets map[string]*float64) Recommendation {
	rec := Recommendation{TargetWidth: spec.TargetWidth, Power: spec.Power,
		Note: "extrapolated from the simulated widths: variance ∝ 1/n − 1/N (without replacement) or 1/n (with replacement) at the simulated design effect; check by simulating the recommended n"}
	households := map[int32]int{}
	for _, a := range alloc {
		households[a.Stratum] = a.Households
	}
	zz := zQuantile(0.975) + zQuantile(spec.Power)
	m := spec.PerCommunity
	roundUp := func(x float64) int {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return int(math.Ceil(x/float64(m))) * m
	}
	for s, name := range streets {
		n := drawn[int32(s)]
		N := households[int32(s)]
		// scale returns the n′ that turns the simulated spread now (width
		// or se) into the wanted one.
		scale := func(now, want float64) float64 {
			r := now / want
			if spec.Variance == stats.VarianceWR || N <= 0 {
				return float64(n) * r * r
			}
			inv := 1/float64(N) + (1/float64(n)-1/float64(N))/(r*r)
			return 1 / inv
		}
		need := StreetNeed{Street: name, N: n}
		widthInd, powerInd := "", ""
		for _, sm := range rep.Streets {
			if sm.Street != name || sm.MeanWidth == 0 {
				continue
			}
			if w := roundUp(scale(sm.MeanWidth, spec.TargetWidth)); w > need.Width {
				need.Width, widthInd = w, sm.Indicator
			}
			if t := targets[sm.Indicator]; t != nil && sm.True < *t {
				se := sm.MeanWidth / (2 * 1.96)
				if p := roundUp(scale(se, (*t-sm.True)/zz)); p > need.Power {
					need.Power, powerInd = p, sm.Indicator
				}
			}
		}
		// A street cannot take more households than it has.
		census := need.Width >= N || need.Power >= N
		need.Width = min(need.Width, N)
		need.Power = min(need.Power, N)
		need.Need = max(need.Width, need.Power)
		need.DrivenBy, need.Indicator = "width", widthInd
		if need.Power > need.Width {
			need.DrivenBy, need.Indicator = "power", powerInd
		}
		if census && N > 0 {
			need.DrivenBy = "census"
		}
		rec.PerStreet = max(rec.PerStreet, need.Need)
		rec.Total += need.Need
		rec.Streets = append(rec.Streets, need)
	}
	return rec
}
