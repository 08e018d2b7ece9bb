package fieldwork

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // so that the default "Asia/Shanghai" loads on machines without a zoneinfo database

	"gopkg.in/yaml.v3"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// The approval modes of a replacement.
const (
	ApprovalSupervisor = "supervisor" // a supervisor releases each replacement
	ApprovalAutomatic  = "automatic"  // the replacement is released at once
)

// DefaultTimeZone is the time zone of a rule that names none where the
// district's zone is not known (ParseRule, DefaultRule; a round takes the
// district's, ParseRuleIn).
const DefaultTimeZone = "Asia/Shanghai"

// MaxRuleSize is the largest rule file ParseRule accepts, in bytes.
const MaxRuleSize = 64 << 10

// Rule is a round's fieldwork rule: when an assignment counts as a final
// non-contact, which final dispositions release a reserve household, and
// the thresholds of the quality checks. Obtain it from DefaultRule or
// ParseRule, or build it in Go and call Validate.
type Rule struct {
	// Attempts is the least number of unsuccessful attempts (no_one_home,
	// appointment, other) before a non-contact is final; 1..20, default 3.
	Attempts int `json:"attempts" yaml:"attempts"`
	// Days is the least number of distinct local days those attempts fall
	// on; 1..Attempts, default 2.
	Days int `json:"days" yaml:"days"`
	// Evening is the least number of those attempts started at or after
	// EveningFrom local time; 0..Attempts, default 1.
	Evening int `json:"evening" yaml:"evening"`
	// EveningFrom is the start of the evening, "HH:MM" local time; default
	// "18:00".
	EveningFrom string `json:"evening_from" yaml:"evening_from"`
	// The On… flags say which final dispositions release a reserve
	// household. Defaults: true, true, false, false.
	OnNonContact  bool `json:"on_non_contact" yaml:"on_non_contact"`
	OnRefusal     bool `json:"on_refusal" yaml:"on_refusal"`
	OnNotEligible bool `json:"on_not_eligible" yaml:"on_not_eligible"`
	OnOther       bool `json:"on_other" yaml:"on_other"`
	// Approval is ApprovalSupervisor (the default) or ApprovalAutomatic.
	Approval string `json:"approval" yaml:"approval"`
	// TimeZone is the IANA name of the zone that local days and the evening
	// are counted in; default the district's (ParseRuleIn, DefaultRuleIn),
	// else DefaultTimeZone.
	TimeZone string  `json:"time_zone" yaml:"time_zone"`
	Quality  Quality `json:"quality" yaml:"quality"`
}

// DefaultRule returns the default rule: final non-contact after 3
// unsuccessful attempts on 2 days, 1 of them in the evening (from 18:00
// Beijing time); a replacement for non-contact and refusal, released by a
// supervisor; the default quality thresholds.
//
// A household found not eligible is not replaced by default. In AAPOR's
// terms (Standard Definitions, 2023) it is no non-response: it is outside
// the population, and the rate of such households among those reached (e)
// is what the weighting uses for the households never reached. A reserve
// released for it does not stand in for a non-respondent; it enlarges its
// community's sample, and the weighting then treats it so (package
// weighting), but replacing them spends reserves and interviewer time to
// no gain in precision that a larger sample would not give.
func DefaultRule() Rule { return DefaultRuleIn(DefaultTimeZone) }

// DefaultRuleIn is DefaultRule counting days and the evening in zone, the
// district's time zone (an IANA name; "" is DefaultTimeZone). A round
// stores the zone in its rule, so that a later change of the district's
// setting does not change how its visits were judged.
func DefaultRuleIn(zone string) Rule {
	if zone == "" {
		zone = DefaultTimeZone
	}
	return Rule{
		Attempts:      3,
		Days:          2,
		Evening:       1,
		EveningFrom:   "18:00",
		OnNonContact:  true,
		OnRefusal:     true,
		OnNotEligible: false,
		OnOther:       false,
		Approval:      ApprovalSupervisor,
		TimeZone:      zone,
		Quality:       DefaultQuality(),
	}
}

// DefaultQuality returns the default quality thresholds.
func DefaultQuality() Quality {
	return Quality{MinDurationSeconds: 0, GPSMaxMeters: 500, StraightLineItems: 4}
}

// The ranges of the numbers in a rule.
const (
	maxAttempts          = 20
	maxMinDuration       = 24 * 60 * 60
	minGPSMeters         = 10
	maxGPSMeters         = 100000
	minStraightLineItems = 2
	maxStraightLineItems = 200
)

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

// Validate checks every value of the rule: numbers in range, EveningFrom
// a clock time, Approval known, TimeZone loadable. Use it for a rule built
// in Go or read back from JSON in the database. The error is apperr.Invalid
// with a message per key (nested keys as "quality.gps_max_meters").
func (r Rule) Validate() error {
	if probs := r.problems(); len(probs) > 0 {
		return apperr.WithFields("invalid fieldwork rule", probs)
	}
	return nil
}

