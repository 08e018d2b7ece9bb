package fieldwork

// Counts are the numbers of assignments per AAPOR category, plus those not
// yet final (Pending).
type Counts struct {
	I       int `json:"i"`
	P       int `json:"p"`
	R       int `json:"r"`
	NC      int `json:"nc"`
	O       int `json:"o"`
	UH      int `json:"uh"`
	NE      int `json:"ne"`
	Pending int `json:"pending"`
}

// Add counts one assignment of category cat. "" (an assignment not yet
// final), and any value that is not a Category, counts as Pending.
func (c *Counts) Add(cat Category) {
	switch cat {
	case CatI:
		c.I++
	case CatP:
		c.P++
	case CatR:
		c.R++
	case CatNC:
		c.NC++
	case CatO:
		c.O++
	case CatUH:
		c.UH++
	case CatNE:
		c.NE++
	default:
		c.Pending++
	}
}

// Merge adds o's counts to c, e.g. to sum streets into a district.
func (c *Counts) Merge(o Counts) {
	c.I += o.I
	c.P += o.P
	c.R += o.R
	c.NC += o.NC
	c.O += o.O
	c.UH += o.UH
	c.NE += o.NE
	c.Pending += o.Pending
}

// Total is the number of assignments counted, final or not.
func (c Counts) Total() int {
	return c.I + c.P + c.R + c.NC + c.O + c.UH + c.NE + c.Pending
}

// Rates are AAPOR outcome rates (Standard Definitions, 10th ed., 2023; see
// the package documentation). Each is nil when its denominator is 0.
type Rates struct {
	RR1   *float64 `json:"rr1"`   // response rate 1: complete interviews over all of possibly eligible
	RR3   *float64 `json:"rr3"`   // response rate 3: as RR1, with only the estimated eligible share e of UH
	COOP1 *float64 `json:"coop1"` // cooperation rate 1: complete interviews over contacted eligible units
	REF1  *float64 `json:"ref1"`  // refusal rate 1
	CON1  *float64 `json:"con1"`  // contact rate 1
	E     *float64 `json:"e"`     // estimated eligible share of the units of unknown eligibility
}

// Rates computes the AAPOR rates from the counts. Only final dispositions
// enter: Pending assignments are in no numerator or denominator, so the
// rates describe the finished part of the sample and move as fieldwork
// goes on. Unknown eligibility is not split into UH and UO here; all of it
// is UH. The formulas (AAPOR 2023):
//
//	RR1   = I / ((I+P) + (R+NC+O) + UH)
//	e     = (I+P+R+NC+O) / (I+P+R+NC+O + NE)   (the proportional allocation, "CASRO" estimate)
//	RR3   = I / ((I+P) + (R+NC+O) + e·UH)      (nil when e is)
//	COOP1 = I / ((I+P) + R + O)
//	REF1  = R / ((I+P) + (R+NC+O) + UH)
//	CON1  = ((I+P) + R + O) / ((I+P) + R + O + NC + UH)
func (c Counts) Rates() Rates {
	eligible := c.I + c.P + c.R + c.NC + c.O
	var r Rates
	r.RR1 = ratio(float64(c.I), float64(eligible+c.UH))
	r.E = ratio(float64(eligible), float64(eligible+c.NE))
	if r.E != nil {
		r.RR3 = ratio(float64(c.I), float64(eligible)+*r.E*float64(c.UH))
	}
	r.COOP1 = ratio(float64(c.I), float64(c.I+c.P+c.R+c.O))
	r.REF1 = ratio(float64(c.R), float64(eligible+c.UH))
	contacted := c.I + c.P + c.R + c.O
	r.CON1 = ratio(float64(contacted), float64(contacted+c.NC+c.UH))
	return r
}

// ratio returns &(num/den), or nil when den is 0.
func ratio(num, den float64) *float64 {
	if den == 0 {
		return nil
	}
	v := num / den
	return &v
}
