package results

import (
	"cmp"
	"context"

	"github.com/minyi-survey/minyi/internal/store"
)

// places is the district's order of streets and communities (the
// register's, or the one the administrator set on /registers): every
// report lists its domains in it, so that tables, charts and exports
// agree. It changes only the order of the domains, never an estimate.
type places struct {
	street, community map[int64]int
	byName            map[communityKey]int // communities by street and community name
}

// placesOf reads the district's order.
func placesOf(ctx context.Context, db *store.DB) (*places, error) {
	ss, err := db.Streets(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := db.Communities(ctx)
	if err != nil {
		return nil, err
	}
	p := &places{street: make(map[int64]int, len(ss)), community: make(map[int64]int, len(cs)), byName: make(map[communityKey]int, len(cs))}
	name := make(map[int64]string, len(ss))
	for i, s := range ss {
		p.street[s.ID], name[s.ID] = i, s.Name
	}
	for i, c := range cs { // in street order, then community order
		p.community[c.ID] = i
		p.byName[communityKey{name[c.StreetID], c.Name}] = i
	}
	return p, nil
}

// rank returns a domain's place for a breakdown (street or community);
// ids it does not know go last, by id.
func (p *places) rank(by string, id int64) int {
	if p == nil {
		return 0
	}
	m := p.street
	if by == "community" {
		m = p.community
	}
	if r, ok := m[id]; ok {
		return r
	}
	return len(m)
}

// compare orders two domain ids of a breakdown by their place, then id.
func (p *places) compare(by string, a, b int64) int {
	return cmp.Or(cmp.Compare(p.rank(by, a), p.rank(by, b)), cmp.Compare(a, b))
}

// nameRank returns a community's place by its street's and its own name;
// unknown ones go last.
func (p *places) nameRank(k communityKey) int {
	if r, ok := p.byName[k]; ok {
		return r
	}
	return len(p.byName)
}