// problems returns what is wrong with r, keyed by YAML key. Each message
// is a format of the message catalog (internal/msgs), so that it is said
// in the reader's language.
func (r Rule) problems() map[string]string {
	problems := map[string]string{}
	between := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			problems[key] = fmt.Sprintf("must be between %d and %d, got %d", lo, hi, v)
		}
	}
	between("attempts", r.Attempts, 1, maxAttempts)
	// Days and evening attempts are bounded by attempts; when attempts is
	// itself out of range, by its largest value.
	for key, v := range map[string]int{"days": r.Days, "evening": r.Evening} {
		lo := 1
		if key == "evening" {
			lo = 0
		}
		switch {
		case r.Attempts < 1 || r.Attempts > maxAttempts:
			between(key, v, lo, maxAttempts)
		case v < lo || v > r.Attempts:
			problems[key] = fmt.Sprintf("must be between %d and attempts (%d), got %d", lo, r.Attempts, v)
		}
	}
	if !clockRE.MatchString(r.EveningFrom) {
		problems["evening_from"] = fmt.Sprintf("must be a time of day as HH:MM between 00:00 and 23:59, got %q", r.EveningFrom)
	}
	if r.Approval != ApprovalSupervisor && r.Approval != ApprovalAutomatic {
		problems["approval"] = fmt.Sprintf("must be %q or %q, got %q", ApprovalSupervisor, ApprovalAutomatic, r.Approval)
	}
	if r.TimeZone == "" || r.TimeZone == "Local" {
		problems["time_zone"] = fmt.Sprintf("must be an IANA time zone name such as %q, got %q", DefaultTimeZone, r.TimeZone)
	} else if _, err := loadLocation(r.TimeZone); err != nil {
		problems["time_zone"] = fmt.Sprintf("unknown time zone %q; use an IANA name such as %q", r.TimeZone, DefaultTimeZone)
	}
	q := r.Quality
	between("quality.min_duration_seconds", q.MinDurationSeconds, 0, maxMinDuration)
	if g := q.GPSMaxMeters; math.IsNaN(g) || g < minGPSMeters || g > maxGPSMeters {
		problems["quality.gps_max_meters"] = fmt.Sprintf("must be between %d and %d, got %v", minGPSMeters, maxGPSMeters, g)
	}
	between("quality.straight_line_items", q.StraightLineItems, minStraightLineItems, maxStraightLineItems)
	return problems
}

// Location returns the rule's time zone. A rule whose zone does not load
// (one that fails Validate) gets DefaultTimeZone.
func (r Rule) Location() *time.Location {
	if loc, err := loadLocation(r.TimeZone); err == nil {
		return loc
	}
	loc, _ := loadLocation(DefaultTimeZone)
	return loc
}

// eveningMinute returns EveningFrom as minutes after midnight, or 18:00 for
// a malformed value.
func (r Rule) eveningMinute() int {
	m := clockRE.FindStringSubmatch(r.EveningFrom)
	if m == nil {
		return 18 * 60
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return h*60 + mm
}

// locations caches loaded zones: Assess runs once per assignment and
// time.LoadLocation reads the zone database every time.
var locations sync.Map // string → *time.Location

// loadLocation loads an IANA zone. Unlike time.LoadLocation it refuses ""
// and "Local", which would make counting days depend on the server.
func loadLocation(name string) (*time.Location, error) {
	if v, ok := locations.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, errors.New("not an IANA time zone name")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// ParseRule is ParseRuleIn with DefaultTimeZone.
func ParseRule(data []byte) (Rule, error) { return ParseRuleIn(data, DefaultTimeZone) }

// ParseRuleIn reads a rule file: YAML, or JSON (which is YAML). Keys left out
// keep their DefaultRule value; a key given explicitly keeps its value even
// when it is false or 0. Unknown keys, duplicate keys, null values and
// values of the wrong type are errors naming the key and its line, and the
// result must pass Validate. An empty file gives DefaultRuleIn(zone); a
// file without time_zone counts days in zone, the district's.
//
// The error is apperr.Invalid with a message per key, each starting with
// its line ("line 3: must be between 1 and 20, got 25").
func ParseRuleIn(data []byte, zone string) (Rule, error) {
	if len(data) > MaxRuleSize {
		return Rule{}, apperr.New(apperr.Invalid, "fieldwork rule is larger than %d bytes", MaxRuleSize)
	}
	root, err := parseYAML(data)
	if err != nil {
		return Rule{}, err
	}
	r := DefaultRuleIn(zone)
	if root == nil {
		return r, nil
	}
	d := ruleDecoder{probs: map[string]string{}, lines: map[string]int{}}
	d.mapping(root, "", ruleFields(&r))
	// Range checks only for keys that decoded; a key that failed to decode
	// already has its message.
	for key, msg := range r.problems() {
		if _, failed := d.probs[key]; failed {
			continue
		}
		line, given := d.lines[key]
		if !given { // e.g. days left at 2 while attempts is 1
			d.add(key, line, fmt.Sprintf("%s (the default; give %s explicitly)", msg, key))
			continue
		}
		d.add(key, line, msg)
	}
	if len(d.probs) > 0 {
		return Rule{}, apperr.WithFields("invalid fieldwork rule", d.probs)
	}
	return r, nil
}

// parseYAML parses the single document of data; nil for an empty document
// or null. It turns a panic of the YAML library into an error: the input
// comes from users.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			root, err = nil, apperr.New(apperr.Invalid, "fieldwork rule: cannot parse YAML")
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, apperr.New(apperr.Invalid, "fieldwork rule: %s", yamlSyntax(err))
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, apperr.New(apperr.Invalid, "fieldwork rule: only one YAML document is allowed")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, nil
	}
	return n, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserErrors are yaml.v3 parser (not scanner) messages, for which it
// reports the 0-based line of the enclosing construct, and no line at all
// for the first line. Kept in step with questionnaire's syntaxProblem.
var yamlParserErrors = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected key",
	"did not find expected node content",
}

