// Package web holds minyi's browser side: html/template pages, plain ES
// modules and CSS (no framework, no build step) and the interface strings in
// zh-CN and en, shared by the templates and the JavaScript. All of it is
// embedded in the binary.
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates static i18n
var files embed.FS

// Languages are the interface languages, the first being the default.
var Languages = []string{"zh-CN", "en"}

// Static returns the files served under /static/.
func Static() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}

// Pages renders the page templates in either language.
type Pages struct {
	pages   map[string]*template.Template
	strings map[string]map[string]string
	raw     map[string][]byte
}

// NewPages parses every template and string table; a missing string in one
// language is an error, so the two tables stay in step.
func NewPages() (*Pages, error) {
	p := &Pages{pages: map[string]*template.Template{}, strings: map[string]map[string]string{}, raw: map[string][]byte{}}
	for _, lang := range Languages {
		b, err := files.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: i18n/%s.json: %w", lang, err)
		}
		p.strings[lang], p.raw[lang] = m, b
	}
	for k := range p.strings[Languages[0]] {
		for _, lang := range Languages[1:] {
			if _, ok := p.strings[lang][k]; !ok {
				return nil, fmt.Errorf("web: string %q missing in i18n/%s.json", k, lang)
			}
		}
	}
	layout, err := files.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(files, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" {
			continue
		}
		body, err := files.ReadFile(path.Join("templates", e.Name()))
		if err != nil {
			return nil, err
		}
		t := template.New(name).Option("missingkey=error")
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("web: %s: %w", e.Name(), err)
		}
		p.pages[name] = t
	}
	return p, nil
}

// PageData is what every page template gets.
type PageData struct {
	Lang  string            // zh-CN or en
	T     map[string]string // the interface strings of Lang
	Title string            // a key of T
	User  any               // the logged-in user, or nil
	Data  any               // the page's own data
}

// Render writes page name in lang. It renders to a buffer first so that a
// template error never sends half a page.
func (p *Pages) Render(w io.Writer, name, lang string, user, data any, titleKey string) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	lang = p.Lang(lang)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", PageData{Lang: lang, T: p.strings[lang], Title: titleKey, User: user, Data: data}); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// Lang returns lang if it is supported, else the default language.
func (p *Pages) Lang(lang string) string {
	if _, ok := p.strings[lang]; ok {
		return lang
	}
	return Languages[0]
}

// StringsJSON returns the string table of lang as JSON, for the JavaScript.
func (p *Pages) StringsJSON(lang string) []byte { return p.raw[p.Lang(lang)] }
