package draw

import (
	"context"
	"errors"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
)

// StreetSize is the sample one street needs for its own estimate.
type StreetSize struct {
	Street string `json:"street"`
	sampling.StratumSize
}

// SizePlan is the sample-size calculation for a frame: per street (with the
// street's households as the finite population) and in total.
type SizePlan struct {
	Spec         sampling.SizeSpec   `json:"spec"`
	FrameVersion int                 `json:"frame_version,omitempty"`
	Overall      sampling.SizeResult `json:"overall"`
	Streets      []StreetSize        `json:"streets,omitempty"`
	Totals       sampling.SizeTotals `json:"totals"`
}

// Sizes computes the sample size spec asks for: overall (with the frame's
// households as the population when a frame exists) and, with a frame, per
// street. frameVersion 0 means the newest frame; without any frame only the
// overall figure is given.
func Sizes(ctx context.Context, db *store.DB, spec sampling.SizeSpec, frameVersion int) (SizePlan, error) {
	plan := SizePlan{Spec: spec}
	overall, err := sampling.SampleSize(spec)
	if err != nil {
		return plan, sizeError(err)
	}
	plan.Overall = overall
	plan.Totals = sampling.SizeTotals{Completes: overall.Completes, Issue: overall.Issue}
	if db == nil {
		return plan, nil
	}
	fr, err := db.FrameByVersion(ctx, frameVersion)
	if apperr.Is(err, apperr.NotFound) && frameVersion == 0 {
		return plan, nil
	}
	if err != nil {
		return plan, err
	}
	streets, err := db.FrameStreets(ctx, fr.ID)
	if err != nil {
		return plan, err
	}
	strata := make([]sampling.Stratum, len(streets))
	total := 0
	for i, s := range streets {
		strata[i] = sampling.Stratum{ID: int32(i), Households: s.Households}
		total += s.Households
	}
	if spec.Population == 0 {
		withN := spec
		withN.Population = total
		if plan.Overall, err = sampling.SampleSize(withN); err != nil {
			return plan, sizeError(err)
		}
	}
	per, tot, err := sampling.SampleSizes(spec, strata)
	if err != nil {
		return plan, sizeError(err)
	}
	plan.FrameVersion, plan.Totals = fr.Version, tot
	for i, p := range per {
		plan.Streets = append(plan.Streets, StreetSize{Street: streets[i].Name, StratumSize: p})
	}
	return plan, nil
}

// sizeError names the field of a calculation input out of range.
func sizeError(err error) error {
	var fe *sampling.FieldError
	if errors.As(err, &fe) {
		e := apperr.WithFields("invalid sample-size request", map[string]string{fe.Field: fe.Problem})
		e.Err = err
		return e
	}
	return apperr.Wrap(apperr.Invalid, err, "invalid sample-size request")
}
