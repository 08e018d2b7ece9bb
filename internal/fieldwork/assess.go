package fieldwork

import (
	"fmt"
	"slices"
	"time"

	"github.com/minyi-survey/minyi/internal/questionnaire"
)

// Visit is one attempt to interview a household.
type Visit struct {
	At      time.Time
	Outcome Outcome
}

// Interview is the accepted response of an assignment, if any.
type Interview struct {
	// Ended is how the questionnaire ended: "" or complete when it ran to
	// the end (or an end rule said nothing more to ask), not_eligible when
	// screening failed, refusal when the respondent stopped midway.
	Ended questionnaire.Disposition
}

// Replacement says whether a final assignment releases a reserve household.
type Replacement string

// The replacement states.
const (
	ReplaceNone    Replacement = ""        // no replacement
	ReplaceDue     Replacement = "due"     // the rule is met; waits for a supervisor
	ReplaceRelease Replacement = "release" // the rule is met; released automatically
)

// State is where an assignment stands, as Assess derives it from its visits
// and its accepted response. It is never stored as the truth: the visits
// and the response are, and Assess recomputes the state from them.
type State struct {
	Status      Status      `json:"status"`
	Disposition Disposition `json:"disposition,omitempty"` // "" until final
	Category    Category    `json:"category,omitempty"`    // "" until final
	Attempts    int         `json:"attempts"`              // visits recorded
	// Contacted: someone answered the door at least once (any outcome
	// except no_one_home), or there is an accepted response.
	Contacted   bool        `json:"contacted"`
	LastOutcome Outcome     `json:"last_outcome,omitempty"` // "" without visits
	Replacement Replacement `json:"replacement,omitempty"`
	// Reason says in plain English why the assignment is final and why a
	// replacement is due or not, or, while in progress, how far the
	// non-contact rule is from being met.
	Reason string `json:"reason,omitempty"`
}

// Assess derives the state of one assignment from its visits and its
// accepted response (nil if none) under rule. The rules, in order:
//
//  1. Visits are taken in time order (Assess sorts a copy; the caller's
//     slice is not changed). Visits at the same instant keep their order.
//  2. An accepted response decides: Ended "" or complete gives Complete
//     (AAPOR I), not_eligible gives NotEligible (NE), refusal gives Partial
//     (P). Any other Ended value (a response the questionnaire would not
//     accept) counts as complete.
//  3. Otherwise the first final-type visit decides: refused gives Refusal
//     (R), not_eligible_* gives NotEligible (NE), language_barrier gives
//     Other (O). Later visits do not undo it; only an accepted response
//     does.
//  4. Otherwise a visit with outcome interview leaves the assignment in
//     progress: the response is on its way.
//  5. Otherwise no_one_home, appointment and other are unsuccessful
//     attempts. The assignment is a final NonContact when there are at least
//     rule.Attempts of them, on at least rule.Days distinct days, of which at
//     least rule.Evening started at or after rule.EveningFrom, days and
//     clock times counted in the rule's time zone. Its category is NC when
//     someone ever answered the door (e.g. an appointment made and never
//     kept), else UH (unknown whether the household is occupied and
//     eligible).
//  6. Otherwise the assignment is in progress if it has visits, else open.
//
// A final Refusal, NotEligible, Other or NonContact releases a reserve
// household when the rule's flag for it (OnRefusal, OnNotEligible, OnOther,
// OnNonContact) is set: ReplaceDue when rule.Approval is supervisor (or
// anything but automatic), ReplaceRelease when it is automatic. Complete and
// Partial never do.
//
// Assess expects a rule that passes Validate; it does not fail on one that
// does not (a non-contact always needs at least one unsuccessful attempt).
func Assess(rule Rule, visits []Visit, resp *Interview) State {
	vs := slices.Clone(visits)
	slices.SortStableFunc(vs, func(a, b Visit) int { return a.At.Compare(b.At) })
	loc := rule.Location()
	st := State{Attempts: len(vs), Status: StatusOpen}
	if len(vs) > 0 {
		st.Status = StatusInProgress
		st.LastOutcome = vs[len(vs)-1].Outcome
	}
	for _, v := range vs {
		if v.Outcome.Contact() {
			st.Contacted = true
		}
	}

	if resp != nil {
		st.Contacted = true
		switch resp.Ended {
		case questionnaire.DispositionNotEligible:
			st.final(NotEligible, CatNE, "screened out as not eligible during the interview")
		case questionnaire.DispositionRefusal:
			st.final(Partial, CatP, "the respondent stopped the interview midway")
		default:
			st.final(Complete, CatI, "interview completed")
		}
		st.replace(rule)
		return st
	}

	for _, v := range vs {
		if d, cat, ok := finalOutcome(v.Outcome); ok {
			st.final(d, cat, fmt.Sprintf("%s (visit of %s)", v.Outcome.describe(), clock(v.At, loc)))
			st.replace(rule)
			return st
		}
	}

	for _, v := range vs {
		if v.Outcome == OutcomeInterview {
			st.Reason = fmt.Sprintf("interviewed on %s; the response has not been accepted yet", clock(v.At, loc))
			return st
		}
	}

	t := countAttempts(rule, loc, vs)
	if t.meets(rule) {
		cat, who := CatUH, "no one ever answered the door"
		if st.Contacted {
			cat, who = CatNC, "someone answered the door but no interview was obtained"
		}
		st.final(NonContact, cat, t.String()+"; "+who)
		st.replace(rule)
		return st
	}
	if t.attempts > 0 {
		st.Reason = fmt.Sprintf("%s; non-contact needs %d on %s", t, rule.Attempts, plural(rule.Days, "day"))
		if rule.Evening > 0 {
			st.Reason += fmt.Sprintf(", %d from %s", rule.Evening, rule.EveningFrom)
		}
	}
	return st
}

