package simround

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/survey"
)

// DemoSeed is the seed of the demo district (package demo) and the
// default truth of a design evaluation on a stored frame.
const DemoSeed = 2026

// MaxDesignReps bounds the repetitions of an evaluation a server runs (the
// command line, minyi simulate design, allows more).
const MaxDesignReps = 5000

// DesignRequest is a sampling design to evaluate by Monte Carlo on a
// stored frame (POST /api/v1/simulate/design). Omitted numbers take the
// defaults of minyi simulate design, but reps 200.
//
// The truth the repetitions sample from is a simulated district's on the
// frame's addresses: the model of truth_seed (default the demo's seed,
// which on the demo's frame is exactly the demo district's truth; on a
// real register it is a plausible what-if district with the register's
// streets, communities and sizes), or the model of an uploaded TRUTH.json
// (minyi simulate district --truth). No real round's answers are used:
// the evaluation asks how well a design would recover a known truth.
type DesignRequest struct {
	FrameVersion  int             `json:"frame_version"` // 0: the newest
	Questionnaire string          `json:"questionnaire"` // SLUG or SLUG@VERSION (default wenming-household, newest)
	TruthSeed     *int64          `json:"truth_seed"`
	Truth         json.RawMessage `json:"truth"`
	N             *int            `json:"n"`
	PerCommunity  *int            `json:"per_community"`
	Allocation    string          `json:"allocation"`
	ResponseRate  *float64        `json:"response_rate"`
	Reps          *int            `json:"reps"`
	Seed          *int64          `json:"seed"`
	TargetWidth   *float64        `json:"target_width"`
	Power         *float64        `json:"power"`
	Indicators    []string        `json:"indicators"`
	// Variance is the estimator of the standard errors: "wor" (default:
	// communities by PPS without replacement, Brewer, and households within
	// them, as a round's estimates) or "wr" (with replacement).
	Variance string `json:"variance"`
	// CI is the interval of a rate: "asin" (default, as a round's
	// estimates), "logit", "beta" or "wald".
	CI string `json:"ci"`
	// CommunityCells adds community-level cells: each rate's direct and
	// model (Fay–Herriot) estimates in every drawn community against its
	// truth (simulate.CommunityCell).
	CommunityCells bool `json:"community_cells"`
}

