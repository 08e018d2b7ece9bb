package weighting

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
)

// Street is the name of the street variable in post-strata and margins.
const Street = "street"

// Config is the weighting of a round.
type Config struct {
	// Nonresponse is the weighting class of the non-response adjustment:
	// "street" (default), "community" or "none".
	Nonresponse string `json:"nonresponse"`
	// Calibration is "none", "poststratify" (R's postStratify), "rake"
	// (R's rake) or "calibrate" (R's calibrate: the margins met at once,
	// within Bounds, by CalFun); "" means rake to street × each variable
	// of the population table when one exists.
	Calibration string `json:"calibration"`
	// Variables define the post-strata (e.g. street, E1, E2).
	Variables []string `json:"variables,omitempty"`
	// Margins are the raking or calibration margins, each a list of
	// variables.
	Margins [][]string `json:"margins,omitempty"`
	// CalFun is the calibration function of "calibrate": "raking"
	// (default), "logit" or "linear" (R's calfun).
	CalFun string `json:"calfun,omitempty"`
	// Bounds are the bounds of "calibrate" on g, the ratio of a final
	// weight to the weight before calibration, as R's bounds = c(lo, hi):
	// none when left out (logit needs them).
	Bounds []float64 `json:"bounds,omitempty"`
	// Epsilon and MaxIter control raking as R's rake(control=): raking
	// stops when no cell's weighted count changed by Epsilon or more in a
	// pass (R's default 1; below 1, a proportion of the sum of the weights
	// before raking), and more than MaxIter passes (default 10) is an
	// error. For "calibrate" they are R's calibrate(epsilon=, maxit=): every
	// level's misfit |population − Σw| / (1 + population) below Epsilon
	// (default 1e-7), at most MaxIter Newton steps (default 50).
	Epsilon float64 `json:"epsilon,omitempty"`
	MaxIter int     `json:"max_iter,omitempty"`
	// Trim caps weights at Trim × the median weight; 0 does not trim.
	// Trimming after calibration breaks the margins: the report says which
	// and by how much. Bounded calibration ("calibrate" with Bounds) keeps
	// weights within bounds and meets the margins.
	Trim float64 `json:"trim,omitempty"`
	// Population is the population table; 0: the newest of the round's frame.
	Population int64 `json:"population,omitempty"`
	// Adults is the question that counts a household's eligible adults
	// (e.g. 家中年满18周岁的常住人数), for calibration to counts of people:
	// the one adult interviewed per household stands for them all, so the
	// household's weight is multiplied by their number (the within-household
	// factor). "" finds it in the questionnaire: the integer question
	// whose label speaks of adults (年满18周岁, adults).
	Adults string `json:"adults,omitempty"`
	// Missing are the remedies for a refused, don't-know or missing answer
	// to a calibration variable, by question: "collapse:CODE" counts the
	// respondent in category CODE (the "not stated" category merged with a
	// neighbour), "hotdeck" takes a donor's answer drawn at random within
	// the respondent's street and stated categories (see impute). Without
	// one, such an answer stops calibration with an error listing the
	// responses.
	Missing map[string]string `json:"missing,omitempty"`
	// Seed draws the hot deck's donors; 0 uses the round's id, so that the
	// same settings draw the same donors again.
	Seed uint64 `json:"seed,omitempty"`
}

// Ranges of the numeric settings.
const (
	MinTrim, MaxTrim = 1.0, 100.0
	MaxEpsilon       = 1e9
	MaxIterations    = 1000
)

// ParseVariables reads "street*E1*E2" (also "street,E1,E2").
func ParseVariables(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '*' || r == ',' || r == '×' || r == ' ' }) {
		out = append(out, p)
	}
	return out
}

// ParseMargins reads "street*E1,street*E2" (margins separated by ',' or
// ';', variables within one by '*').
func ParseMargins(s string) [][]string {
	var out [][]string
	for _, m := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		if v := ParseVariables(strings.ReplaceAll(m, ",", "")); len(v) > 0 {
			out = append(out, v)
		}
	}
	return out
}

