package dashboard

import (
	"fmt"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/sae"
)

// modelSection is a street page's community model estimates
// (results.ForCommunities): for each rate of the page's table, each
// community's direct estimate beside its model estimate, in a card of its
// own, marked as a model's, and never in the league table of streets.
type modelSection struct {
	Rates []modelRate
}

// modelRate is one rate's model estimates of the street's communities.
type modelRate struct {
	ID, Label string
	// Reason is the i18n key of why the model shows nothing for this
	// rate ("" when it shows estimates); Notes are keys of what to know.
	Reason string
	Notes  []string
	Rows   []modelRow
}

// modelRow is one community, formatted.
type modelRow struct {
	Community              string
	N                      int
	Direct, Model          string
	Low, High, Own, NoteID string
}

// communityModel computes the model section of street sid for the rate
// columns of head; nil when there is nothing to show.
func (s *Handler) communityModel(d *dashRound, sid int64, head []*dashColumn) (*modelSection, error) {
	rates := map[string]string{}
	var ids []string
	for _, c := range head {
		if ind := d.def.Indicator(c.ID); ind != nil && c.Percent && string(ind.Kind) == "rate" {
			rates[c.ID] = c.Label
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rep, err := results.ForCommunities(d.ctx, s.db, d.info.ID, results.CommunityRequest{Indicators: ids, StreetID: sid})
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pct := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f%%", 100**v)
	}
	sec := &modelSection{}
	for _, fit := range rep.Fits {
		r := modelRate{ID: fit.Variable, Label: rates[fit.Variable]}
		if fit.Reason != "" {
			r.Reason = reasonKey(fit.Reason)
		}
		for _, n := range fit.Notes {
			r.Notes = append(r.Notes, reasonKey(n))
		}
		for _, f := range rep.Communities {
			if f.Variable != fit.Variable {
				continue
			}
			row := modelRow{Community: f.Community, N: f.N, Direct: pct(f.Direct), Model: pct(f.Model), Low: pct(f.ModelLow), High: pct(f.ModelHigh)}
			if f.Gamma != nil {
				row.Own = fmt.Sprintf("%.0f%%", 100**f.Gamma)
			}
			if f.Note != "" {
				row.NoteID = reasonKey(f.Note)
			}
			r.Rows = append(r.Rows, row)
		}
		sec.Rates = append(sec.Rates, r)
	}
	return sec, nil
}

// reasonKey is the i18n key of a model check's reason.
func reasonKey(r sae.Reason) string { return "dash.model.reason." + string(r) }
