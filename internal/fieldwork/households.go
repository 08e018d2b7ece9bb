package fieldwork

// Households are the household counts of a sample and the round that
// fields it, each with one definition (and one label on every page,
// web/i18n/count.*.json "count.<json name>"):
//
//   - Drawn: households of the main sample, as drawn (not the requested
//     n of the design, which a draw may round up or down per community);
//   - Reserves: reserve households drawn beside them, released only under
//     the round's rule;
//   - Released: reserves released into the fieldwork so far;
//   - Assigned: households to visit, the round's assignments: the main
//     sample plus the released reserves (an assignment exists from the
//     round's creation, whether or not an interviewer has it yet);
//   - Closed: households to visit with a final disposition;
//   - Pending: households to visit without one yet (Assigned − Closed).
//
// The outcome rates (Counts.Rates) are computed on the Closed households
// only; during fieldwork they are interim (see Interim).
type Households struct {
	Drawn    int `json:"drawn"`
	Reserves int `json:"reserves"`
	Released int `json:"released"`
	Assigned int `json:"assigned"`
	Closed   int `json:"closed"`
	Pending  int `json:"pending"`
}

// HouseholdTally is what the store counts for Households: units of a
// sample by kind, and the round's assignments in all and final.
type HouseholdTally struct {
	Main, Reserves, Released int // sample units
	Assignments, Final       int // the round's assignments
}

// HouseholdsOf is the one computation of Households from a tally: every
// page, the report and the API show its result.
func HouseholdsOf(t HouseholdTally) Households {
	return Households{Drawn: t.Main, Reserves: t.Reserves, Released: t.Released,
		Assigned: t.Assignments, Closed: t.Final, Pending: t.Assignments - t.Final}
}

// Closed is the number of assignments counted with a final disposition:
// the base of every rate.
func (c Counts) Closed() int { return c.Total() - c.Pending }

// Interim tells whether a round's outcome rates are interim: while the
// round is not closed (planned or in fieldwork) they are computed on the
// households closed so far, which are not a fair part of the sample
// (completes close on the first visit, non-contacts only after the last
// attempt), so they are shown as interim, with their base.
func Interim(roundStatus string) bool { return roundStatus != "closed" }

// HouseholdCount is one of the Households counts: Key is its JSON name
// (and its label's key, count.<Key>), N the count.
type HouseholdCount struct {
	Key string
	N   int
}

// List is every count, in the order the pages show them.
func (h Households) List() []HouseholdCount {
	return append(h.Sample(), HouseholdCount{"assigned", h.Assigned}, HouseholdCount{"closed", h.Closed}, HouseholdCount{"pending", h.Pending})
}

// Sample is the counts of the sample itself: the main sample, the
// reserves drawn and those released.
func (h Households) Sample() []HouseholdCount {
	return []HouseholdCount{{"drawn", h.Drawn}, {"reserves", h.Reserves}, {"released", h.Released}}
}
