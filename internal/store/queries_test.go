package store

import (
	"strings"
	"testing"
)

// TestNamedQueries: every query file of both dialects parses, and the
// parser refuses what would bind arguments to the wrong placeholders.
func TestNamedQueries(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres} {
		if _, _, err := loadQueries(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	for name, tt := range map[string]struct{ text, err string }{
		"question mark in a comment": {"-- name: q\n-- is x = ? here\nSELECT 1 WHERE x = ?\n", "a ? in a comment"},
		"defined twice":              {"-- name: q\nSELECT 1\n-- name: q\nSELECT 2\n", "defined twice"},
		"empty":                      {"-- name: q\n\n-- name: r\nSELECT 1\n", "is empty"},
		"SQL before a name":          {"SELECT 1\n", "before the first"},
	} {
		if _, err := parseNamedQueries("f.sql", tt.text); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err = %v, want %q", name, err, tt.err)
		}
	}
	qs, err := parseNamedQueries("f.sql", "-- name: q\n-- a comment kept\nSELECT ?\n")
	if err != nil || qs["q"] != "-- a comment kept\nSELECT ?" {
		t.Errorf("parsed %q, %v", qs, err)
	}
}
