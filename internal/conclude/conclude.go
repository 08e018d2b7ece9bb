// Package conclude turns a round's figures into the sentences a street
// director reads first: for each rate, its estimate and interval and what
// the interval allows one to say against the target, in zh-CN and English.
//
// The rules are written once, here (Judge), and the wording never claims
// more than the interval supports:
//   - below: the whole interval lies under the target ("可以有把握地说低于目标");
//   - straddles: the interval holds the target ("还不能说是否达到目标");
//   - meets: the whole interval is at or above the target;
//   - too few: fewer respondents than the minimum cell: no figure, no claim;
//   - no interval (e.g. every answer the same): the estimate, no claim;
//   - simulated data: a first sentence says the figures are simulated.
//
// The words are data (phrases.json, one table per language, the same keys
// in each); the package is pure and needs no database.
package conclude

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Verdict is what a figure's interval allows one to say about its target.
type Verdict string

// The verdicts, by the interval against the target.
const (
	NoTarget   Verdict = "notarget"   // the figure has no target: the estimate and interval only
	Below      Verdict = "below"      // the whole interval is below the target
	Straddles  Verdict = "straddle"   // the interval contains the target
	Meets      Verdict = "meets"      // the whole interval is at or above the target
	NoInterval Verdict = "nointerval" // an estimate without an interval: no claim
	TooFew     Verdict = "toofew"     // fewer respondents than the minimum cell: no figure
	None       Verdict = "none"       // no respondent at all
)

// Figure is one rate (or score) of one place, as a page shows it.
type Figure struct {
	Place   string // the street's or community's name; "" for the district
	Group   string // a respondent group the figure is of ("性别：女"), "" for all
	Label   string // the indicator's label in the page's language
	Percent bool   // a share shown as a percentage (else points)
	Est     float64
	Lo, Hi  float64 // the interval; NaN when there is none
	Level   float64 // the interval's level, 0.95 when zero
	Target  float64
	// HasTarget is false for a figure without a target.
	HasTarget bool
	N         int64 // respondents behind the figure
	MinCell   int   // fewer respondents than this: no figure, no claim
	Small     bool  // effective sample size below MinCell: a word of caution
	// Weakest is the item with the lowest estimate (satisfaction's items),
	// named after the figure; nil for none.
	Weakest *Item
}

// Item is a satisfaction item named beside its rate.
type Item struct {
	Label   string
	Est     float64
	Percent bool
}

// Judge places a figure's interval against its target. It is the one
// place where the rules are written: a claim about the target needs an
// interval, and then only what the whole interval says.
func Judge(f Figure) Verdict {
	switch {
	case f.N <= 0:
		return None
	case f.N < int64(f.MinCell):
		return TooFew
	case math.IsNaN(f.Est):
		return None
	case math.IsNaN(f.Lo) || math.IsNaN(f.Hi):
		return NoInterval
	case !f.HasTarget:
		return NoTarget
	case f.Hi < f.Target:
		return Below
	case f.Lo >= f.Target:
		return Meets
	}
	return Straddles
}

// Streets counts the streets by the verdict on one rate.
type Streets struct {
	Label                   string   // the rate's label
	Below, Straddles, Meets []string // Straddles: every street nothing can be said of
	TooFew                  []string // too few respondents (or none)
	Total                   int
}

// Add places a street's figure of the rate in the count.
func (s *Streets) Add(f Figure) {
	s.Total++
	switch Judge(f) {
	case Below:
		s.Below = append(s.Below, f.Place)
	case Straddles:
		s.Straddles = append(s.Straddles, f.Place)
	case Meets:
		s.Meets = append(s.Meets, f.Place)
	case NoInterval, NoTarget: // no claim either way
		s.Straddles = append(s.Straddles, f.Place)
	case TooFew, None:
		s.TooFew = append(s.TooFew, f.Place)
	}
}

// Summary is what a page's conclusions are written from.
type Summary struct {
	Simulated bool // the round's data are simulated
	Interim   bool // fieldwork is still going on
	Figures   []Figure
	Streets   *Streets // the streets against the target on one rate; nil for none
}

