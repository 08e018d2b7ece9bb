package simulate

import "math/rand/v2"

// Sex of a resident, coded as the standard questionnaire codes it.
type Sex int

// The sexes.
const (
	Male   Sex = 1
	Female Sex = 2
)

// AgeGroups are the adult age groups, as the standard questionnaire's E2
// codes them (code = index + 1). Children (under 18) are not respondents.
var AgeGroups = []string{"18-29", "30-39", "40-49", "50-59", "60-69", "70+"}

// AgeLabels are the age groups as the standard questionnaire's E2 names
// its options: what a population table says so that 'minyi population
// import' finds the categories.
var AgeLabels = []string{"18—29岁", "30—39岁", "40—49岁", "50—59岁", "60—69岁", "70岁及以上"}

// Cells is the number of respondent cells: adult age group × sex.
const Cells = 12

// Person is one resident. Age is an index into AgeGroups, or -1 for a
// child.
type Person struct {
	Sex Sex
	Age int
}

// Adult reports whether the person is 18 or over.
func (p Person) Adult() bool { return p.Age >= 0 }

// Cell is the respondent cell of an adult: age group × sex.
func (p Person) Cell() int { return p.Age*2 + int(p.Sex) - 1 }

// CellPerson is the inverse of Person.Cell.
func CellPerson(cell int) Person { return Person{Sex: Sex(cell%2 + 1), Age: cell / 2} }

// householdSizes are the shares of households of 1…6 persons (roughly a
// Chinese county town's census shape).
var householdSizes = []float64{0.14, 0.30, 0.27, 0.15, 0.09, 0.05}

// headAges are the shares of household heads by adult age group.
var headAges = []float64{0.14, 0.18, 0.19, 0.18, 0.17, 0.14}

// Household is one household of the district: its address, as the frame
// lists it, and its residents.
type Household struct {
	Building  string   `json:"building"`
	Key       string   `json:"household"`
	Residents []Person `json:"-"`
}

// Size is the number of residents.
func (h Household) Size() int { return len(h.Residents) }

// Residents returns the residents of the household with the given address
// in the district made with seed. They are a function of the seed and the
// address alone (street, community, building, household), so that a
// household found in a frame or a round has the same people as the one
// the district generated.
func Residents(seed uint64, street, community, building, household string) []Person {
	r := Stream(seed, tagHouse, hashString(street, community, building, household))
	size := pick(r, householdSizes) + 1
	head := Person{Sex: Sex(1 + r.IntN(2)), Age: pick(r, headAges)}
	out := []Person{head}
	if size >= 2 {
		age := head.Age
		switch u := r.Float64(); {
		case u < 0.15 && age > 0:
			age--
		case u < 0.30 && age < len(AgeGroups)-1:
			age++
		}
		sex := 3 - head.Sex
		if r.Float64() < 0.1 {
			sex = head.Sex
		}
		out = append(out, Person{Sex: sex, Age: age})
	}
	for len(out) < size {
		out = append(out, otherMember(r, head))
	}
	return out
}

// otherMember draws a third or later member: a child, an adult child or
// an elderly parent, depending on the head's age.
func otherMember(r *rand.Rand, head Person) Person {
	sex := Sex(1 + r.IntN(2))
	u := r.Float64()
	if head.Age <= 2 {
		switch {
		case u < 0.75:
			return Person{Sex: sex, Age: -1}
		case u < 0.85:
			return Person{Sex: sex, Age: 0}
		}
		return Person{Sex: sex, Age: min(head.Age+3, len(AgeGroups)-1)}
	}
	switch {
	case u < 0.35:
		return Person{Sex: sex, Age: -1}
	case u < 0.80:
		return Person{Sex: sex, Age: max(head.Age-3, 0)}
	}
	return Person{Sex: sex, Age: len(AgeGroups) - 1}
}

// adults returns the cells of a household's adults.
func adultCells(ps []Person) []int {
	out := make([]int, 0, len(ps))
	for _, p := range ps {
		if p.Adult() {
			out = append(out, p.Cell())
		}
	}
	return out
}
