package weighting

import (
	"math"
	"testing"

	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// TestPlanUnitsReplacements: a non-respondent replaced by a reserve is
// substituted (it leaves, the reserve takes its place); a not-eligible
// household replaced by a reserve stays as not eligible, and the reserve
// enlarges its community's sample, every unit of which then weighs
// m / (m + k) of its base weight. Either way the community's units in the
// adjustment weigh what its main sample did, and e counts every household
// found not eligible.
//
// Community 1: four main units of base weight 10 — a respondent (1), a
// vacant dwelling replaced by reserve 5 (a respondent), a refusal replaced
// by reserve 6 (a respondent), a screened-out interview not replaced (4).
// Community 2: two main units of base weight 20, a respondent and an
// eligible non-respondent, nothing replaced.
func TestPlanUnitsReplacements(t *testing.T) {
	units := []store.WeightingUnit{
		{AssignmentID: 1, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "I", Status: "final", ResponseID: 101},
		{AssignmentID: 2, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "NE", Status: "final", Replacement: "released"},
		{AssignmentID: 3, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "R", Status: "final", Replacement: "released"},
		{AssignmentID: 4, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "NE", Status: "final", ResponseID: 104},
		{AssignmentID: 5, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "I", Status: "final", ReplacesID: 2, ResponseID: 105},
		{AssignmentID: 6, StreetID: 1, CommunityID: 1, BaseWeight: 10, Category: "I", Status: "final", ReplacesID: 3, ResponseID: 106},
		{AssignmentID: 7, StreetID: 1, CommunityID: 2, BaseWeight: 20, Category: "I", Status: "final", ResponseID: 107},
		{AssignmentID: 8, StreetID: 1, CommunityID: 2, BaseWeight: 20, Category: "NC", Status: "final"},
	}
	n := names{street: map[int64]string{1: "街道1"}, community: map[int64]string{1: "社区1", 2: "社区2"}}
	plans := planUnits(units, Street, n)
	want := []struct {
		role   Role
		factor float64
	}{
		{RoleRespondent, 0.8}, {RoleIneligible, 0.8}, {RoleReplaced, 0.8}, {RoleIneligible, 0.8}, {RoleRespondent, 0.8}, {RoleRespondent, 0.8},
		{RoleRespondent, 1}, {RoleNonrespondent, 1},
	}
	total := map[int64]float64{}
	var w []float64
	var class []int32
	var status []stats.Eligibility
	for i, p := range plans {
		if p.role != want[i].role || math.Abs(p.sampleFactor-want[i].factor) > 1e-15 {
			t.Errorf("unit %d: %s × %v, want %s × %v", units[i].AssignmentID, p.role, p.sampleFactor, want[i].role, want[i].factor)
		}
		if p.role == RoleReplaced {
			continue
		}
		total[units[i].CommunityID] += units[i].BaseWeight * p.sampleFactor
		w = append(w, units[i].BaseWeight*p.sampleFactor)
		class = append(class, 0)
		status = append(status, p.elig)
	}
	// The units in the adjustment weigh what each community's main sample
	// did: 4 × 10 and 2 × 20.
	if math.Abs(total[1]-40) > 1e-12 || math.Abs(total[2]-40) > 1e-12 {
		t.Errorf("community totals %v, want 40 and 40", total)
	}
	// e counts both not-eligible households of community 1: of its five
	// positions (8 each) two were not eligible; with community 2 (one
	// respondent, one eligible non-respondent, 20 each):
	// e = (3·8 + 2·20) / (3·8 + 2·20 + 2·8).
	_, cls, err := stats.AdjustNonresponseEligibility(w, class, status, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := (24.0 + 40) / (24 + 40 + 16); math.Abs(cls[0].EligibilityRate-e) > 1e-12 || math.Abs(cls[0].Ineligible-16) > 1e-12 {
		t.Errorf("class %+v, want e = %v and 16 of not-eligible weight", cls[0], e)
	}
}
