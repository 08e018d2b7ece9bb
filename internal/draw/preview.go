package draw

import (
	"context"
	"math"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/sampling"
	"github.com/minyi-survey/minyi/internal/store"
)

// DefaultResponseRate is the expected response rate of a preview when none
// is given (the sample-size calculator's usual figure).
const DefaultResponseRate = 0.7

// PreviewStreet is what a draw would give one street, before drawing.
type PreviewStreet struct {
	Street      string `json:"street"`
	Households  int    `json:"households"`  // N_h in the frame
	Communities int    `json:"communities"` // in the frame
	N           int    `json:"n"`           // the allocated main sample n_h
	// PSUs are the communities a two-stage draw selects (⌈n_h/m⌉, at most
	// the street's communities); 0 for stratified SRS.
	PSUs int `json:"psus,omitempty"`
	// Issued is the main sample the draw would take: n_h, or a_h·m for a
	// two-stage draw without exact (at most the street's households).
	Issued   int  `json:"issued"`
	Reserves int  `json:"reserves"` // reserve households (per street, or per selected community)
	TakeAll  bool `json:"take_all"`
	// Expected is the expected interviews: Issued × the response rate.
	Expected float64 `json:"expected_interviews"`
}

// PreviewResult is the allocation of a sample per street before drawing.
type PreviewResult struct {
	FrameVersion int             `json:"frame_version"`
	Design       string          `json:"design"`
	Allocation   string          `json:"allocation"`
	PerCommunity int             `json:"per_community,omitempty"`
	ResponseRate float64         `json:"response_rate"`
	Streets      []PreviewStreet `json:"streets"`
	Total        PreviewStreet   `json:"total"`
}

// Preview allocates spec's sample to the streets of its frame with the
// allocation code of Draw, without drawing or storing anything, and adds
// the interviews to expect at responseRate (0: DefaultResponseRate). The
// name is not needed.
func Preview(ctx context.Context, db *store.DB, spec Spec, responseRate float64) (PreviewResult, error) {
	if responseRate == 0 {
		responseRate = DefaultResponseRate
	}
	if !(responseRate > 0 && responseRate <= 1) {
		return PreviewResult{}, apperr.WithFields("invalid sample specification", map[string]string{"response_rate": "between 0 and 1, e.g. 0.7"})
	}
	method, _, err := spec.validate(false)
	if err != nil {
		return PreviewResult{}, err
	}
	a, err := allocate(ctx, db, &spec, method)
	if err != nil {
		return PreviewResult{}, err
	}
	out := PreviewResult{FrameVersion: spec.FrameVersion, Design: spec.Design, Allocation: spec.Allocation, ResponseRate: responseRate}
	twoStage := spec.Design == "two-stage"
	if twoStage {
		out.PerCommunity = spec.PerCommunity
	}
	out.Total.Street = "total"
	for i, al := range a.alloc {
		info := a.info[i]
		p := PreviewStreet{Street: a.names[al.Stratum], Households: al.Households, Communities: info.Communities, N: al.Size, TakeAll: al.TakeAll}
		if twoStage {
			p.PSUs = min(sampling.PSUsFor(al.Size, spec.PerCommunity), info.Communities)
			p.Issued = al.Size
			if !spec.Exact {
				p.Issued = min(p.PSUs*spec.PerCommunity, al.Households)
			}
			p.Reserves = p.PSUs * spec.Reserves
		} else {
			p.Issued = al.Size
			p.Reserves = min(spec.Reserves, al.Households-al.Size)
		}
		p.Expected = math.Round(float64(p.Issued)*responseRate*10) / 10
		out.Streets = append(out.Streets, p)
		t := &out.Total
		t.Households += p.Households
		t.Communities += p.Communities
		t.N += p.N
		t.PSUs += p.PSUs
		t.Issued += p.Issued
		t.Reserves += p.Reserves
		t.Expected += p.Expected
	}
	out.Total.Expected = math.Round(out.Total.Expected*10) / 10
	return out, nil
}
