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
	"time"
)

//go:embed templates static i18n messages
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
	loc     *time.Location // the district's zone: every time is shown in it
}

// NewPages parses every template and string table. The strings of a
// language are i18n/<lang>.json and every i18n/<area>.<lang>.json (one file
// per part of the interface, so the parts grow apart without conflicts); a
// key in two files, or missing in one language, is an error, so the tables
// stay in step. The pages are templates/*.html (the shared ones: login,
// error) and templates/<face>/*.html, one folder per face of the interface
// (office, street, dashboard, design); a page is named by its file name
// alone, which must be unique. Every page is parsed with layout.html and
// the partials: templates/partials (shared, the SVG charts) and each
// face's templates/<face>/partials.
func NewPages() (*Pages, error) {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil {
		return nil, err
	}
	return NewPagesIn(loc)
}

// NewPagesIn is NewPages for a district in time zone loc: the pages show
// every time in it (timeFuncs) and name it once.
func NewPagesIn(loc *time.Location) (*Pages, error) {
	p := &Pages{pages: map[string]*template.Template{}, strings: map[string]map[string]string{}, raw: map[string][]byte{}, loc: loc}
	zoneFuncs := timeFuncs(loc)
	names, err := fs.Glob(files, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		m := map[string]string{}
		for _, name := range names {
			base := strings.TrimSuffix(path.Base(name), ".json")
			if base != lang && !strings.HasSuffix(base, "."+lang) {
				continue
			}
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("web: %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("web: string %q of %s is defined twice (%s and another file)", k, lang, name)
				}
				m[k] = v
			}
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		p.strings[lang], p.raw[lang] = m, raw
	}
	for _, lang := range Languages {
		for k := range p.strings[lang] {
			for _, other := range Languages {
				if _, ok := p.strings[other][k]; !ok {
					return nil, fmt.Errorf("web: string %q of %s is missing in %s", k, lang, other)
				}
			}
		}
	}
	layout, err := files.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(files, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	facePartials, err := fs.Glob(files, "templates/*/partials/*.html")
	if err != nil {
		return nil, err
	}
	partials = append(partials, facePartials...)
	shared, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	faces, err := fs.Glob(files, "templates/*/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range append(shared, faces...) {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || strings.HasPrefix(file, "templates/partials/") {
			continue
		}
		if _, dup := p.pages[name]; dup {
			return nil, fmt.Errorf("web: two pages are named %s (%s and another)", name, file)
		}
		body, err := files.ReadFile(file)
		if err != nil {
			return nil, err
		}
		t := template.New(name).Option("missingkey=error").Funcs(Funcs).Funcs(zoneFuncs)
		if _, err := t.Parse(string(layout)); err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		for _, pt := range partials {
			b, err := files.ReadFile(pt)
			if err != nil {
				return nil, err
			}
			if _, err := t.Parse(string(b)); err != nil {
				return nil, fmt.Errorf("web: %s: %w", pt, err)
			}
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("web: %s: %w", file, err)
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
	Nav   []NavItem         // the navigation the user's role may use
	Path  string            // the request's path
	// LangHref is this page in the other language (the query kept).
	LangHref string
	Data     any // the page's own data
}

// NavItem is one entry of the top navigation: a key of T and a path.
type NavItem struct {
	Key, Href string
	Current   bool
}

// Page is one page to render: its template, title and data, and what the
// layout needs of the request.
type Page struct {
	Name, Title string // template name and a key of T
	Lang        string
	User        any
	Nav         []NavItem
	Path        string
	LangHref    string
	Data        any
}

// Render writes a page. It renders to a buffer first so that a
// template error never sends half a page.
func (p *Pages) Render(w io.Writer, pg Page) error {
	t, ok := p.pages[pg.Name]
	if !ok {
		return fmt.Errorf("web: no page %q", pg.Name)
	}
	lang := p.Lang(pg.Lang)
	var buf bytes.Buffer
	d := PageData{Lang: lang, T: p.strings[lang], Title: pg.Title, User: pg.User, Nav: pg.Nav, Path: pg.Path, LangHref: pg.LangHref, Data: pg.Data}
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// Location is the district's time zone the pages show times in.
func (p *Pages) Location() *time.Location { return p.loc }

// Lang returns lang if it is supported, else the default language.
func (p *Pages) Lang(lang string) string {
	if _, ok := p.strings[lang]; ok {
		return lang
	}
	return Languages[0]
}

// Strings returns the string table of lang, for a page that says
// something in words in Go (not to be changed).
func (p *Pages) Strings(lang string) map[string]string { return p.strings[p.Lang(lang)] }

// StringsJSON returns the string table of lang as JSON, for the JavaScript.
func (p *Pages) StringsJSON(lang string) []byte { return p.raw[p.Lang(lang)] }

// Messages returns the catalog of server messages of lang
// (messages/<lang>.json: code → format), read by internal/msgs.
func Messages(lang string) ([]byte, error) { return files.ReadFile("messages/" + lang + ".json") }
