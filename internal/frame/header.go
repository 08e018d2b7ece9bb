package frame

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeHeader folds a header name for matching: BOM and surrounding space
// removed, lower case, runs of ' ', '_', '-' and full-width spaces turned into
// one ' '.
func normalizeHeader(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == '_' || r == '-' || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// aliasRank maps a normalised alias to its field and preference (lower is
// preferred).
var aliasRank = func() map[string]struct {
	field Field
	rank  int
} {
	m := make(map[string]struct {
		field Field
		rank  int
	})
	for _, f := range Fields {
		for i, a := range Aliases[f] {
			k := normalizeHeader(a)
			if _, dup := m[k]; !dup {
				m[k] = struct {
					field Field
					rank  int
				}{f, i}
			}
		}
	}
	return m
}()

// layout says where each field is in a row.
type layout struct {
	header []string         // original header names
	col    map[Field]int    // field → column index
	attrs  []int            // columns kept as attributes, in header order
	keys   []string         // attribute key per column (header name, or "column N")
	named  map[Field]string // field → header name, for Reader.Columns
}

// resolve maps a candidate header row to fields. It returns the layout and
// the required fields that it could not find; explicit mappings that name a
// missing column are reported in missing too.
func resolve(header []string, m Mapping) (*layout, []Field) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normalizeHeader(h)
	}
	l := &layout{
		header: append([]string(nil), header...),
		col:    make(map[Field]int, len(Fields)),
		named:  make(map[Field]string, len(Fields)),
	}
	used := make([]bool, len(header))
	var missing []Field
	// Explicit mappings first, so that aliases cannot take their columns.
	for _, f := range Fields {
		name, ok := m[f]
		if !ok || strings.TrimSpace(name) == "" {
			continue
		}
		want := normalizeHeader(name)
		found := false
		for i, n := range norm {
			if n == want && !used[i] {
				l.col[f], used[i], found = i, true, true
				break
			}
		}
		if !found {
			missing = append(missing, f)
		}
	}
	// Then aliases, each field taking its most preferred column.
	for _, f := range Fields {
		if _, ok := l.col[f]; ok {
			continue
		}
		if _, explicit := m[f]; explicit && strings.TrimSpace(m[f]) != "" {
			continue // reported as missing above
		}
		best, bestRank := -1, 0
		for i, n := range norm {
			a, ok := aliasRank[n]
			if !ok || a.field != f || used[i] {
				continue
			}
			if best < 0 || a.rank < bestRank {
				best, bestRank = i, a.rank
			}
		}
		if best >= 0 {
			l.col[f], used[best] = best, true
		} else if f.Required() {
			missing = append(missing, f)
		}
	}
	for f, i := range l.col {
		l.named[f] = strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF"))
	}
	l.keys = make([]string, len(header))
	for i, h := range header {
		if used[i] {
			continue
		}
		k := strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if k == "" {
			k = fmt.Sprintf("column %d", i+1)
		}
		l.keys[i] = k
		l.attrs = append(l.attrs, i)
	}
	return l, missing
}

// missingMessage explains which required columns a header lacks.
func missingMessage(f Field, m Mapping) string {
	if name, ok := m[f]; ok && strings.TrimSpace(name) != "" {
		return fmt.Sprintf("column %q mapped to %s is not in the header", name, f.label())
	}
	zh, en := Aliases[f][0], ""
	for _, a := range Aliases[f] {
		if a[0] < utf8.RuneSelf {
			en = a
			break
		}
	}
	return fmt.Sprintf("missing required column %s: no header named %q, %q or a similar name", f.label(), zh, en)
}