func (st *State) final(d Disposition, c Category, reason string) {
	st.Status, st.Disposition, st.Category, st.Reason = StatusFinal, d, c, reason
}

// replace sets the replacement of a final state and says why in Reason.
func (st *State) replace(rule Rule) {
	var on bool
	var key string
	switch st.Disposition {
	case Refusal:
		on, key = rule.OnRefusal, "on_refusal"
	case NotEligible:
		on, key = rule.OnNotEligible, "on_not_eligible"
	case Other:
		on, key = rule.OnOther, "on_other"
	case NonContact:
		on, key = rule.OnNonContact, "on_non_contact"
	default:
		return // complete and partial interviews are never replaced
	}
	switch {
	case !on:
		st.Reason += fmt.Sprintf("; no replacement (%s is off)", key)
	case rule.Approval == ApprovalAutomatic:
		st.Replacement = ReplaceRelease
		st.Reason += "; replacement released automatically"
	default:
		st.Replacement = ReplaceDue
		st.Reason += "; replacement due, waiting for a supervisor's approval"
	}
}

// attempts tallies the unsuccessful attempts of an assignment.
type attempts struct {
	attempts, days, evening int
}

func countAttempts(rule Rule, loc *time.Location, vs []Visit) attempts {
	from := rule.eveningMinute()
	type day struct {
		y int
		m time.Month
		d int
	}
	days := map[day]bool{}
	var t attempts
	for _, v := range vs {
		if !v.Outcome.Unsuccessful() {
			continue
		}
		at := v.At.In(loc)
		t.attempts++
		y, m, d := at.Date()
		days[day{y, m, d}] = true
		if at.Hour()*60+at.Minute() >= from {
			t.evening++
		}
	}
	t.days = len(days)
	return t
}

// meets reports whether the tally satisfies the rule's contact condition.
func (t attempts) meets(rule Rule) bool {
	return t.attempts >= max(rule.Attempts, 1) && t.days >= rule.Days && t.evening >= rule.Evening
}

// String reads e.g. "3 unsuccessful attempts on 2 days, 1 in the evening".
func (t attempts) String() string {
	return fmt.Sprintf("%s on %s, %d in the evening",
		plural(t.attempts, "unsuccessful attempt"), plural(t.days, "day"), t.evening)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// clock formats an instant as local date and time for a Reason.
func clock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04")
}
