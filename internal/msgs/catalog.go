// Package msgs gives every message minyi shows a person a stable code and
// its text in each interface language.
//
// The source says its messages in English, as format strings
// (apperr.New(apperr.NotFound, "round %q not found", id)). The catalog,
// web/messages/<lang>.json, names each format with a code
// ("round_not_found") and says it in every language, with the same verbs
// (in another order with explicit indexes: "%[2]s 的 %[1]s"). A message is
// localised by finding the format it was made from: each format is a
// pattern whose verbs capture the parameters, which are localised in turn
// when they are messages themselves ("nothing was imported from x: …").
// So a call site stays one line of English, and a test
// (TestEveryMessageInCatalog) finds every format in the source and fails
// when the catalog lacks one.
package msgs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/minyi-survey/minyi/web"
)

// Languages are the catalog's languages; English is the source's.
var Languages = web.Languages

// untranslated marks a catalog text no one has translated yet: a test
// fails while one is left.
const untranslated = "(untranslated) "

// verbRE matches a fmt verb: flags, an explicit argument index, width,
// precision, the verb.
var verbRE = regexp.MustCompile(`%(?:[-+# 0]*)(?:\[(\d+)\])?(?:\d+)?(?:\.\d+)?([a-zA-Z%])`)

// Text is a message localised: its code (empty when the catalog has no
// format it was made from: then Text is the English as it came), its
// parameters as the source gave them, and the text.
type Text struct {
	Code   string   `json:"code,omitempty"`
	Params []string `json:"params,omitempty"`
	Text   string   `json:"-"`
}

// Catalog holds the formats of every language and the patterns that
// recognise an English message.
type Catalog struct {
	formats  map[string]map[string]string // lang → code → format
	patterns []pattern                    // most literal text first
	byFormat map[string]string            // English format → code
}

type pattern struct {
	code string
	re   *regexp.Regexp
	// quoted says, for each parameter, whether it was %q (its capture
	// has the quotes, which Params leaves out).
	quoted []bool
}

// Load reads the catalog of every language and checks it: the same codes
// in each, the same verbs in each language's format of a code, and no
// English format twice.
func Load() (*Catalog, error) {
	c := &Catalog{formats: map[string]map[string]string{}, byFormat: map[string]string{}}
	for _, lang := range Languages {
		b, err := web.Messages(lang)
		if err != nil {
			return nil, fmt.Errorf("messages of %s: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web/messages/%s.json: %w", lang, err)
		}
		c.formats[lang] = m
	}
	en := c.formats["en"]
	for _, lang := range Languages {
		for code, f := range c.formats[lang] {
			e, ok := en[code]
			if !ok {
				return nil, fmt.Errorf("web/messages/%s.json: %s is not in en.json", lang, code)
			}
			if got, want := verbCount(f), verbCount(e); got != want {
				return nil, fmt.Errorf("web/messages/%s.json: %s has %d parameters, en.json's %d", lang, code, got, want)
			}
		}
		for code := range en {
			if _, ok := c.formats[lang][code]; !ok {
				return nil, fmt.Errorf("web/messages/%s.json lacks %s (%q)", lang, code, en[code])
			}
		}
	}
	codes := make([]string, 0, len(en))
	for code, f := range en {
		if other, dup := c.byFormat[f]; dup {
			return nil, fmt.Errorf("web/messages/en.json: %s and %s are both %q", code, other, f)
		}
		c.byFormat[f] = code
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		re, quoted := compile(en[code])
		c.patterns = append(c.patterns, pattern{code: code, re: re, quoted: quoted})
	}
	// The most specific first: a format with more literal text wins over
	// one that would take the same message with a %s.
	slices.SortStableFunc(c.patterns, func(a, b pattern) int {
		return literalLen(en[b.code]) - literalLen(en[a.code])
	})
	return c, nil
}

// Default is the catalog embedded in the binary, loaded once; a catalog
// that does not load is a bug that tests catch, so it panics.
var Default = sync.OnceValue(func() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
})

func (c *Catalog) has(format string) bool { _, ok := c.byFormat[format]; return ok }

// verbCount counts the arguments a format takes.
func verbCount(f string) int {
	n, next := 0, 0
	for _, m := range verbRE.FindAllStringSubmatch(f, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			next, _ = strconv.Atoi(m[1])
		} else {
			next++
		}
		n = max(n, next)
	}
	return n
}

func literalLen(f string) int { return len(verbRE.ReplaceAllString(f, "")) }

// compile turns an English format into a pattern matching what it makes.
func compile(f string) (*regexp.Regexp, []bool) {
	var b strings.Builder
	var quoted []bool
	b.WriteString(`^`)
	last := 0
	for _, m := range verbRE.FindAllStringSubmatchIndex(f, -1) {
		b.WriteString(regexp.QuoteMeta(f[last:m[0]]))
		last = m[1]
		switch verb := f[m[4]:m[5]]; verb {
		case "%":
			b.WriteString(`%`)
			continue
		case "q":
			b.WriteString(`("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)
			quoted = append(quoted, true)
		case "d":
			b.WriteString(`(-?\d+)`)
			quoted = append(quoted, false)
		case "g", "f", "e":
			b.WriteString(`([-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|NaN|Inf))`)
			quoted = append(quoted, false)
		default: // s, v and the rest
			b.WriteString(`((?s:.+?))`)
			quoted = append(quoted, false)
		}
	}
	b.WriteString(regexp.QuoteMeta(f[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String()), quoted
}

// Localize says an English message in lang. A message the catalog does
// not know stays as it is, without a code.
func (c *Catalog) Localize(msg, lang string) Text {
	return c.localize(msg, lang, 0)
}

func (c *Catalog) localize(msg, lang string, depth int) Text {
	t := Text{Text: msg}
	if msg == "" || depth > 3 {
		return t
	}
	for _, p := range c.patterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		t.Code = p.code
		args := make([]any, len(m)-1)
		for i, s := range m[1:] {
			if p.quoted[i] {
				if u, err := strconv.Unquote(s); err == nil {
					t.Params = append(t.Params, u)
				} else {
					t.Params = append(t.Params, s)
				}
				args[i] = s
				continue
			}
			t.Params = append(t.Params, s)
			// A parameter that is a message itself is said in lang too.
			args[i] = c.localize(s, lang, depth+1).Text
		}
		if lang == "en" {
			t.Text = fmt.Sprintf(asStrings(c.formats["en"][p.code]), args...)
			return t
		}
		t.Text = fmt.Sprintf(asStrings(c.formats[lang][p.code]), args...)
		return t
	}
	return t
}

// asStrings turns every verb of a format into %s, keeping its explicit
// index: the parameters are the English message's text.
func asStrings(f string) string {
	return verbRE.ReplaceAllStringFunc(f, func(v string) string {
		m := verbRE.FindStringSubmatch(v)
		if m[2] == "%" {
			return v
		}
		if m[1] != "" {
			return "%[" + m[1] + "]s"
		}
		return "%s"
	})
}

// Message localises a message as Localize does and returns its text.
func Message(msg, lang string) string { return Default().Localize(msg, lang).Text }