// EvaluateStoredDesign checks req (a 422 with the field of every bad
// value), loads the frame and questionnaire version it names and runs the
// evaluation with workers side by side. It stops when ctx ends.
func EvaluateStoredDesign(ctx context.Context, db *store.DB, req DesignRequest, workers int) (*simulate.DesignReport, error) {
	f := map[string]string{}
	spec := simulate.DesignSpec{N: 2000, PerCommunity: 20, ResponseRate: 0.7, Reps: 200, Seed: 1, TargetWidth: 0.10, Power: 0.8, Workers: workers}
	if req.FrameVersion < 0 {
		f["frame_version"] = "a frame version, or 0 for the newest"
	}
	spec.CommunityCells = req.CommunityCells
	if req.Variance != "" {
		v, err := stats.ParseVariance(req.Variance)
		if err != nil {
			f["variance"] = "wor or wr"
		}
		spec.Variance = v
	}
	spec.CI = results.RoundCI
	if req.CI != "" {
		m, err := stats.ParseCIMethod(req.CI)
		if err != nil {
			f["ci"] = "asin, logit, beta or wald"
		}
		spec.CI = m
	}
	if req.PerCommunity != nil {
		if spec.PerCommunity = *req.PerCommunity; spec.PerCommunity < 1 || spec.PerCommunity > 1000 {
			f["per_community"] = "from 1 to 1000 households"
		}
	}
	alloc := req.Allocation
	if alloc == "" {
		alloc = "proportional"
	}
	if m, err := sampling.ParseMethod(alloc); err != nil {
		f["allocation"] = "proportional, equal, neyman or minimum"
	} else {
		spec.Allocation = m
	}
	if req.ResponseRate != nil {
		if spec.ResponseRate = *req.ResponseRate; !(spec.ResponseRate > 0 && spec.ResponseRate <= 1) {
			f["response_rate"] = "above 0, at most 1"
		}
	}
	if req.Reps != nil {
		if spec.Reps = *req.Reps; spec.Reps < 1 || spec.Reps > MaxDesignReps {
			f["reps"] = "from 1 to 5000 repetitions (minyi simulate design runs more)"
		}
	}
	if req.Seed != nil {
		if *req.Seed < 1 {
			f["seed"] = "a positive number"
		} else {
			spec.Seed = uint64(*req.Seed)
		}
	}
	if req.TargetWidth != nil {
		if spec.TargetWidth = *req.TargetWidth; !(spec.TargetWidth > 0 && spec.TargetWidth < 1) {
			f["target_width"] = "above 0, below 1"
		}
	}
	if req.Power != nil {
		if spec.Power = *req.Power; !(spec.Power > 0 && spec.Power < 1) {
			f["power"] = "above 0, below 1"
		}
	}
	if len(req.Indicators) > 50 {
		f["indicators"] = "at most 50 indicators"
	}
	for _, id := range req.Indicators {
		if id = strings.TrimSpace(id); id == "" || len(id) > 64 {
			f["indicators"] = "indicator ids of the questionnaire"
		} else {
			spec.Indicators = append(spec.Indicators, id)
		}
	}
	model := simulate.NewModel(DemoSeed)
	switch {
	case req.TruthSeed != nil && len(req.Truth) > 0:
		f["truth"] = "either truth or truth_seed, not both"
	case req.TruthSeed != nil:
		if *req.TruthSeed < 1 {
			f["truth_seed"] = "a positive number: the seed of a simulated district"
		} else {
			model = simulate.NewModel(uint64(*req.TruthSeed))
		}
	case len(req.Truth) > 0:
		t, err := simulate.ReadTruth(bytes.NewReader(req.Truth))
		if err != nil {
			f["truth"] = apperr.PublicMessage(err)
		} else {
			model = t.Model
		}
	}
	slug, ver, _ := strings.Cut(req.Questionnaire, "@")
	if slug == "" {
		slug = "wenming-household"
	}
	ref, err := survey.ParseRef(ver)
	if err != nil || ref.Draft {
		f["questionnaire"] = "a published version: SLUG or SLUG@VERSION"
	}
	if len(f) > 0 {
		return nil, apperr.WithFields("invalid design", f)
	}

	fr, err := db.FrameByVersion(ctx, req.FrameVersion)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.WithFields("invalid design", map[string]string{"frame_version": apperr.PublicMessage(err)})
	}
	if err != nil {
		return nil, err
	}
	v, err := survey.Lookup(ctx, db, slug, ref)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.WithFields("invalid design", map[string]string{"questionnaire": "no such published questionnaire version"})
	}
	if err != nil {
		return nil, err
	}
	def, err := questionnaire.ParseJSON(v.Slug+".json", []byte(v.Definition))
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored definition of %s version %d", v.Slug, v.Version)
	}
	b := simulate.NewFrameBuilder(model.Seed)
	if err := db.FrameAddresses(ctx, fr.ID, func(street, community, building, household string) error {
		b.Add(street, community, building, household)
		return nil
	}); err != nil {
		return nil, err
	}
	frame, err := b.Frame()
	if err != nil {
		return nil, apperr.WithFields("invalid design", map[string]string{"frame_version": apperr.PublicMessage(err)})
	}
	if req.N != nil {
		spec.N = *req.N
	}
	if spec.N < 2 || spec.N > len(frame.Units) {
		return nil, apperr.WithFields("invalid design", map[string]string{"n": "from 2 households to the frame's " + strconv.Itoa(len(frame.Units))})
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	plan, err := simulate.Compile(def, model)
	if err != nil {
		return nil, apperr.WithFields("invalid design", map[string]string{"questionnaire": apperr.PublicMessage(err)})
	}
	rep, err := simulate.EvaluateDesign(ctx, plan, frame, simulate.ComputeTruth(plan, frame), spec)
	if apperr.Is(err, apperr.Invalid) && len(apperr.FieldsOf(err)) == 0 {
		// The allocation cannot split n between the streets.
		return nil, apperr.WithFields("invalid design", map[string]string{"n": apperr.PublicMessage(err)})
	}
	if err != nil {
		return nil, err
	}
	return rep, inDistrictOrder(ctx, db, rep)
}

// inDistrictOrder lists a design report's streets in the district's order
// (the register's, or the administrator's), each indicator's in turn.
func inDistrictOrder(ctx context.Context, db *store.DB, rep *simulate.DesignReport) error {
	rank, err := db.StreetRank(ctx)
	if err != nil {
		return err
	}
	ind := map[string]int{}
	for _, m := range rep.Streets {
		if _, ok := ind[m.Indicator]; !ok {
			ind[m.Indicator] = len(ind)
		}
	}
	slices.SortStableFunc(rep.Streets, func(a, b simulate.StreetMetrics) int {
		return cmp.Or(cmp.Compare(ind[a.Indicator], ind[b.Indicator]), cmp.Compare(rank(a.Street), rank(b.Street)))
	})
	slices.SortStableFunc(rep.Recommendation.Streets, func(a, b simulate.StreetNeed) int {
		return cmp.Compare(rank(a.Street), rank(b.Street))
	})
	return nil
}
