package fieldwork

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
)

func TestParseRule(t *testing.T) {
	with := func(f func(*Rule)) Rule {
		r := DefaultRule()
		f(&r)
		return r
	}
	tests := []struct {
		name string
		in   string
		want Rule
	}{
		{"empty file", "", DefaultRule()},
		{"only a comment", "# nothing\n", DefaultRule()},
		{"null document", "~\n", DefaultRule()},
		{"empty JSON object", "{}", DefaultRule()},
		{
			name: "explicit false and 0 are kept, not defaulted",
			in:   "on_refusal: false\non_not_eligible: false\non_non_contact: false\nevening: 0\nquality:\n  min_duration_seconds: 0\n",
			want: with(func(r *Rule) { r.OnRefusal, r.OnNotEligible, r.OnNonContact, r.Evening = false, false, false, 0 }),
		},
		{
			name: "every key",
			in: `attempts: 5
days: 3
evening: 2
evening_from: 17:30
on_non_contact: false
on_refusal: false
on_not_eligible: false
on_other: true
approval: automatic
time_zone: Europe/Berlin
quality:
  min_duration_seconds: 300
  gps_max_meters: 250.5
  straight_line_items: 6
`,
			want: Rule{Attempts: 5, Days: 3, Evening: 2, EveningFrom: "17:30", OnOther: true,
				Approval: ApprovalAutomatic, TimeZone: "Europe/Berlin",
				Quality: Quality{MinDurationSeconds: 300, GPSMaxMeters: 250.5, StraightLineItems: 6}},
		},
		{
			name: "JSON with a partial quality block keeps the other quality defaults",
			in:   `{"attempts": 4, "days": 3, "on_other": true, "quality": {"gps_max_meters": 1000}}`,
			want: with(func(r *Rule) { r.Attempts, r.Days, r.OnOther, r.Quality.GPSMaxMeters = 4, 3, true, 1000 }),
		},
		{
			name: "a whole float is a whole number",
			in:   "attempts: 4.0\n",
			want: with(func(r *Rule) { r.Attempts = 4 }),
		},
		{
			name: "the JSON the Rule marshals to reads back",
			in:   mustJSON(with(func(r *Rule) { r.Attempts, r.OnRefusal, r.Quality.StraightLineItems = 6, false, 5 })),
			want: with(func(r *Rule) { r.Attempts, r.OnRefusal, r.Quality.StraightLineItems = 6, false, 5 }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRule([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseRule: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseRule =\n%+v\nwant\n%+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate of a parsed rule: %v", err)
			}
		})
	}
}

// TestParseRuleIn: a rule that names no time zone takes the district's;
// one that names a zone keeps it.
func TestParseRuleIn(t *testing.T) {
	for _, tt := range []struct{ in, zone, want string }{
		{"", "Asia/Kolkata", "Asia/Kolkata"},
		{"attempts: 4\n", "Asia/Kolkata", "Asia/Kolkata"},
		{`{"attempts": 4}`, "Asia/Kolkata", "Asia/Kolkata"},
		{"time_zone: Asia/Shanghai\n", "Asia/Kolkata", "Asia/Shanghai"},
		{"attempts: 4\n", "", DefaultTimeZone},
	} {
		r, err := ParseRuleIn([]byte(tt.in), tt.zone)
		if err != nil || r.TimeZone != tt.want {
			t.Errorf("ParseRuleIn(%q, %q) = %q, %v; want %q", tt.in, tt.zone, r.TimeZone, err, tt.want)
		}
	}
	if got := DefaultRuleIn("Asia/Kolkata"); got.TimeZone != "Asia/Kolkata" || got.Location().String() != "Asia/Kolkata" {
		t.Errorf("DefaultRuleIn = %+v", got)
	}
	// A district zone that does not load is a problem of time_zone.
	if _, err := ParseRuleIn([]byte("attempts: 4\n"), "Nowhere/Atlantis"); apperr.FieldsOf(err)["time_zone"] == "" {
		t.Errorf("unknown district zone: %v", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// want maps each field that must be reported to a substring of its
		// message; no other field may be reported.
		want map[string]string
	}{
		{"unknown key", "attempts: 3\nattemps: 4\n", map[string]string{"attemps": `line 2: unknown key "attemps"; known keys are attempts, days`}},
		{"unknown nested key", "quality:\n  gps_max: 300\n", map[string]string{"quality.gps_max": `line 2: unknown key "gps_max"; known keys are min_duration_seconds`}},
		{"attempts too large", "attempts: 25\n", map[string]string{"attempts": "line 1: must be between 1 and 20, got 25"}},
		{"attempts 0", "days: 1\nattempts: 0\n", map[string]string{"attempts": "line 2: must be between 1 and 20, got 0"}},
		{"days above attempts", "attempts: 3\ndays: 4\n", map[string]string{"days": "line 2: must be between 1 and attempts (3), got 4"}},
		{"a default out of range for the given attempts", "attempts: 1\n", map[string]string{"days": "must be between 1 and attempts (1), got 2 (the default; give days explicitly)"}},
		{"days 0", "days: 0\n", map[string]string{"days": "line 1: must be between 1 and attempts (3), got 0"}},
		{"evening above attempts", "evening: 4\n", map[string]string{"evening": "line 1: must be between 0 and attempts (3), got 4"}},
		{"evening negative", "evening: -1\n", map[string]string{"evening": "got -1"}},
		{"days with attempts out of range", "attempts: 50\ndays: 30\n", map[string]string{"attempts": "line 1", "days": "line 2: must be between 1 and 20, got 30"}},
		{"evening_from 24:00", `evening_from: "24:00"`, map[string]string{"evening_from": `line 1: must be a time of day as HH:MM between 00:00 and 23:59, got "24:00"`}},
		{"evening_from 6pm", "evening_from: 6pm\n", map[string]string{"evening_from": `got "6pm"`}},
		{"evening_from without a leading zero", "evening_from: 8:00\n", map[string]string{"evening_from": `got "8:00"`}},
		{"evening_from a number", "evening_from: 1800\n", map[string]string{"evening_from": `line 1: must be text, got "1800"`}},
		{"approval unknown", "approval: boss\n", map[string]string{"approval": `line 1: must be "supervisor" or "automatic", got "boss"`}},
		{"time zone unknown", "time_zone: Mars/Olympus\n", map[string]string{"time_zone": `line 1: unknown time zone "Mars/Olympus"`}},
		{"time zone Local", "time_zone: Local\n", map[string]string{"time_zone": "must be an IANA time zone name"}},
		{"time zone empty", `time_zone: ""`, map[string]string{"time_zone": "must be an IANA time zone name"}},
		{"gps too small", "quality:\n  gps_max_meters: 5\n", map[string]string{"quality.gps_max_meters": "line 2: must be between 10 and 100000, got 5"}},
		{"gps too large", "quality: {gps_max_meters: 1e6}\n", map[string]string{"quality.gps_max_meters": "got 1e+06"}},
		{"gps NaN", "quality: {gps_max_meters: .nan}\n", map[string]string{"quality.gps_max_meters": "got NaN"}},
		{"gps a word", "quality: {gps_max_meters: far}\n", map[string]string{"quality.gps_max_meters": `line 1: must be a number, got "far"`}},
		{"straight_line_items 1", "quality:\n  straight_line_items: 1\n", map[string]string{"quality.straight_line_items": "line 2: must be between 2 and 200, got 1"}},
		{"min duration negative", "quality:\n  min_duration_seconds: -5\n", map[string]string{"quality.min_duration_seconds": "must be between 0 and 86400, got -5"}},
		{"min duration too long", "quality:\n  min_duration_seconds: 90000\n", map[string]string{"quality.min_duration_seconds": "got 90000"}},
		{"fractional attempts", "attempts: 3.5\n", map[string]string{"attempts": `line 1: must be a whole number, got "3.5"`}},
		{"quoted attempts", `attempts: "3"`, map[string]string{"attempts": `must be a whole number, got "3"`}},
		{"huge attempts", "attempts: 99999999999999999999\n", map[string]string{"attempts": "must be a whole number"}},
		{"yes is not a boolean", "on_refusal: yes\n", map[string]string{"on_refusal": `line 1: must be true or false, got "yes"`}},
		{"boolean as a number", `{"on_other": 1}`, map[string]string{"on_other": "must be true or false"}},
		{"quality not a mapping", "quality: 3\n", map[string]string{"quality": "line 1: must be a mapping of keys to values, got \"3\""}},
		{"list value", "attempts: [3]\n", map[string]string{"attempts": "must be a whole number, got a list"}},
		{"null value", "attempts:\n", map[string]string{"attempts": "line 1: has no value; leave the key out to take the default"}},
		{"duplicate key", "attempts: 3\ndays: 1\nattempts: 4\n", map[string]string{"attempts": "line 3: given twice (first at line 1)"}},
		{"top level a list", "- attempts: 3\n", map[string]string{"rule": "line 1: must be a mapping of keys to values, got a list"}},
		{
			name: "one-line JSON names every key",
			in:   `{"attempts": 30, "dayz": 2, "quality": {"straight_line_items": 0}}`,
			want: map[string]string{
				"attempts":                    "line 1: must be between 1 and 20, got 30",
				"dayz":                        `line 1: unknown key "dayz"`,
				"quality.straight_line_items": "line 1: must be between 2 and 200, got 0",
			},
		},
		{"type error not range-checked again", "attempts: many\n", map[string]string{"attempts": "must be a whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRule([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseRule accepted it: %+v", r)
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("error is not Invalid: %v", err)
			}
			fields := apperr.FieldsOf(err)
			for key, sub := range tt.want {
				if msg, ok := fields[key]; !ok || !strings.Contains(msg, sub) {
					t.Errorf("field %q = %q, want it to contain %q (all: %v)", key, msg, sub, fields)
				}
			}
			for key, msg := range fields {
				if _, ok := tt.want[key]; !ok {
					t.Errorf("unexpected field %q: %q", key, msg)
				}
			}
			if r != (Rule{}) {
				t.Errorf("ParseRule returned %+v with its error", r)
			}
		})
	}
}

func TestParseRuleFileErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"syntax error", "attempts: 3\ndays: [1\n", "fieldwork rule: line 2"},
		{"bad indentation", "attempts: 3\n  days: 2\n", "fieldwork rule: line 2: mapping values are not allowed"},
		{"two documents", "attempts: 3\n---\ndays: 2\n", "only one YAML document"},
		{"too large", "# " + strings.Repeat("x", MaxRuleSize) + "\n", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRule([]byte(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("error is not Invalid: %v", err)
			}
			if !strings.Contains(apperr.PublicMessage(err), tt.want) {
				t.Errorf("error %q, want it to contain %q", apperr.PublicMessage(err), tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultRule().Validate(); err != nil {
		t.Fatalf("DefaultRule is invalid: %v", err)
	}
	err := Rule{}.Validate()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("zero Rule: %v, want an Invalid error", err)
	}
	// Evening 0 and min_duration_seconds 0 are valid; every other zero is not.
	want := []string{"attempts", "days", "evening_from", "approval", "time_zone", "quality.gps_max_meters", "quality.straight_line_items"}
	fields := apperr.FieldsOf(err)
	for _, k := range want {
		if fields[k] == "" {
			t.Errorf("zero Rule: no message for %s (all: %v)", k, fields)
		}
	}
	if len(fields) != len(want) {
		t.Errorf("zero Rule: %d fields, want %d: %v", len(fields), len(want), fields)
	}
	// A rule read back from JSON stored in the database.
	var r Rule
	if err := json.Unmarshal([]byte(mustJSON(DefaultRule())), &r); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil || r != DefaultRule() {
		t.Errorf("round trip through JSON: %+v, %v", r, err)
	}
}

func TestLocation(t *testing.T) {
	tests := []struct{ zone, want string }{
		{"Asia/Shanghai", "Asia/Shanghai"},
		{"Asia/Urumqi", "Asia/Urumqi"},
		{"UTC", "UTC"},
		{"Nowhere/Atlantis", DefaultTimeZone}, // invalid: falls back
		{"", DefaultTimeZone},
		{"Local", DefaultTimeZone},
	}
	for _, tt := range tests {
		r := DefaultRule()
		r.TimeZone = tt.zone
		if got := r.Location().String(); got != tt.want {
			t.Errorf("Location(%q) = %s, want %s", tt.zone, got, tt.want)
		}
	}
}

func TestEveningMinute(t *testing.T) {
	tests := []struct {
		from string
		want int
	}{{"18:00", 1080}, {"00:00", 0}, {"23:59", 1439}, {"07:05", 425}, {"bad", 1080}}
	for _, tt := range tests {
		if got := (Rule{EveningFrom: tt.from}).eveningMinute(); got != tt.want {
			t.Errorf("eveningMinute(%q) = %d, want %d", tt.from, got, tt.want)
		}
	}
}

// FuzzParseRule: ParseRule never panics, and a rule it accepts validates and
// reads back unchanged from its JSON.
func FuzzParseRule(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("attempts: 4\ndays: 2\nevening: 0\non_other: true\nquality:\n  gps_max_meters: 300\n"))
	f.Add([]byte(`{"attempts": 3, "time_zone": "UTC", "quality": {"straight_line_items": 5}}`))
	f.Add([]byte("quality: &q {gps_max_meters: 100}\nx: *q\n"))
	f.Add([]byte("- [a, {b: c}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRule(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error is not Invalid: %v", err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("accepted a rule that does not validate: %+v: %v", r, err)
		}
		back, err := ParseRule([]byte(mustJSON(r)))
		if err != nil || back != r {
			t.Fatalf("JSON round trip: %+v, %v; want %+v", back, err, r)
		}
	})
}
