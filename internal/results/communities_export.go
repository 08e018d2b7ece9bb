package results

import (
	"context"
	"strings"

	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/store"
)

// communityColumns are the columns of the community estimates export.
var communityColumns = []export.Column{
	{Name: "indicator", Kind: export.Text, Width: 16}, {Name: "street", Kind: export.Text, Width: 16}, {Name: "community", Kind: export.Text, Width: 16},
	{Name: "n", Kind: export.Integer},
	{Name: "direct", Kind: export.Fraction}, {Name: "direct_se", Kind: export.Number}, {Name: "direct_ci_low", Kind: export.Fraction}, {Name: "direct_ci_high", Kind: export.Fraction},
	{Name: "model", Kind: export.Fraction}, {Name: "model_mse", Kind: export.Number}, {Name: "model_ci_low", Kind: export.Fraction}, {Name: "model_ci_high", Kind: export.Fraction},
	{Name: "gamma", Kind: export.Number}, {Name: "model_psi", Kind: export.Number}, {Name: "note", Kind: export.Text}, {Name: "model_reason", Kind: export.Text, Width: 30},
	{Name: "method", Kind: export.Text, Width: 40},
}

// WriteCommunities writes a round's community estimates (ForCommunities):
// one row per rate and community, the direct estimate with its design
// standard error and interval beside the model estimate (the Fay–Herriot
// EBLUP) with its MSE, interval and γ, and model_psi, the sampling variance
// of the community's arcsine-scale rate that the model took as known
// (1/(4ñ), see package sae), so that R's sae::mseFH can refit it; model_reason says why a rate has no
// model estimates, note marks a model-only community. A street scope
// writes that street's communities (the model is fitted on the whole
// round all the same).
func WriteCommunities(ctx context.Context, db *store.DB, roundID int64, o ExportOptions, book export.Book) error {
	rep, err := ForCommunities(ctx, db, roundID, CommunityRequest{StreetID: o.Scope.StreetID})
	if err != nil {
		return err
	}
	return writeCommunityReport(rep, book)
}

// writeCommunityReport writes the table of WriteCommunities from a report.
func writeCommunityReport(rep CommunityReport, book export.Book) error {
	reason := map[string]string{}
	for _, f := range rep.Fits {
		if f.Reason != "" {
			reason[f.Variable] = string(f.Reason)
		} else if len(f.Notes) > 0 {
			var ns []string
			for _, n := range f.Notes {
				ns = append(ns, string(n))
			}
			reason[f.Variable] = strings.Join(ns, " ")
		}
	}
	tab, err := book.Table("communities", communityColumns)
	if err != nil {
		return err
	}
	val := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	for _, f := range rep.Communities {
		if err := tab.Row([]any{f.Variable, f.Street, f.Community, int64(f.N),
			val(f.Direct), val(f.DirectSE), val(f.DirectLow), val(f.DirectHigh),
			val(f.Model), val(f.ModelMSE), val(f.ModelLow), val(f.ModelHigh),
			val(f.Gamma), val(f.ModelPsi), string(f.Note), reason[f.Variable], rep.Method}); err != nil {
			return err
		}
	}
	return nil
}
