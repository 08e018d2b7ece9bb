package results

import (
	"context"
	"encoding/json"
	"io"
	"slices"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/weighting"
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
	header := []export.Column{{Name: "response_id", Kind: export.Integer}, {Name: "street", Kind: export.Text},
		{Name: "community", Kind: export.Text}, {Name: "psu", Kind: export.Integer}, {Name: "weight", Kind: export.Number}}
	for _, ind := range def.Indicators {
		cols[ind.ID] = len(header)
		header = append(header, export.Column{Name: ind.ID, Kind: export.Number})
	}
	// A calibrated round also carries what R needs to calibrate again:
	// the weight before calibration and the answers calibrated on.
	cal, err := calibrationColumns(ctx, db, roundID)
	if err != nil {
		return err
	}
	calAt := len(header)
	if cal != nil {
		header = append(header, export.Column{Name: "input_weight", Kind: export.Number})
		for _, v := range cal.vars {
			header = append(header, export.Column{Name: v, Kind: export.Integer})
		}
	}
	book, err := export.NewBook(w, export.FormatCSV, export.Options{})
	if err != nil {
		return err
	}
	tab, err := book.Table("data", header)
	if err != nil {
		return err
	}
	rec := make([]any, len(header))
	var cur int64
	flush := func() error {
		if cur == 0 {
			return nil
		}
		return tab.Row(rec)
	}
	err = db.RoundData(ctx, roundID, sc, func(v store.DataValue) error {
		if v.ResponseID != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = v.ResponseID
			clear(rec)
			rec[0], rec[1], rec[2], rec[3], rec[4] = v.ResponseID, v.Street, v.Community, v.PSU, v.Weight
			if cal != nil {
				if r, ok := cal.rows[v.ResponseID]; ok {
					rec[calAt] = r.input
					for k, c := range r.codes {
						if c >= 0 {
							rec[calAt+1+k] = int64(c)
						}
					}
				}
			}
		}
		if i, ok := cols[v.Indicator]; ok && v.Value.Valid {
			rec[i] = v.Value.Float64
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if cerr := book.Close(); err == nil {
		err = cerr
	}
	return err
}

// calibrationVariables returns the questions the weighting in force
// calibrated on (street aside), in the order of its settings, and whether
// the round's weights are calibrated at all.
func calibrationVariables(ctx context.Context, db *store.DB, roundID int64) ([]string, bool, error) {
	w, err := db.LatestWeighting(ctx, roundID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, false, nil
	}
	if err != nil || w.Calibration == "" {
		return nil, false, err
	}
	var cfg struct {
		Variables []string   `json:"variables"`
		Margins   [][]string `json:"margins"`
	}
	if err := json.Unmarshal([]byte(w.Config), &cfg); err != nil {
		return nil, false, apperr.Wrap(apperr.Internal, err, "weighting of round %d", roundID)
	}
	var vars []string
	for _, v := range append(cfg.Variables, slices.Concat(cfg.Margins...)...) {
		if v != "street" && !slices.Contains(vars, v) {
			vars = append(vars, v)
		}
	}
	return vars, true, nil
}

// calColumns are the calibration columns of an export.
type calColumns struct {
	vars []string // the questions calibrated on
	rows map[int64]calRow
}

type calRow struct {
	input float64
	codes []int // -1: not answered
}

// calibrationColumns returns, for a round whose weighting in force was
// calibrated, each response's weight before calibration and its answers to
// the questions calibrated on (what the weighting imputed in place of a
// refused or missing one); nil otherwise.
func calibrationColumns(ctx context.Context, db *store.DB, roundID int64) (*calColumns, error) {
	vars, calibrated, err := calibrationVariables(ctx, db, roundID)
	if err != nil || !calibrated {
		return nil, err
	}
	c := &calColumns{vars: vars, rows: map[int64]calRow{}}
	rs, err := db.RoundRespondents(ctx, roundID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		row := calRow{input: r.Input, codes: make([]int, len(c.vars))}
		ans, err := questionnaire.ParseResponse([]byte(r.Answers))
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "answers of response %d", r.ID)
		}
		imputed, err := weighting.ParseImputed(r.Imputed)
		if err != nil {
			return nil, err
		}
		for k, v := range c.vars {
			row.codes[k] = -1
			if im, ok := imputed[v]; ok {
				row.codes[k] = im.Code
			} else if code, ok := ans.GroupCode(v); ok {
				row.codes[k] = code
			}
		}
		c.rows[r.ID] = row
	}
	return c, nil
}
