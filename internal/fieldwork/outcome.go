package fieldwork

import (
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Outcome is the outcome of one visit (attempt) to a household.
type Outcome string

// The visit outcomes. See Assess for what each one does to an assignment.
const (
	// OutcomeInterview: an interview was held; its response is accepted
	// separately (Interview).
	OutcomeInterview Outcome = "interview"
	// OutcomeNoOneHome: nobody answered the door. The only outcome that is
	// not a contact.
	OutcomeNoOneHome Outcome = "no_one_home"
	// OutcomeRefused: the household refused. Final.
	OutcomeRefused Outcome = "refused"
	// OutcomeVacant: the dwelling is vacant. Final, not eligible.
	OutcomeVacant Outcome = "not_eligible_vacant"
	// OutcomeNoAdult: no adult resident. Final, not eligible.
	OutcomeNoAdult Outcome = "not_eligible_no_adult"
	// OutcomeShortResidence: nobody has lived there long enough. Final, not
	// eligible.
	OutcomeShortResidence Outcome = "not_eligible_short_residence"
	// OutcomeLanguage: no common language with the respondent. Final, other.
	OutcomeLanguage Outcome = "language_barrier"
	// OutcomeAppointment: someone answered and asked to come back later.
	OutcomeAppointment Outcome = "appointment"
	// OutcomeOther: anything else; an unsuccessful attempt with contact.
	OutcomeOther Outcome = "other"
)

// Outcomes lists every outcome in a fixed order (the order a tablet shows
// them in).
var Outcomes = []Outcome{
	OutcomeInterview, OutcomeNoOneHome, OutcomeRefused,
	OutcomeVacant, OutcomeNoAdult, OutcomeShortResidence,
	OutcomeLanguage, OutcomeAppointment, OutcomeOther,
}

// ParseOutcome returns the outcome named s. The error is apperr.Invalid and
// lists the valid outcomes.
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range Outcomes {
		if string(o) == s {
			return o, nil
		}
	}
	names := make([]string, len(Outcomes))
	for i, o := range Outcomes {
		names[i] = string(o)
	}
	return "", apperr.New(apperr.Invalid, "unknown visit outcome %q; use one of %s", s, strings.Join(names, ", "))
}

// UnmarshalText parses an outcome with ParseOutcome, so that JSON and YAML
// input is checked where it enters.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Unsuccessful reports whether the outcome is an attempt that counts
// towards the non-contact rule: no_one_home, appointment or other.
func (o Outcome) Unsuccessful() bool {
	switch o {
	case OutcomeNoOneHome, OutcomeAppointment, OutcomeOther:
		return true
	}
	return false
}

// Final reports whether the outcome on its own makes the assignment final:
// refused, not_eligible_* or language_barrier.
func (o Outcome) Final() bool {
	_, _, ok := finalOutcome(o)
	return ok
}

// Contact reports whether someone answered the door: every outcome except
// no_one_home.
func (o Outcome) Contact() bool { return o != OutcomeNoOneHome }

// finalOutcome returns the disposition and category a final-type visit
// outcome gives.
func finalOutcome(o Outcome) (Disposition, Category, bool) {
	switch o {
	case OutcomeRefused:
		return Refusal, CatR, true
	case OutcomeVacant, OutcomeNoAdult, OutcomeShortResidence:
		return NotEligible, CatNE, true
	case OutcomeLanguage:
		return Other, CatO, true
	}
	return "", "", false
}

// describe says what a final-type outcome means, for State.Reason.
func (o Outcome) describe() string {
	switch o {
	case OutcomeRefused:
		return "refused"
	case OutcomeVacant:
		return "not eligible: the dwelling is vacant"
	case OutcomeNoAdult:
		return "not eligible: no adult resident"
	case OutcomeShortResidence:
		return "not eligible: no resident has lived there long enough"
	case OutcomeLanguage:
		return "language barrier"
	}
	return string(o)
}

// Disposition is the final disposition of an assignment.
type Disposition string

// The final dispositions.
const (
	Complete    Disposition = "complete"     // interview ran to the end
	Partial     Disposition = "partial"      // respondent stopped midway
	Refusal     Disposition = "refusal"      // household refused at the door
	NonContact  Disposition = "non_contact"  // the contact rule was met without an interview
	NotEligible Disposition = "not_eligible" // vacant, no adult, too short a residence, or screened out
	Other       Disposition = "other"        // e.g. a language barrier
)

// Dispositions lists every disposition in a fixed order.
var Dispositions = []Disposition{Complete, Partial, Refusal, NonContact, NotEligible, Other}

// Status is where an assignment stands.
type Status string

// The statuses.
const (
	StatusOpen       Status = "open"        // no visit yet
	StatusInProgress Status = "in_progress" // visited, not final
	StatusFinal      Status = "final"       // has a disposition
)

// Category is the AAPOR class of a final disposition (AAPOR Standard
// Definitions, 10th ed., 2023, table 1 for in-person household surveys).
type Category string

// The AAPOR categories.
const (
	CatI  Category = "I"  // complete interview
	CatP  Category = "P"  // partial interview
	CatR  Category = "R"  // refusal and break-off
	CatNC Category = "NC" // non-contact (eligible: someone was reached once)
	CatO  Category = "O"  // other eligible non-interview
	CatUH Category = "UH" // unknown if household occupied / eligible
	CatNE Category = "NE" // not eligible
)

// Categories lists every category in a fixed order.
var Categories = []Category{CatI, CatP, CatR, CatNC, CatO, CatUH, CatNE}
