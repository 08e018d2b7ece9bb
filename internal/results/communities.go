package results

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/sae"
	"github.com/minyi-survey/minyi/internal/store"
)

// Community estimates: for each community of a round, each rate's direct
// estimate with its design variance beside a model-based (small-area)
// estimate that borrows strength from the other communities of its street
// and of the district.
//
// The direct estimate p̂ = Σwy/Σw over the community's respondents with a
// value. Its variance is the second-stage variance, conditional on the
// community being in the sample: the households are taken as drawn with
// replacement within the community (R: svymean(~y, svydesign(ids = ~1,
// weights = ~weight, data = one_community))):
//
//	v(p̂) = n/(n − 1) · Σ zᵢ²,  zᵢ = wᵢ(yᵢ − p̂)/Σw
//
// (n < 2: no variance; the interval is the logit one with n − 1 degrees
// of freedom, none at p̂ = 0 or 1). The first-stage (between-community)
// variance of the round's estimates does not belong here: the community
// is the target, not a draw from its street.
//
// The model estimate is package sae's Fay–Herriot EBLUP on the arcsine
// scale with the street as a factor (sae.Rates), fitted on every
// community of the round with a respondent, whatever street is asked for,
// with its MSE and a 95 % interval. The model does not use v(p̂), which
// is 0 whenever a community's few respondents all answered alike; it uses
// the smoothed variance 1/(4ñ) of the arcsine scale (ñ Kish's effective
// size), so communities with one respondent or unanimous answers stay in
// the model with little weight on their own sample (γ near 0) rather than
// being dropped. Community sizes are not yet a covariate: the store keeps
// no per-community household count of the frame (sae.Area.Covariates
// takes one when it does).

// CommunityRequest asks for a round's community estimates.
type CommunityRequest struct {
	// Indicators are the rates to estimate; empty means every rate of the
	// questionnaire.
	Indicators []string
	// StreetID limits the communities returned to one street (0: all);
	// the model is always fitted on the whole round.
	StreetID int64
	// Level of the intervals; 0 means 0.95.
	Level float64
}

// CommunityFigure is one rate in one community.
type CommunityFigure struct {
	Variable  string `json:"variable"`
	Street    string `json:"street"`
	Community string `json:"community"`
	// N is the respondents with a value.
	N int `json:"n"`
	// The direct estimate, its design standard error and logit interval;
	// nil where they do not exist.
	Direct     *float64 `json:"direct"`
	DirectSE   *float64 `json:"direct_se"`
	DirectLow  *float64 `json:"direct_ci_low"`
	DirectHigh *float64 `json:"direct_ci_high"`
	// The model estimate (EBLUP), its MSE and interval, and γ, the weight
	// of the community's own sample in it; nil when the model failed its
	// checks (see CommunityFit.Reason).
	Model     *float64 `json:"model"`
	ModelMSE  *float64 `json:"model_mse"`
	ModelLow  *float64 `json:"model_ci_low"`
	ModelHigh *float64 `json:"model_ci_high"`
	Gamma     *float64 `json:"gamma"`
	// ModelPsi is the sampling variance of the community's rate on the
	// arcsine scale that the model took as known (nil for a model-only
	// community).
	ModelPsi *float64 `json:"model_psi"`
	// Note is "model_only" for a community with no respondent for the
	// rate: its model estimate comes from its street alone.
	Note sae.Reason `json:"note,omitempty"`
}

// CommunityFit describes the model fitted for one rate.
type CommunityFit struct {
	Variable string `json:"variable"`
	// Areas is the number of communities with a direct estimate.
	Areas int `json:"areas"`
	// Reason is set when the model failed its checks and shows nothing:
	// too_few_areas, no_convergence, collinear, …; Detail says more (in
	// English, for the log and the analyst).
	Reason sae.Reason `json:"reason,omitempty"`
	Detail string     `json:"detail,omitempty"`
	// Notes: variance_zero when σ̂²ᵥ was truncated at 0 (every model
	// estimate is then its street's synthetic estimate).
	Notes      []sae.Reason `json:"notes,omitempty"`
	SigmaV2    *float64     `json:"sigma_v2,omitempty"` // on the arcsine scale
	Iterations int          `json:"iterations,omitempty"`
}

// CommunityReport is a round's community estimates.
type CommunityReport struct {
	RoundID     int64             `json:"round_id"`
	Level       float64           `json:"level"`
	Method      string            `json:"method"`
	Fits        []CommunityFit    `json:"fits"`
	Communities []CommunityFigure `json:"communities"`
}

// CommunityMethod names the model in reports and exports.
const CommunityMethod = "Fay-Herriot EBLUP (REML), arcsine square-root scale, street as a factor; MSE by Prasad-Rao/Datta-Lahiri (g1 + g2 + 2 g3); direct variance within the community"

