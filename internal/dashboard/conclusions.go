package dashboard

import (
	"github.com/minyi-survey/minyi/internal/conclude"
)

// conclusions writes the sentences that open the overview, a street's page
// and the report (internal/conclude): the simulated-data and interim notes,
// one sentence per headline figure of row (place "" for the district; group
// the respondent group's label, "" for all respondents), the
// weakest satisfaction item beside the satisfaction rate and, when streets
// is not nil, how many streets are below, across or above the target on
// the satisfaction rate (or the first rate with a target).
func conclusions(d *dashRound, place, group string, row dashRow, head, items []*dashColumn, streets []dashRow) []string {
	s := conclude.Summary{Simulated: d.info.Simulated, Interim: d.info.Status == "fieldwork"}
	var weak *conclude.Item
	if ws := weakest(row, items, 1); len(ws) == 1 && !ws[0].Missing && !ws[0].Suppressed && ws[0].Col != nil {
		weak = &conclude.Item{Label: ws[0].Col.Label, Est: ws[0].Est, Percent: ws[0].Col.Percent}
	}
	var judged *dashColumn // the rate the streets are counted on
	for _, col := range head {
		f := figureOf(place, col, row.cell(col.ID), d.minCell)
		f.Group = group
		if col.Role == "satisfaction" {
			f.Weakest = weak
			if col.HasTarget {
				judged = col
			}
		}
		s.Figures = append(s.Figures, f)
	}
	if judged == nil {
		for _, col := range head {
			if col.HasTarget && judged == nil {
				judged = col
			}
		}
	}
	if streets != nil && judged != nil {
		s.Streets = &conclude.Streets{Label: judged.Label}
		for _, r := range streets {
			f := figureOf(r.Name, judged, r.cell(judged.ID), d.minCell)
			f.Group = group
			s.Streets.Add(f)
		}
	}
	return conclude.Write(d.lang, s)
}

// figureOf is a table cell as conclude reads it.
func figureOf(place string, col *dashColumn, c dashCell, minCell int) conclude.Figure {
	return conclude.Figure{Place: place, Label: col.Label, Percent: col.Percent, Est: c.Est, Lo: c.Lo, Hi: c.Hi,
		Target: col.Target, HasTarget: col.HasTarget, N: c.N, MinCell: minCell, Small: c.Small}
}
