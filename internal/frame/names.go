package frame

import (
	"errors"
	"fmt"
	"strings"

	"github.com/minyi-survey/minyi/internal/textcheck"
)

// names normalises the street and community names of a register and
// refuses two spellings of one place that differ only in case ("Chengguan"
// and "CHENGGUAN"), which would otherwise become two streets. It remembers
// each spelling it has seen, so a name is normalised once per file, not once
// per row.
type names struct {
	seen map[nameKey]string // spelling as in the file → normalised
	fold map[nameKey]folded // case-folded normalised name → first spelling
	// last is the last name asked for and its answer, per field: registers
	// list a community's households together, so most rows repeat it.
	last [numFields]struct{ street, raw, name string }
}

type nameKey struct {
	field  int
	street string // "" for streets; the (normalised) street of a community
	name   string
}

type folded struct {
	name string
	line int
}

// name returns the normalised name of a street (field iStreet) or of a
// community (iCommunity) of street, or why it is refused.
func (ns *names) name(field int, street, raw string, line int) (string, error) {
	if field == iStreet {
		street = ""
	}
	if l := &ns.last[field]; l.name != "" && l.raw == raw && l.street == street {
		return l.name, nil
	}
	k := nameKey{field, street, raw}
	if n, ok := ns.seen[k]; ok {
		ns.last[field].street, ns.last[field].raw, ns.last[field].name = street, raw, n
		return n, nil
	}
	n, err := textcheck.Name(raw)
	if err != nil {
		return "", err
	}
	if n == "" {
		return "", errors.New("is empty")
	}
	if ns.seen == nil {
		ns.seen, ns.fold = map[nameKey]string{}, map[nameKey]folded{}
	}
	fk := nameKey{field, textcheck.Fold(street), textcheck.Fold(n)}
	if first, ok := ns.fold[fk]; ok && first.name != n {
		return "", fmt.Errorf("%q differs only in case from %q on line %d: write one spelling", n, first.name, first.line)
	} else if !ok {
		ns.fold[fk] = folded{n, line}
	}
	// Clones, so the map does not keep whole lines of the file alive.
	k.street, k.name, n = strings.Clone(street), strings.Clone(raw), strings.Clone(n)
	ns.seen[k] = n
	ns.last[field].street, ns.last[field].raw, ns.last[field].name = k.street, k.name, n
	return n, nil
}
