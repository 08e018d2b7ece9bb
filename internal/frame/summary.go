package frame

import "strings"

// Summary counts what a frame holds.
type Summary struct {
	Households  int `json:"households"`
	Communities int `json:"communities"`
	Streets     int `json:"streets"`
	// ByStreet has one entry per street, in order of first appearance.
	ByStreet []StreetSummary `json:"by_street"`
}

// StreetSummary counts the communities and households of one street.
type StreetSummary struct {
	Street      string `json:"street"`
	Communities int    `json:"communities"`
	Households  int    `json:"households"`
}

// Tally counts households, communities and streets as rows stream past. Its
// memory grows with the number of communities, not of households. The zero
// value is ready to use.
type Tally struct {
	streets     map[string]int32
	communities map[communityKey]int32
	byStreet    []StreetSummary
	streetIndex []int32 // community index → street index
	households  int

	// Cache of the last community: registers are usually sorted, so most
	// rows repeat the previous row's street and community.
	lastStreet, lastCommunity string
	lastIndex                 int32
}

type communityKey struct {
	street    int32
	community string
}

// Add counts one household.
func (t *Tally) Add(r Row) { t.count(t.intern(r.Street, r.Community)) }

// count adds a household to the community with dense index c.
func (t *Tally) count(c int32) {
	t.households++
	t.byStreet[t.streetIndex[c]].Households++
}

// intern returns the dense index of a community, adding it (with no
// households yet) when it is new.
func (t *Tally) intern(street, community string) int32 {
	if t.streets != nil && street == t.lastStreet && community == t.lastCommunity {
		return t.lastIndex
	}
	if t.streets == nil {
		t.streets = make(map[string]int32)
		t.communities = make(map[communityKey]int32)
	}
	s, ok := t.streets[street]
	if !ok {
		street = strings.Clone(street)
		s = int32(len(t.byStreet))
		t.streets[street] = s
		t.byStreet = append(t.byStreet, StreetSummary{Street: street})
	}
	k := communityKey{s, community}
	c, ok := t.communities[k]
	if !ok {
		k.community = strings.Clone(community)
		c = int32(len(t.streetIndex))
		t.communities[k] = c
		t.streetIndex = append(t.streetIndex, s)
		t.byStreet[s].Communities++
	}
	t.lastStreet, t.lastCommunity, t.lastIndex = t.byStreet[s].Street, strings.Clone(community), c
	return c
}

// Summary returns the counts so far.
func (t *Tally) Summary() Summary {
	return Summary{
		Households:  t.households,
		Communities: len(t.communities),
		Streets:     len(t.byStreet),
		ByStreet:    append([]StreetSummary(nil), t.byStreet...),
	}
}