// yamlSyntax renders a yaml.v3 syntax error as "line N: message" with a
// 1-based line.
func yamlSyntax(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if line == 0 || slices.Contains(yamlParserErrors, msg) {
		line++
	}
	return fmt.Sprintf("line %d: %s", line, msg)
}

// field is one key of a rule file and where its value goes.
type field struct {
	key    string
	target any // *int, *float64, *bool, *string, or []field for a mapping
}

func ruleFields(r *Rule) []field {
	q := &r.Quality
	return []field{
		{"attempts", &r.Attempts},
		{"days", &r.Days},
		{"evening", &r.Evening},
		{"evening_from", &r.EveningFrom},
		{"on_non_contact", &r.OnNonContact},
		{"on_refusal", &r.OnRefusal},
		{"on_not_eligible", &r.OnNotEligible},
		{"on_other", &r.OnOther},
		{"approval", &r.Approval},
		{"time_zone", &r.TimeZone},
		{"quality", []field{
			{"min_duration_seconds", &q.MinDurationSeconds},
			{"gps_max_meters", &q.GPSMaxMeters},
			{"straight_line_items", &q.StraightLineItems},
		}},
	}
}

// ruleDecoder decodes a rule key by key, so that every problem names its
// key and line even in one-line JSON. (yaml.Decoder.KnownFields reports
// unknown keys by line only, and yaml.v3 silently truncates 3.5 to 3 for
// an int field, so the decoding is done here with strict types.)
type ruleDecoder struct {
	probs map[string]string // key path → "line N: message"
	lines map[string]int    // key path → line of its key
}

func (d *ruleDecoder) add(key string, line int, msg string) {
	if _, dup := d.probs[key]; dup {
		return
	}
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	d.probs[key] = msg
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func (d *ruleDecoder) mapping(n *yaml.Node, prefix string, fields []field) {
	if n.Kind != yaml.MappingNode {
		key := prefix
		if key == "" {
			key = "rule"
		}
		d.add(key, n.Line, "must be a mapping of keys to values, got "+describe(n))
		return
	}
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.key
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		path := join(prefix, name)
		if k.Kind != yaml.ScalarNode {
			d.add(join(prefix, "?"), k.Line, "keys must be plain names")
			continue
		}
		if first, dup := seen[name]; dup {
			d.add(path, k.Line, fmt.Sprintf("given twice (first at line %d)", first))
			continue
		}
		seen[name] = k.Line
		d.lines[path] = k.Line
		var f *field
		for j := range fields {
			if fields[j].key == name {
				f = &fields[j]
			}
		}
		if f == nil {
			d.add(path, k.Line, fmt.Sprintf("unknown key %q; known keys are %s", name, strings.Join(known, ", ")))
			continue
		}
		if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
			d.add(path, k.Line, "has no value; leave the key out to take the default")
			continue
		}
		d.value(v, f.target, path, k.Line)
	}
}

// value stores v in target, or records what is wrong at path (its key
// on line).
func (d *ruleDecoder) value(v *yaml.Node, target any, path string, line int) {
	switch t := target.(type) {
	case []field:
		d.mapping(v, path, t)
	case *int:
		f, ok := number(v)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			d.add(path, line, "must be a whole number, got "+describe(v))
			return
		}
		*t = int(f)
	case *float64:
		f, ok := number(v)
		if !ok {
			d.add(path, line, "must be a number, got "+describe(v))
			return
		}
		*t = f
	case *bool:
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(t) != nil {
			d.add(path, line, "must be true or false, got "+describe(v))
		}
	case *string:
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			d.add(path, line, "must be text, got "+describe(v))
			return
		}
		*t = v.Value
	}
}

// number reads an !!int or !!float scalar.
func number(v *yaml.Node) (float64, bool) {
	if v.Kind != yaml.ScalarNode {
		return 0, false
	}
	switch v.ShortTag() {
	case "!!int":
		var i int64
		if err := v.Decode(&i); err != nil {
			return 0, false
		}
		return float64(i), true
	case "!!float":
		var f float64
		if err := v.Decode(&f); err != nil {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// describe names a node's value for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	s := n.Value
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}