// ParseBounds reads "LO,HI" (also "LO:HI").
func ParseBounds(s string) ([]float64, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ':' || r == ' ' })
	if len(parts) != 2 {
		return nil, apperr.WithFields("invalid bounds", map[string]string{"bounds": "two numbers LO,HI"})
	}
	out := make([]float64, 2)
	for i, p := range parts {
		x, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, apperr.WithFields("invalid bounds", map[string]string{"bounds": "two numbers LO,HI"})
		}
		out[i] = x
	}
	return out, nil
}

// check validates the settings that need no database.
func (c *Config) check() error {
	f := map[string]string{}
	switch c.Nonresponse {
	case "":
		c.Nonresponse = Street
	case Street, "community", "none":
	default:
		f["nonresponse"] = "street, community or none"
	}
	switch c.Calibration {
	case "", "none":
	case "poststratify":
		if len(c.Variables) == 0 {
			f["variables"] = "name the post-stratification variables, e.g. street*E1*E2"
		}
	case "rake", "calibrate":
		if len(c.Margins) == 0 {
			f["margins"] = "name the margins, e.g. street*E1,street*E2"
		}
	default:
		f["calibration"] = "none, poststratify, rake or calibrate"
	}
	if c.Calibration == "calibrate" {
		if c.CalFun == "" {
			c.CalFun = stats.CalRaking.String()
		}
		fn, err := stats.ParseCalFun(c.CalFun)
		if err != nil {
			f["calfun"] = "raking, logit or linear"
		}
		switch {
		case len(c.Bounds) == 0:
			if err == nil && fn == stats.CalLogit {
				f["bounds"] = "logit calibration needs bounds, e.g. 0.5,2"
			}
		case len(c.Bounds) != 2 || !(c.Bounds[0] >= 0 && c.Bounds[0] < c.Bounds[1]) || math.IsInf(c.Bounds[1], 0):
			f["bounds"] = "two numbers lo,hi with 0 ≤ lo < hi: the least and the largest ratio of a final weight to its weight before calibration"
		case err == nil && fn == stats.CalLogit && !(c.Bounds[0] < 1 && c.Bounds[1] > 1):
			f["bounds"] = "logit calibration needs lo < 1 < hi"
		}
	} else if c.CalFun != "" || len(c.Bounds) > 0 {
		f["bounds"] = "bounds and calfun belong to calibration (calibrate)"
	}
	if c.Trim != 0 && !(c.Trim >= MinTrim && c.Trim <= MaxTrim) {
		f["trim"] = fmt.Sprintf("0 (no trimming) or a multiple of the median weight from %g to %g", MinTrim, MaxTrim)
	}
	if !(c.Epsilon >= 0 && c.Epsilon <= MaxEpsilon) {
		f["epsilon"] = fmt.Sprintf("a tolerance from 0 to %g (raking: a change in a cell's weighted count, below 1 a proportion of the sum of the weights before raking)", MaxEpsilon)
	}
	if c.MaxIter < 0 || c.MaxIter > MaxIterations {
		f["max_iter"] = fmt.Sprintf("an iteration cap from 1 to %d (0: R's default 10)", MaxIterations)
	}
	if len(c.Missing) > 0 && (c.Calibration == "none") {
		f["missing"] = "remedies for missing answers belong to calibration (poststratify, rake or calibrate)"
	}
	for q, r := range c.Missing {
		if _, ok := parseRemedy(r); !ok {
			f["missing"] = fmt.Sprintf("%s: hotdeck or collapse:CODE", q)
		}
	}
	if c.Population < 0 {
		f["population"] = "a population table id"
	}
	if len(f) > 0 {
		return apperr.WithFields("invalid weighting settings", f)
	}
	return nil
}

// LastConfig returns the settings of the weighting in force for a round,
// to run it again (after late responses, or new population counts with
// Population reset to 0).
func LastConfig(ctx context.Context, db *store.DB, roundID int64) (Config, error) {
	w, err := db.LatestWeighting(ctx, roundID)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal([]byte(w.Config), &c); err != nil {
		return Config{}, apperr.Wrap(apperr.Internal, err, "weighting %d settings", w.ID)
	}
	return c, nil
}