// ForCommunities computes the community estimates of a round's rates.
func ForCommunities(ctx context.Context, db *store.DB, roundID int64, req CommunityRequest) (CommunityReport, error) {
	level := req.Level
	if level == 0 {
		level = 0.95
	}
	if !(level >= 0.5 && level <= 0.9999) {
		return CommunityReport{}, apperr.WithFields("invalid confidence level", map[string]string{"level": "a confidence level from 0.5 to 0.9999, e.g. 0.95"})
	}
	round, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return CommunityReport{}, err
	}
	def, err := questionnaire.ParseJSON(round.Questionnaire, []byte(round.Definition))
	if err != nil {
		return CommunityReport{}, apperr.Wrap(apperr.Internal, err, "questionnaire of round %d", roundID)
	}
	var rates []string
	for _, ind := range def.Indicators {
		if ind.Kind == questionnaire.KindRate && (len(req.Indicators) == 0 || slices.Contains(req.Indicators, ind.ID)) {
			rates = append(rates, ind.ID)
		}
	}
	for _, id := range req.Indicators {
		if !slices.Contains(rates, id) {
			return CommunityReport{}, apperr.WithFields("unknown rate", map[string]string{"indicators": id + " is not a rate of " + round.Questionnaire})
		}
	}
	var only string
	if req.StreetID != 0 {
		all, err := db.Streets(ctx)
		if err != nil {
			return CommunityReport{}, err
		}
		for _, st := range all {
			if st.ID == req.StreetID {
				only = st.Name
			}
		}
		if only == "" {
			return CommunityReport{}, apperr.New(apperr.NotFound, "no street %d", req.StreetID)
		}
	}
	// Every value of the round, all streets: the model borrows strength
	// across them.
	cells := map[communityKey]map[string]*communitySums{}
	err = db.RoundData(ctx, roundID, store.Scope{}, func(v store.DataValue) error {
		k := communityKey{v.Street, v.Community}
		m, ok := cells[k]
		if !ok {
			m = map[string]*communitySums{}
			cells[k] = m
		}
		if !slices.Contains(rates, v.Indicator) || !v.Value.Valid {
			return nil
		}
		s, ok := m[v.Indicator]
		if !ok {
			s = &communitySums{}
			m[v.Indicator] = s
		}
		s.w = append(s.w, v.Weight)
		s.y = append(s.y, v.Value.Float64)
		return nil
	})
	if err != nil {
		return CommunityReport{}, err
	}
	if len(cells) == 0 {
		return CommunityReport{}, apperr.New(apperr.NotFound, "round %d has no accepted responses to estimate from", roundID)
	}
	keys := make([]communityKey, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	places, err := placesOf(ctx, db)
	if err != nil {
		return CommunityReport{}, err
	}
	slices.SortFunc(keys, func(a, b communityKey) int { // the district's order
		ra, rb := places.nameRank(a), places.nameRank(b)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.street, b.street), cmp.Compare(a.community, b.community))
	})
	var streets []string
	for _, k := range keys {
		if !slices.Contains(streets, k.street) {
			streets = append(streets, k.street)
		}
	}
	rep := CommunityReport{RoundID: roundID, Level: level, Method: CommunityMethod}
	for _, id := range rates {
		areas := make([]sae.Area, len(keys))
		directs := make([]sae.Direct, len(keys))
		fitted := 0
		for i, k := range keys {
			areas[i] = sae.Area{Group: slices.Index(streets, k.street), Direct: math.NaN(), FPC: 1}
			if s := cells[k][id]; s != nil {
				directs[i] = s.direct(level)
				areas[i].N, areas[i].Direct, areas[i].SumW, areas[i].SumW2 = directs[i].N, directs[i].P, directs[i].SumW, directs[i].SumW2
				fitted++
			}
		}
		res := sae.Rates(areas, level)
		fit := CommunityFit{Variable: id, Areas: fitted, Reason: res.Reason, Detail: res.Detail, Notes: res.Notes}
		if res.Fit != nil {
			fit.SigmaV2, fit.Iterations = num(res.Fit.SigmaV2), res.Fit.Iterations
		}
		rep.Fits = append(rep.Fits, fit)
		for i, k := range keys {
			if only != "" && k.street != only {
				continue
			}
			d := directs[i]
			f := CommunityFigure{Variable: id, Street: k.street, Community: k.community, N: d.N}
			if d.N > 0 {
				f.Direct, f.DirectSE, f.DirectLow, f.DirectHigh = num(d.P), num(d.SE), num(d.Low), num(d.High)
			}
			if res.Reason == "" {
				e := res.Estimates[i]
				f.Model, f.ModelMSE, f.ModelLow, f.ModelHigh, f.Gamma, f.Note = num(e.Value), num(e.MSE), num(e.Low), num(e.High), num(e.Gamma), e.Note
				f.ModelPsi = num(e.Psi)
			}
			rep.Communities = append(rep.Communities, f)
		}
	}
	return rep, nil
}

type communityKey struct{ street, community string }

// communitySums holds one rate's weights and values in one community.
type communitySums struct{ w, y []float64 }

// direct computes the estimate, its within-community variance and its
// logit interval with n − 1 degrees of freedom (sae.DirectRate; see the
// file comment).
func (s *communitySums) direct(level float64) sae.Direct {
	return sae.DirectRate(s.w, s.y, level)
}
