// Package glossary is the list of the terms the pages explain: the
// glossary page (/help) shows them in their groups, and every page links a
// term where it appears to its entry (the "term" template partial, an
// anchor /help#ID). The words are data: for each term ID, the interface
// strings help.ID.term (its name), help.ID.plain (two or three plain
// sentences for a street director) and help.ID.formula (for analysts), in
// web/i18n/help.<lang>.json; a test checks that every term has all three in
// every language and that every use of the partial names a term.
package glossary

import "slices"

// Group is a heading of the glossary (the string help.group.ID) and its
// terms in order.
type Group struct {
	ID    string
	Terms []string
}

// Groups are the glossary's groups in the order of the page.
var Groups = []Group{
	{"rates", []string{"awareness", "support", "participation", "satisfaction", "composite", "target"}},
	{"figures", []string{"ci", "n", "se", "df", "deff", "neff", "mincell"}},
	{"sample", []string{"frame", "psu", "pps", "weight", "calibration", "replacement", "wor"}},
	{"fieldwork", []string{"dispositions", "rr1", "rr3", "coop1", "ref1", "con1", "flag"}},
	{"model", []string{"model"}},
}

// Parts are the strings each term has: help.ID.<part>.
var Parts = []string{"term", "plain", "formula"}

// Terms returns every term ID in the glossary's order.
func Terms() []string {
	var ids []string
	for _, g := range Groups {
		ids = append(ids, g.Terms...)
	}
	return ids
}

// Has reports whether id is a term of the glossary.
func Has(id string) bool { return slices.Contains(Terms(), id) }
