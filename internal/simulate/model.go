package simulate

import (
	"math"
	"sync"
)

// Trait is the model of one rate indicator's question: the range its
// street levels are drawn from, the spread of community effects, the
// effects of age and sex, and how often the answer is "don't know" or
// "refused" (when the question has such options).
type Trait struct {
	ID string `json:"id"`
	// Low and High bound the street levels, as rates: a street's level is
	// logit of a uniform draw between them.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Sigma is the standard deviation of the community effect on the logit
	// scale.
	Sigma float64 `json:"sigma"`
	// Age is the effect of each adult age group on the logit scale.
	Age [6]float64 `json:"age"`
	// Female is the effect of being a woman (men 0).
	Female   float64 `json:"female"`
	DontKnow float64 `json:"dont_know"`
	Refused  float64 `json:"refused"`
}

// DefaultTraits model the indicators of the standard questionnaire
// (surveys/wenming-household.yaml). Levels sit around the usual targets
// (awareness and support 90 %, participation 80 %, satisfaction 85 %) so
// that some streets fall short; older residents know, support and take
// part more, the young least; markets and public counters are the items
// residents most often cannot judge.
func DefaultTraits() []Trait {
	sat := [6]float64{-0.25, -0.15, 0, 0.05, 0.2, 0.3}
	return []Trait{
		{ID: "awareness", Low: 0.82, High: 0.96, Sigma: 0.5, Age: [6]float64{-0.45, -0.2, 0, 0.2, 0.35, 0.1}, Female: -0.05},
		{ID: "support", Low: 0.86, High: 0.97, Sigma: 0.4, Age: [6]float64{-0.3, -0.15, 0, 0.1, 0.3, 0.35}, Female: 0.05, DontKnow: 0.02, Refused: 0.005},
		{ID: "participation", Low: 0.58, High: 0.88, Sigma: 0.6, Age: [6]float64{-0.2, -0.3, -0.1, 0.1, 0.4, 0.2}, Female: 0.1, Refused: 0.005},
		{ID: "satisfaction", Low: 0.76, High: 0.93, Sigma: 0.5, Age: sat, Female: 0.05, DontKnow: 0.02, Refused: 0.005},
		{ID: "sat_sanitation", Low: 0.78, High: 0.93, Sigma: 0.5, Age: sat, DontKnow: 0.02, Refused: 0.005},
		{ID: "sat_traffic", Low: 0.70, High: 0.88, Sigma: 0.4, Age: sat, Female: -0.05, DontKnow: 0.03, Refused: 0.005},
		{ID: "sat_public_order", Low: 0.75, High: 0.92, Sigma: 0.4, Age: sat, DontKnow: 0.03, Refused: 0.005},
		{ID: "sat_market", Low: 0.68, High: 0.88, Sigma: 0.6, Age: sat, Female: -0.1, DontKnow: 0.08, Refused: 0.005},
		{ID: "sat_facilities", Low: 0.74, High: 0.91, Sigma: 0.5, Age: sat, DontKnow: 0.04, Refused: 0.005},
		{ID: "sat_window", Low: 0.80, High: 0.95, Sigma: 0.3, Age: sat, DontKnow: 0.10, Refused: 0.005},
		{ID: "sat_community", Low: 0.76, High: 0.93, Sigma: 0.7, Age: sat, DontKnow: 0.02, Refused: 0.005},
	}
}

// genericTrait models a rate indicator the model does not know.
func genericTrait(id string) Trait {
	return Trait{ID: id, Low: 0.75, High: 0.92, Sigma: 0.4, DontKnow: 0.02, Refused: 0.005}
}

// Model is the response model of a district: the traits, and the street
// levels and community effects drawn from the seed. Streets and
// communities it does not list get levels and effects drawn from the seed
// and their names, the same as a generated district would give them.
type Model struct {
	Seed uint64 `json:"seed"`
	// Rho is the correlation, on the logit scale, of one community's
	// effects on different traits.
	Rho     float64       `json:"rho"`
	Traits  []Trait       `json:"traits"`
	Streets []StreetModel `json:"streets,omitempty"`

	once  sync.Once
	index map[string]int            // trait id → position
	known map[string]*StreetModel   // by name
	comms map[string]map[string]int // street → community → position
}

