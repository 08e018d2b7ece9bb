package results

import (
	"context"
	"io"
	"strconv"

	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// WriteRoundData writes a round's accepted responses as CSV, one line per
// response: response_id, street, community, psu, weight and every
// indicator of the round's questionnaire (empty when missing) — the input
// 'minyi estimate' (or R's svydesign) needs to reproduce the round's
// estimates: strata street, cluster psu, weights weight. A street scope
// limits it to one street's responses.
func WriteRoundData(ctx context.Context, db *store.DB, roundID int64, sc store.Scope, w io.Writer) error {
	r, err := db.RoundByID(ctx, roundID)
	if err != nil {
		return err
	}
	def, err := questionnaire.ParseJSON(r.Questionnaire+".json", []byte(r.Definition))
	if err != nil {
		return err
	}
	cols := map[string]int{}
	header := []string{"response_id", "street", "community", "psu", "weight"}
	for _, ind := range def.Indicators {
		cols[ind.ID] = len(header)
		header = append(header, ind.ID)
	}
	cw := export.NewCSV(w)
	cw.Write(header)
	rec := make([]string, len(header))
	var cur int64
	flush := func() {
		if cur != 0 {
			cw.WriteRaw(rec)
		}
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	err = db.RoundData(ctx, roundID, sc, func(v store.DataValue) error {
		if v.ResponseID != cur {
			flush()
			cur = v.ResponseID
			for i := range rec {
				rec[i] = ""
			}
			rec[0] = strconv.FormatInt(v.ResponseID, 10)
			rec[1], rec[2] = export.Cell(v.Street), export.Cell(v.Community)
			rec[3], rec[4] = strconv.FormatInt(v.PSU, 10), g(v.Weight)
		}
		if i, ok := cols[v.Indicator]; ok && v.Value.Valid {
			rec[i] = g(v.Value.Float64)
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	return cw.Flush()
}
