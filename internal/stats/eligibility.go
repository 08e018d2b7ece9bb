package stats

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Eligibility is what fieldwork found out about a sampled unit, as far as
// the non-response adjustment needs it (AAPOR final dispositions).
type Eligibility uint8

const (
	// Respondent: an accepted interview (AAPOR I, or P when accepted).
	Respondent Eligibility = iota
	// Nonrespondent: eligible, no interview (R, NC, O).
	Nonrespondent
	// Ineligible: not in the population (NE); it keeps no weight.
	Ineligible
	// Unknown: eligibility unknown (UH, or not yet final).
	Unknown
)

// ClassAdjustment is the non-response adjustment of one weighting class:
// sums of base weights by eligibility, the estimated eligibility rate of
// the units of unknown eligibility and the factor applied to respondents.
type ClassAdjustment struct {
	Respondents    float64 `json:"respondents"`    // Σw of respondents
	Nonrespondents float64 `json:"nonrespondents"` // Σw of eligible non-respondents
	Ineligible     float64 `json:"ineligible"`     // Σw of ineligible units
	Unknown        float64 `json:"unknown"`        // Σw of units of unknown eligibility
	N              int     `json:"n"`              // respondents
	// EligibilityRate e = (resp + nonresp) / (resp + nonresp + ineligible),
	// AAPOR's estimate of the share of eligible units among those of
	// unknown eligibility; 1 when no unit was found ineligible.
	EligibilityRate float64 `json:"eligibility_rate"`
	Factor          float64 `json:"factor"`
}

// MarshalJSON writes NaN (a class without units) as null.
func (c ClassAdjustment) MarshalJSON() ([]byte, error) {
	type plain ClassAdjustment
	p := plain(c)
	if math.IsNaN(p.EligibilityRate) {
		p.EligibilityRate = 0
	}
	return json.Marshal(p)
}

// AdjustNonresponseEligibility is the weighting-class non-response
// adjustment with unknown eligibility (Valliant, Dever and Kreuter,
// Practical Tools for Designing and Weighting Survey Samples, 2013, §13.3;
// AAPOR Standard Definitions, e): within class c the respondents' base
// weights are multiplied by
//
//	f_c = (R_c + N_c + e_c·U_c) / R_c,   e_c = (R_c + N_c) / (R_c + N_c + I_c)
//
// where R, N, I and U are the sums of base weights of respondents,
// eligible non-respondents, ineligible units and units of unknown
// eligibility. Everyone but the respondents ends with weight 0. A class
// with eligible (or possibly eligible) units but no respondent is an
// error naming the class (label gives its name).
func AdjustNonresponseEligibility(w []float64, class []int32, status []Eligibility, label func(int32) string) ([]float64, []ClassAdjustment, error) {
	if len(class) != len(w) || len(status) != len(w) {
		return nil, nil, apperr.New(apperr.Invalid, "non-response adjustment: %d weights, %d classes, %d outcomes", len(w), len(class), len(status))
	}
	var cs []ClassAdjustment
	for i, c := range class {
		if c < 0 {
			return nil, nil, apperr.New(apperr.Invalid, "unit %d: weighting class %d", i+1, c)
		}
		if !(w[i] > 0) || math.IsInf(w[i], 1) {
			return nil, nil, apperr.New(apperr.Invalid, "unit %d: weight %v is not a positive number", i+1, w[i])
		}
		for int(c) >= len(cs) {
			cs = append(cs, ClassAdjustment{})
		}
		a := &cs[c]
		switch status[i] {
		case Respondent:
			a.Respondents += w[i]
			a.N++
		case Nonrespondent:
			a.Nonrespondents += w[i]
		case Ineligible:
			a.Ineligible += w[i]
		case Unknown:
			a.Unknown += w[i]
		default:
			return nil, nil, apperr.New(apperr.Invalid, "unit %d: unknown eligibility status %d", i+1, status[i])
		}
	}
	for c := range cs {
		a := &cs[c]
		known := a.Respondents + a.Nonrespondents
		a.EligibilityRate = 1
		if known+a.Ineligible > 0 {
			a.EligibilityRate = known / (known + a.Ineligible)
		}
		eligible := known + a.EligibilityRate*a.Unknown
		switch {
		case a.Respondents > 0:
			a.Factor = eligible / a.Respondents
		case eligible > 0:
			name := "class " + strconv.Itoa(c)
			if label != nil {
				name = label(int32(c))
			}
			return nil, nil, apperr.New(apperr.Invalid, "weighting class %s has no respondent (%.6g of eligible base weight); use wider classes (e.g. street instead of community)", name, eligible)
		default:
			a.Factor = 0
		}
	}
	out := make([]float64, len(w))
	for i, c := range class {
		if status[i] == Respondent {
			out[i] = w[i] * cs[c].Factor
		}
	}
	return out, cs, nil
}

// WeightSummary describes a set of weights: the range, the coefficient of
// variation (population standard deviation over the mean) and Kish's
// design effect due to unequal weighting, n·Σw²/(Σw)² = 1 + CV² (Kish,
// Survey Sampling, 1965, §11.7).
type WeightSummary struct {
	N    int     `json:"n"`
	Sum  float64 `json:"sum"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	CV   float64 `json:"cv"`
	Deff float64 `json:"deff_kish"`
	// EffectiveN is n / Deff.
	EffectiveN float64 `json:"effective_n"`
}

// SummarizeWeights summarises the positive weights of w (zeros, the
// weights of non-respondents, are left out).
func SummarizeWeights(w []float64) WeightSummary {
	s := WeightSummary{Min: math.Inf(1), Max: math.Inf(-1)}
	var sum2 float64
	for _, x := range w {
		if !(x > 0) {
			continue
		}
		s.N++
		s.Sum += x
		sum2 += x * x
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	if s.N == 0 {
		return WeightSummary{}
	}
	n := float64(s.N)
	s.Mean = s.Sum / n
	s.Deff = n * sum2 / (s.Sum * s.Sum)
	s.CV = math.Sqrt(max(s.Deff-1, 0))
	s.EffectiveN = n / s.Deff
	return s
}