// StreetModel is one street's levels (logit scale, by trait) and its
// communities' effects.
type StreetModel struct {
	Name        string             `json:"street"`
	Level       map[string]float64 `json:"level"`
	Communities []CommunityModel   `json:"communities"`
}

// CommunityModel is one community's effects (logit scale, by trait).
type CommunityModel struct {
	Name       string             `json:"community"`
	Households int                `json:"households"`
	Effect     map[string]float64 `json:"effect"`
}

// NewModel returns the model with the default traits for seed.
func NewModel(seed uint64) *Model {
	return &Model{Seed: seed, Rho: 0.5, Traits: DefaultTraits()}
}

func (m *Model) init() {
	m.once.Do(func() {
		m.index = map[string]int{}
		for i, t := range m.Traits {
			m.index[t.ID] = i
		}
		m.known = map[string]*StreetModel{}
		m.comms = map[string]map[string]int{}
		for i := range m.Streets {
			s := &m.Streets[i]
			m.known[s.Name] = s
			m.comms[s.Name] = map[string]int{}
			for j, c := range s.Communities {
				m.comms[s.Name][c.Name] = j
			}
		}
	})
}

// Trait returns the model of the trait with the given id (a generic one
// for an unknown id).
func (m *Model) Trait(id string) Trait {
	m.init()
	if i, ok := m.index[id]; ok {
		return m.Traits[i]
	}
	return genericTrait(id)
}

// drawLevel draws a street's level of a trait from the seed and names.
func (m *Model) drawLevel(street string, t Trait) float64 {
	r := Stream(m.Seed, tagStreet, hashString(street, t.ID))
	return logit(t.Low + (t.High-t.Low)*r.Float64())
}

// drawEffects draws a community's effects on the given traits.
func (m *Model) drawEffects(street, community string, traits []Trait) map[string]float64 {
	r := Stream(m.Seed, tagComm, hashString(street, community))
	z := r.NormFloat64()
	out := make(map[string]float64, len(traits))
	for _, t := range traits {
		e := r.NormFloat64()
		out[t.ID] = t.Sigma * (m.Rho*z + math.Sqrt(1-m.Rho*m.Rho)*e)
	}
	// Traits the model does not list draw from their own streams, so that
	// adding a questionnaire's indicator does not move the others.
	return out
}

// Offsets returns level + community effect of every trait in ids, on the
// logit scale, for a community.
func (m *Model) Offsets(street, community string, ids []string) []float64 {
	m.init()
	out := make([]float64, len(ids))
	s := m.known[street]
	var c *CommunityModel
	if s != nil {
		if j, ok := m.comms[street][community]; ok {
			c = &s.Communities[j]
		}
	}
	var drawn map[string]float64
	for i, id := range ids {
		t := m.Trait(id)
		lvl, ok := 0.0, false
		if s != nil {
			lvl, ok = s.Level[id]
		}
		if !ok {
			lvl = m.drawLevel(street, t)
		}
		eff, ok := 0.0, false
		if c != nil {
			eff, ok = c.Effect[id]
		}
		if !ok {
			if _, known := m.index[id]; known {
				if drawn == nil {
					drawn = m.drawEffects(street, community, m.Traits)
				}
				eff = drawn[id]
			} else {
				eff = m.drawEffects(street, community+"\x00"+id, []Trait{t})[id]
			}
		}
		out[i] = lvl + eff
	}
	return out
}

// Propensity is the probability of a positive answer to trait t for a
// respondent in cell, given the community's offset of t.
func Propensity(t Trait, offset float64, cell int) float64 {
	p := CellPerson(cell)
	x := offset + t.Age[p.Age]
	if p.Sex == Female {
		x += t.Female
	}
	return expit(x)
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }
func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
