package simulate

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
)

// Spec shapes a synthetic district.
type Spec struct {
	Streets     int    // streets, 1..200
	Communities int    // communities per street, 1..200
	Households  int    // mean households per community, 10..20000
	Seed        uint64 // everything follows from it
}

// Limits of a Spec.
const (
	MaxStreets     = 200
	MaxCommunities = 200
	MinHouseholds  = 10
	MaxHouseholds  = 20000
	maxTotal       = 2_000_000 // households in the whole district
)

// Validate range-checks the spec; the error names each bad field.
func (s Spec) Validate() error {
	f := map[string]string{}
	if s.Streets < 1 || s.Streets > MaxStreets {
		f["streets"] = fmt.Sprintf("from 1 to %d", MaxStreets)
	}
	if s.Communities < 1 || s.Communities > MaxCommunities {
		f["communities"] = fmt.Sprintf("from 1 to %d", MaxCommunities)
	}
	if s.Households < MinHouseholds || s.Households > MaxHouseholds {
		f["households"] = fmt.Sprintf("from %d to %d", MinHouseholds, MaxHouseholds)
	}
	if len(f) == 0 && s.Streets*s.Communities*s.Households > maxTotal {
		f["households"] = fmt.Sprintf("streets × communities × households is at most %d", maxTotal)
	}
	if len(f) > 0 {
		return apperr.WithFields("invalid district", f)
	}
	return nil
}

// District is a synthetic district: its streets, communities and
// households, and the model its residents answer from.
type District struct {
	Seed    uint64
	Streets []Street
	Model   *Model
}

// Street is one street of a district.
type Street struct {
	Name        string
	Communities []Community
}

// Community is one community of a street.
type Community struct {
	Name       string
	Households []Household
}

// Households returns the number of households of the district.
func (d *District) Households() int {
	n := 0
	for _, s := range d.Streets {
		for _, c := range s.Communities {
			n += len(c.Households)
		}
	}
	return n
}

// communitySpread is the standard deviation of the log of community sizes:
// with it, about one community in six is under half or over 1.6 times the
// mean, as in a real register.
const communitySpread = 0.45

// Generate makes the district of spec: names, community sizes
// (log-normal around the mean), addresses in buildings (楼栋, 单元, floor
// and door: 3栋2单元501), residents, and the model with every street's
// levels and community's effects recorded.
func Generate(spec Spec) (*District, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	m := NewModel(spec.Seed)
	d := &District{Seed: spec.Seed, Model: m}
	r := Stream(spec.Seed, tagDistrict)
	mu := math.Log(float64(spec.Households)) - communitySpread*communitySpread/2
	k := 0
	for s := range spec.Streets {
		st := Street{Name: streetName(s)}
		sm := StreetModel{Name: st.Name, Level: map[string]float64{}}
		for _, t := range m.Traits {
			sm.Level[t.ID] = m.drawLevel(st.Name, t)
		}
		for range spec.Communities {
			c := Community{Name: communityName(k)}
			k++
			n := int(math.Round(math.Exp(mu + communitySpread*r.NormFloat64())))
			n = min(max(n, MinHouseholds), 5*spec.Households)
			c.Households = addresses(r.IntN(3)+2, []int{6, 6, 11, 18}[r.IntN(4)], n)
			for i := range c.Households {
				h := &c.Households[i]
				h.Residents = Residents(spec.Seed, st.Name, c.Name, h.Building, h.Key)
			}
			st.Communities = append(st.Communities, c)
			sm.Communities = append(sm.Communities, CommunityModel{
				Name: c.Name, Households: n, Effect: m.drawEffects(st.Name, c.Name, m.Traits),
			})
		}
		d.Streets = append(d.Streets, st)
		m.Streets = append(m.Streets, sm)
	}
	return d, nil
}

// addresses numbers n households in buildings of the given units and
// floors, two doors a floor: 1栋 1单元101, 1单元102, 1单元201 …
func addresses(units, floors, n int) []Household {
	out := make([]Household, 0, n)
	perBuilding := units * floors * 2
	for i := range n {
		b, rest := i/perBuilding+1, i%perBuilding
		u, rest := rest/(floors*2)+1, rest%(floors*2)
		f, door := rest/2+1, rest%2+1
		out = append(out, Household{Building: strconv.Itoa(b) + "栋", Key: fmt.Sprintf("%d单元%d%02d", u, f, door)})
	}
	return out
}

// FrameHeader is the header of the frame CSV: columns minyi frame import
// recognises by name.
var FrameHeader = []string{"街道", "社区", "楼栋", "门牌号", "户人数"}

// WriteFrame writes the district as a frame CSV (UTF-8 with BOM) that
// minyi frame import reads unchanged.
func (d *District) WriteFrame(w io.Writer) error {
	c := export.NewCSV(w)
	c.Write(FrameHeader)
	for _, s := range d.Streets {
		for _, cm := range s.Communities {
			for _, h := range cm.Households {
				c.Write([]string{s.Name, cm.Name, h.Building, h.Key, strconv.Itoa(h.Size())})
			}
		}
	}
	return c.Flush()
}

// PopulationHeader is the header of the population counts CSV.
var PopulationHeader = []string{"街道", "性别", "年龄组", "人数"}

// Population counts the adult residents (18 and over, the population the
// respondents stand for) by street, sex and age group, for calibration.
// The result is indexed [street][cell].
func (d *District) Population() [][Cells]int {
	out := make([][Cells]int, len(d.Streets))
	for i, s := range d.Streets {
		for _, c := range s.Communities {
			for _, h := range c.Households {
				for _, p := range h.Residents {
					if p.Adult() {
						out[i][p.Cell()]++
					}
				}
			}
		}
	}
	return out
}

// WritePopulation writes Population as CSV: street, sex (男/女), age
// group and persons (人数), named as the standard questionnaire's options
// are (E1 男/女, E2 18—29岁 … 70岁及以上), so that 'minyi population
// import' reads it unchanged.
func (d *District) WritePopulation(w io.Writer) error {
	c := export.NewCSV(w)
	c.Write(PopulationHeader)
	for i, counts := range d.Population() {
		for cell, n := range counts {
			p := CellPerson(cell)
			sex := "男"
			if p.Sex == Female {
				sex = "女"
			}
			c.Write([]string{d.Streets[i].Name, sex, AgeLabels[p.Age], strconv.Itoa(n)})
		}
	}
	return c.Flush()
}
