package sae

import (
	"errors"
	"fmt"
)

// Reason is a stable code saying why model estimates are not shown, or
// what to know about them. Its words in zh-CN and English are looked up
// at the edge (web/i18n: "sae.reason.<code>").
type Reason string

// The reasons of the model's checks.
const (
	// ReasonTooFewAreas: fewer areas with a direct estimate than the
	// model needs (MinAreas); estimates are suppressed.
	ReasonTooFewAreas Reason = "too_few_areas"
	// ReasonBadVariance: an area's sampling variance is missing, zero or
	// infinite; the fit is refused (callers smooth or drop such areas
	// first, see package results).
	ReasonBadVariance Reason = "bad_variance"
	// ReasonBadEstimate: an area's direct estimate is missing.
	ReasonBadEstimate Reason = "bad_estimate"
	// ReasonCollinear: the covariates are collinear.
	ReasonCollinear Reason = "collinear"
	// ReasonNoConvergence: the REML iteration did not converge.
	ReasonNoConvergence Reason = "no_convergence"
	// ReasonShape: the input's lengths do not agree (a programming error).
	ReasonShape Reason = "shape"
	// ReasonVarianceZero is a note, not a failure: σ̂²ᵥ was truncated at
	// 0, so every model estimate is the covariates' (street's) synthetic
	// estimate.
	ReasonVarianceZero Reason = "variance_zero"
	// ReasonModelOnly is a note on one area: it has no direct estimate
	// (no respondent answered), and its estimate comes from the model
	// alone.
	ReasonModelOnly Reason = "model_only"
)

// Check is the error of a fit the data cannot carry.
type Check struct {
	Reason Reason
	Detail string // in English, for logs and tests
}

func (c *Check) Error() string { return "small-area model: " + string(c.Reason) + ": " + c.Detail }

func checkf(r Reason, format string, args ...any) *Check {
	return &Check{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf returns the reason of a failed fit, or "" when err is not a
// *Check.
func ReasonOf(err error) Reason {
	var c *Check
	if errors.As(err, &c) {
		return c.Reason
	}
	return ""
}

// Reasons lists every reason, for the check that each has its words.
var Reasons = []Reason{ReasonTooFewAreas, ReasonBadVariance, ReasonBadEstimate, ReasonCollinear, ReasonNoConvergence, ReasonShape, ReasonVarianceZero, ReasonModelOnly}
