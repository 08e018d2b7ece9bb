package weighting

import (
	"context"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// Role is what an assignment is to the weighting.
type Role string

// The roles of an assignment.
const (
	RoleRespondent    Role = "respondent"    // an accepted interview (AAPOR I, P)
	RoleNonrespondent Role = "nonrespondent" // eligible, no interview (R, NC, O)
	RoleIneligible    Role = "ineligible"    // not in the population (NE), screened-out interviews included
	RoleUnknown       Role = "unknown"       // unknown eligibility (UH, or not yet final)
	// RoleReplaced: a non-respondent substituted by a released reserve,
	// which takes its place (and base weight) in the adjustment.
	RoleReplaced Role = "replaced"
)

// unitPlan is one assignment's part in the weighting.
type unitPlan struct {
	role  Role
	elig  stats.Eligibility // for the roles that enter the adjustment
	class string            // its non-response class
	// sampleFactor is m / (m + k) for the community's units, k the
	// reserves released there for households found not eligible.
	sampleFactor float64
}

// planUnits decides each assignment's part in the weighting.
//
// Replacements, as AAPOR's definitions read (Standard Definitions 2023,
// §1 and the NE codes): a household found not eligible (vacant, no adult,
// screened out) is not a non-respondent; it is outside the population,
// and its share of the frame is what the eligibility rate e estimates.
// So:
//
//   - a non-respondent (refusal, non-contact, other) replaced by a reserve
//     is substituted: the reserve takes its place and base weight, and the
//     replaced unit leaves the adjustment (it is neither a respondent nor
//     a non-respondent any more; an interview accepted after the release
//     still counts as a response);
//   - a not-eligible household whose reserve was released stays in the
//     adjustment as not eligible (it counts in e), and the reserve is an
//     addition to its community's sample, not a substitute: the m main
//     units of a community with k such reserves are m + k draws from the
//     community's households in random order, so every unit of the
//     community has its base weight multiplied by m / (m + k). Without
//     this the reserve would carry a not-eligible household's weight
//     into the eligible population, and dropping the household would
//     inflate e.
//
// The default rule no longer releases reserves for not-eligible
// households (fieldwork.DefaultRule); rounds whose rule does are weighted
// correctly all the same.
func planUnits(units []store.WeightingUnit, nonresponse string, n names) []unitPlan {
	main := map[int64]int{}  // community → main-sample units
	extra := map[int64]int{} // community → reserves released for NE households
	for _, u := range units {
		if u.ReplacesID == 0 {
			main[u.CommunityID]++
		}
		if u.Replacement == "released" && eligibility(u) == stats.Ineligible {
			extra[u.CommunityID]++
		}
	}
	out := make([]unitPlan, len(units))
	for i, u := range units {
		p := &out[i]
		p.sampleFactor = 1
		if k := extra[u.CommunityID]; k > 0 && main[u.CommunityID] > 0 {
			m := float64(main[u.CommunityID])
			p.sampleFactor = m / (m + float64(k))
		}
		p.elig = eligibility(u)
		if u.Replacement == "released" && u.ResponseID == 0 && p.elig != stats.Ineligible {
			p.role = RoleReplaced
			continue
		}
		switch p.elig {
		case stats.Respondent:
			p.role = RoleRespondent
		case stats.Nonrespondent:
			p.role = RoleNonrespondent
		case stats.Ineligible:
			p.role = RoleIneligible
		default:
			p.role = RoleUnknown
		}
		switch nonresponse {
		case Street:
			p.class = n.street[u.StreetID]
		case "community":
			p.class = n.street[u.StreetID] + " " + n.community[u.CommunityID]
		default:
			p.class = "all"
		}
	}
	return out
}

// UnitPart is an assignment's part in a round's weighting, for the
// dispositions export: what anyone redoing the weighting needs beside the
// fieldwork outcome.
type UnitPart struct {
	Role Role
	// Class is its non-response class ("" without the adjustment).
	Class string
	// SampleFactor is m / (m + k) (planUnits), 1 in most communities.
	SampleFactor float64
}

// PlanRound returns each assignment's part in the weighting of a round,
// by assignment id, under the settings of the weighting in force (the
// defaults before the round is weighted), from its fieldwork as it stands.
func PlanRound(ctx context.Context, db *store.DB, roundID int64) (map[int64]UnitPart, error) {
	cfg, err := LastConfig(ctx, db, roundID)
	if apperr.Is(err, apperr.NotFound) {
		cfg, err = Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	if cfg.Nonresponse == "" {
		cfg.Nonresponse = Street
	}
	n, err := placeNames(ctx, db)
	if err != nil {
		return nil, err
	}
	units, err := db.WeightingUnits(ctx, roundID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]UnitPart, len(units))
	for i, p := range planUnits(units, cfg.Nonresponse, n) {
		part := UnitPart{Role: p.role, SampleFactor: p.sampleFactor}
		if cfg.Nonresponse != "none" && p.role != RoleReplaced {
			part.Class = p.class
		}
		out[units[i].AssignmentID] = part
	}
	return out, nil
}
