package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Funcs are the functions every template may call, beyond html/template's
// own: arithmetic in float64 for the SVG charts, number formatting for
// tables, and dict/list to pass several values to a shared template.
var Funcs = template.FuncMap{
	"add":   func(a, b any) float64 { return num(a) + num(b) },
	"sub":   func(a, b any) float64 { return num(a) - num(b) },
	"mul":   func(a, b any) float64 { return num(a) * num(b) },
	"div":   divide,
	"float": num,
	"int":   func(v any) int { return int(math.Round(num(v))) },
	// fixed formats v with d decimals ("—" for NaN or infinity).
	"fixed": func(d int, v any) string {
		f := num(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "—"
		}
		return strconv.FormatFloat(f, 'f', d, 64)
	},
	// pct formats a proportion as a percentage with d decimals: 0.8534 → 85.3%.
	"pct": func(d int, v any) string {
		f := num(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "—"
		}
		return strconv.FormatFloat(100*f, 'f', d, 64) + "%"
	},
	// bytes writes a size in binary units: 1700000 → "1.6 MiB".
	"bytes": byteSize,
	// thousands writes an integer with thin grouping: 100000 → 100,000.
	"thousands": func(v any) string { return thousands(int64(math.Round(num(v)))) },
	"dict":      dict,
	"list":      func(v ...any) []any { return v },
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"join":     strings.Join,
	"contains": strings.Contains,
	// tr looks a key up in a string table, falling back to the key itself,
	// for keys built from data (a disposition, a flag) that may be new.
	"tr": func(t map[string]string, key string) string {
		if s, ok := t[key]; ok {
			return s
		}
		return key
	},
}

// num converts a template value to float64: any Go number, or a string
// holding one; anything else is NaN.
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// divide is a/b, 0 when b is 0 (a chart's empty scale must not write NaN
// into an SVG attribute).
func divide(a, b any) float64 {
	d := num(b)
	if d == 0 {
		return 0
	}
	return num(a) / d
}

// dict builds a map from key, value pairs, to call a shared template with
// several arguments.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// byteSize writes a number of bytes in binary units, one decimal from KiB
// on: 512 B, 1.5 KiB, 1.6 MiB, 2.0 GiB.
func byteSize(v any) string {
	n := num(v)
	if n < 1024 {
		return strconv.FormatFloat(n, 'f', 0, 64) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	i := -1
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return strconv.FormatFloat(n, 'f', 1, 64) + " " + units[i]
}
