package weighting

import (
	"encoding/json"
	"math"

	"github.com/minyi-survey/minyi/internal/stats"
)

// Report describes a weighting run.
type Report struct {
	RoundID     int64  `json:"round_id"`
	Round       string `json:"round"`
	WeightingID int64  `json:"weighting_id"`
	Config      Config `json:"config"`
	// Unit is what the final weights count: "household" (household
	// weights) or "person" (calibrated to counts of people: each
	// household's weight times its eligible adults, Config.Adults).
	Unit  string `json:"unit"`
	Units Units  `json:"units"`
	// Classes are the non-response adjustment's classes.
	Classes []Class `json:"classes,omitempty"`
	// Imputed counts the calibration answers imputed (Config.Missing).
	Imputed []ImputedCount `json:"imputed,omitempty"`
	// Steps summarise the respondents' weights after each step.
	Steps []Step `json:"steps"`
	// Passes is the number of raking passes.
	Passes int `json:"raking_passes,omitempty"`
	// TrimCap is the cap of trimming and Trimmed the weights it cut.
	TrimCap float64 `json:"trim_cap,omitempty"`
	Trimmed int     `json:"trimmed,omitempty"`
	// TrimBreaks are the calibration margins trimming broke: their worst
	// level and how far off it is after trimming. (Bounded calibration
	// keeps weights within bounds and meets the margins.)
	TrimBreaks []TrimBreak `json:"trim_breaks,omitempty"`
	// Check compares the final weighted counts with the population.
	Check []MarginCheck `json:"calibration_check,omitempty"`
}

// Units counts the round's assignments by what they are to the adjustment.
type Units struct {
	Respondents    int `json:"respondents"`
	Nonrespondents int `json:"nonrespondents"`
	Ineligible     int `json:"ineligible"`
	Unknown        int `json:"unknown_eligibility"`
	// Replaced counts the non-respondents a reserve substituted (they
	// leave the adjustment); IneligibleReplaced the not-eligible
	// households whose reserves enlarged their community's sample (they
	// count among Ineligible).
	Replaced           int `json:"replaced"`
	IneligibleReplaced int `json:"ineligible_replaced,omitempty"`
}

// Class is a weighting class with its adjustment.
type Class struct {
	Name string `json:"name"`
	stats.ClassAdjustment
}

// MarshalJSON writes the class's name beside its adjustment: the
// adjustment's own MarshalJSON, promoted through the embedding, would
// write the adjustment alone and drop the name.
func (c Class) MarshalJSON() ([]byte, error) {
	adj, err := json.Marshal(c.ClassAdjustment)
	if err != nil {
		return nil, err
	}
	name, err := json.Marshal(c.Name)
	if err != nil {
		return nil, err
	}
	out := append([]byte(`{"name":`), name...)
	if len(adj) > 2 { // {"respondents":…}
		out = append(out, ',')
	}
	return append(out, adj[1:]...), nil
}

// Step is the weights after one step.
type Step struct {
	Name    string              `json:"step"`
	Weights stats.WeightSummary `json:"weights"`
}

// MarginCheck compares weighted counts with population counts.
type MarginCheck struct {
	Margin     string       `json:"margin"`
	Levels     []LevelCheck `json:"levels"`
	MaxAbsDiff float64      `json:"max_abs_diff"`
}

// LevelCheck is one level of a margin.
type LevelCheck struct {
	Level      string  `json:"level"`
	Population float64 `json:"population"`
	Weighted   float64 `json:"weighted"`
}

// TrimBreak is a calibration margin that trimming left unmet.
type TrimBreak struct {
	Margin     string  `json:"margin"`
	Level      string  `json:"level"` // the level furthest off
	Population float64 `json:"population"`
	Weighted   float64 `json:"weighted"`
	// MaxRelDiff is that level's |weighted − population| / population.
	MaxRelDiff float64 `json:"max_rel_diff"`
}

// trimBreaks lists the margins of the calibration check that are off by
// more than rounding after trimming.
func trimBreaks(check []MarginCheck) []TrimBreak {
	var out []TrimBreak
	for _, m := range check {
		var worst *LevelCheck
		rel := 0.0
		for i := range m.Levels {
			l := &m.Levels[i]
			if l.Population <= 0 {
				continue
			}
			if r := math.Abs(l.Weighted-l.Population) / l.Population; r > rel {
				rel, worst = r, l
			}
		}
		if worst != nil && rel > 1e-9 {
			out = append(out, TrimBreak{Margin: m.Margin, Level: worst.Level, Population: worst.Population, Weighted: worst.Weighted, MaxRelDiff: rel})
		}
	}
	return out
}
