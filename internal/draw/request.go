package draw

import (
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The defaults of a sample draw, the same for the API and the CLI: a field
// left out of a Request takes them. A value the user gave is never
// replaced by a default; one out of range is refused.
const (
	DefaultDesign       = "two-stage"
	DefaultAllocation   = "proportional"
	DefaultPerCommunity = 20
	DefaultOrder        = "random"
)

// Ranges of the numbers of a draw.
const (
	MaxHouseholds   = 10_000_000 // n and min_per_street
	MaxPerCommunity = 10_000     // per_community
	MaxReserves     = 10_000     // reserves
)

// Request is a sample draw as a user asks for it (a JSON body, CLI flags):
// a nil field was left out and takes its default; Spec resolves it.
type Request struct {
	Name         string             `json:"name"`
	FrameVersion *int               `json:"frame_version,omitempty"`
	Design       *string            `json:"design,omitempty"`
	N            *int               `json:"n,omitempty"`
	Allocation   *string            `json:"allocation,omitempty"`
	MinPerStreet *int               `json:"min_per_street,omitempty"`
	Priors       map[string]float64 `json:"priors,omitempty"`
	PerCommunity *int               `json:"per_community,omitempty"`
	Reserves     *int               `json:"reserves,omitempty"`
	Order        *string            `json:"order,omitempty"`
	Seed         *uint64            `json:"seed,string,omitempty"`
	Exact        *bool              `json:"exact,omitempty"`
}

// Spec checks the numbers the user gave against their ranges (each
// problem names its field) and fills what was left out with the defaults.
// The rest of the checks happen in Draw.
func (r Request) Spec() (Spec, error) {
	f := map[string]string{}
	s := Spec{Name: r.Name, Design: DefaultDesign, Allocation: DefaultAllocation, Order: DefaultOrder, PerCommunity: DefaultPerCommunity}
	set := func(p *string, dst *string) {
		if p != nil {
			*dst = *p
		}
	}
	set(r.Design, &s.Design)
	set(r.Allocation, &s.Allocation)
	set(r.Order, &s.Order)
	if r.Design != nil && *r.Design == "" {
		f["design"] = "must not be empty; leave it out for " + DefaultDesign
	}
	if r.Allocation != nil && *r.Allocation == "" {
		f["allocation"] = "must not be empty; leave it out for " + DefaultAllocation
	}
	if r.Order != nil && *r.Order == "" {
		f["order"] = "must not be empty; leave it out for " + DefaultOrder
	}
	whole := func(name string, p *int, lo, hi int, dst *int, why string) {
		if p == nil {
			return
		}
		if *p < lo || *p > hi {
			f[name] = why
			return
		}
		*dst = *p
	}
	if r.N == nil {
		f["n"] = "required: the main-sample households of all streets together"
	}
	whole("n", r.N, 1, MaxHouseholds, &s.N, "a whole number from 1 to 10000000")
	whole("frame_version", r.FrameVersion, 1, math.MaxInt32, &s.FrameVersion, "a frame version, 1 or more; leave it out for the newest")
	whole("min_per_street", r.MinPerStreet, 0, MaxHouseholds, &s.MinPerStreet, "a whole number from 0 to 10000000")
	whole("per_community", r.PerCommunity, 1, MaxPerCommunity, &s.PerCommunity, "a whole number from 1 to 10000")
	whole("reserves", r.Reserves, 0, MaxReserves, &s.Reserves, "a whole number from 0 to 10000")
	if r.Seed != nil {
		if *r.Seed == 0 {
			f["seed"] = "a whole number from 1 to 18446744073709551615; leave it out for a random seed"
		}
		s.Seed = *r.Seed
	}
	if r.Exact != nil {
		s.Exact = *r.Exact
	}
	s.Priors = r.Priors
	if len(f) > 0 {
		return Spec{}, apperr.WithFields("invalid sample specification", f)
	}
	return s, nil
}