//go:embed phrases.json
var phrasesJSON []byte

// phrases are the words of each language: key → text with {name} holes.
var phrases = func() map[string]map[string]string {
	var m map[string]map[string]string
	if err := json.Unmarshal(phrasesJSON, &m); err != nil {
		panic(fmt.Sprintf("conclude: phrases.json: %v", err))
	}
	return m
}()

// Languages are the languages the sentences are written in, the first the
// default.
var Languages = []string{"zh-CN", "en"}

// words are the phrases of lang (zh-CN for an unknown language).
func words(lang string) map[string]string {
	if w, ok := phrases[lang]; ok {
		return w
	}
	return phrases[Languages[0]]
}

// fill replaces the {name} holes of a phrase by pairs of name and value.
func fill(s string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// value formats a figure: a percentage with one decimal, or points.
func value(w map[string]string, v float64, percent bool) string {
	if percent {
		return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
	}
	return fill(w["points"], "value", strconv.FormatFloat(v, 'f', 1, 64))
}

// target formats a target as value does, without a trailing ".0" (85%,
// not 85.0%: a target is a round number).
func target(w map[string]string, v float64, percent bool) string {
	return strings.Replace(value(w, v, percent), ".0", "", 1)
}

// Sentence writes one figure's sentence in lang.
func Sentence(lang string, f Figure) string {
	w := words(lang)
	place := f.Place
	if place == "" {
		place = w["district"]
	}
	if f.Group != "" {
		place += fill(w["group"], "group", f.Group)
	}
	level := f.Level
	if level == 0 {
		level = 0.95
	}
	kv := []string{
		"place", place, "label", f.Label,
		"est", value(w, f.Est, f.Percent), "lo", value(w, f.Lo, f.Percent), "hi", value(w, f.Hi, f.Percent),
		"level", strconv.FormatFloat(100*level, 'f', -1, 64) + "%",
		"target", target(w, f.Target, f.Percent),
		"n", strconv.FormatInt(f.N, 10), "min", strconv.Itoa(f.MinCell),
	}
	v := Judge(f)
	s := fill(w[string(v)], "head", w["head"])
	s = fill(s, kv...)
	switch v {
	case Below, Straddles, Meets, NoTarget:
		if f.Small {
			s += fill(w["small"], kv...)
		}
		if f.Weakest != nil && !math.IsNaN(f.Weakest.Est) {
			s += fill(w["weakest"], "item", f.Weakest.Label, "value", value(w, f.Weakest.Est, f.Weakest.Percent))
		}
	}
	return s + w["end"]
}

// StreetsSentence writes the count of streets by verdict in lang ("" when
// there are no streets).
func StreetsSentence(lang string, s Streets) string {
	if s.Total == 0 {
		return ""
	}
	w := words(lang)
	var parts []string
	add := func(key string, names []string, list bool) {
		if len(names) == 0 {
			return
		}
		kv := []string{"count", strconv.Itoa(len(names))}
		if list {
			kv = append(kv, "names", strings.Join(names, w["streets.names"]))
		}
		parts = append(parts, fill(w[key], kv...))
	}
	add("streets.below", s.Below, true)
	add("streets.straddle", s.Straddles, false)
	add("streets.meets", s.Meets, false)
	add("streets.toofew", s.TooFew, false)
	if len(parts) == 0 {
		return ""
	}
	return fill(w["streets"], "label", s.Label, "total", strconv.Itoa(s.Total)) + strings.Join(parts, w["streets.sep"]) + w["end"]
}

// Write writes a summary's sentences in lang: the simulated data and
// interim notes first, then one sentence a figure, then the streets.
func Write(lang string, s Summary) []string {
	w := words(lang)
	var out []string
	if s.Simulated {
		out = append(out, w["simulated"])
	}
	if s.Interim {
		out = append(out, w["interim"])
	}
	for _, f := range s.Figures {
		out = append(out, Sentence(lang, f))
	}
	if s.Streets != nil {
		if t := StreetsSentence(lang, *s.Streets); t != "" {
			out = append(out, t)
		}
	}
	return out
}
