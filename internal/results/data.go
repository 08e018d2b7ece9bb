package results

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// WriteRoundData writes a round's accepted responses as CSV, one line per
// response: response_id, street, community, psu, weight and every
// indicator of the round's questionnaire (empty when missing) — the input
// 'minyi estimate' (or R's svydesign) needs to reproduce the round's
// estimates: strata street, cluster psu, weights weight. For a calibrated
// round it adds input_weight (the weight before calibration) and the
// answers calibrated on, so that R can post-stratify or rake again. A
// street scope limits it to one street's responses.
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
	// A calibrated round also carries what R needs to calibrate again:
	// the weight before calibration and the answers calibrated on.
	cal, err := calibrationColumns(ctx, db, roundID)
	if err != nil {
		return err
	}
	calAt := len(header)
	if cal != nil {
		header = append(header, "input_weight")
		header = append(header, cal.vars...)
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
			if cal != nil {
				if r, ok := cal.rows[v.ResponseID]; ok {
					rec[calAt] = g(r.input)
					for k, c := range r.codes {
						if c != "" {
							rec[calAt+1+k] = c
						}
					}
				}
			}
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

// calColumns are the calibration columns of an export.
type calColumns struct {
	vars []string // the questions calibrated on
	rows map[int64]calRow
}

type calRow struct {
	input float64
	codes []string
}

// calibrationColumns returns, for a round whose weighting in force was
// calibrated, each response's weight before calibration and its answers to
// the questions calibrated on; nil otherwise.
func calibrationColumns(ctx context.Context, db *store.DB, roundID int64) (*calColumns, error) {
	w, err := db.LatestWeighting(ctx, roundID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil || w.Calibration == "" {
		return nil, err
	}
	var cfg struct {
		Variables []string   `json:"variables"`
		Margins   [][]string `json:"margins"`
	}
	if err := json.Unmarshal([]byte(w.Config), &cfg); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "weighting of round %d", roundID)
	}
	c := &calColumns{rows: map[int64]calRow{}}
	for _, v := range append(cfg.Variables, slices.Concat(cfg.Margins...)...) {
		if v != "street" && !slices.Contains(c.vars, v) {
			c.vars = append(c.vars, v)
		}
	}
	rs, err := db.RoundRespondents(ctx, roundID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		row := calRow{input: r.Input, codes: make([]string, len(c.vars))}
		ans, err := questionnaire.ParseResponse([]byte(r.Answers))
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "answers of response %d", r.ID)
		}
		for k, v := range c.vars {
			if a, ok := ans[v]; ok && a.Kind == questionnaire.AnswerNumber {
				row.codes[k] = strconv.Itoa(a.Number)
			}
		}
		c.rows[r.ID] = row
	}
	return c, nil
}
