package sampling

// Design draws a sample from a frame.
type Design interface {
	// Draw selects the main sample and the reserves.
	Draw(units []Unit) (*Sample, error)
	// Probabilities returns the main-sample inclusion probability π of every
	// unit of the frame, without drawing. They do not depend on the seed.
	Probabilities(units []Unit) ([]float64, error)
}

// Kind names a design.
type Kind int

// Designs.
const (
	KindStratifiedSRS Kind = iota + 1
	KindTwoStage
)

var kindNames = map[Kind]string{KindStratifiedSRS: "stratified-srs", KindTwoStage: "two-stage"}

// String returns "stratified-srs" or "two-stage".
func (k Kind) String() string { return nameOf(kindNames, k) }

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) { return marshalName(kindNames, k) }

// UnmarshalText decodes a name written by MarshalText.
func (k *Kind) UnmarshalText(b []byte) error { return unmarshalName(kindNames, k, b, "design") }

// Selection is one household drawn, for the main sample or as a reserve.
type Selection struct {
	Unit      int   `json:"unit"`      // index in the frame's []Unit
	Stratum   int32 `json:"stratum"`   // street id
	Community int32 `json:"community"` // the household's community (Unit.PSU), whatever the design
	// PSU is the cluster an estimator must use for this household: the
	// community in a two-stage sample, the household itself (int64(Unit)) in
	// a stratified SRS. Certainty communities (Pi1 == 1) are self-
	// representing: they add no first-stage variance, only second-stage
	// variance between their households, which a multistage formula gives
	// when told the sampling fractions, as in R's
	// svydesign(ids = ~PSU + Unit, strata = ~Stratum, fpc = ~Pi1 + Pi2).
	PSU int64 `json:"psu"`
	// Pi1 is the first-stage inclusion probability (the community's in
	// two-stage, the household's in SRS), Pi2 the second-stage one (1 in
	// SRS), Pi = Pi1·Pi2 and Weight = 1/Pi. Reserves carry the values of the
	// main households they may replace; see the package documentation.
	Pi1    float64 `json:"pi1"`
	Pi2    float64 `json:"pi2"`
	Pi     float64 `json:"pi"`
	Weight float64 `json:"weight"`
	// Reserve is 0 for the main sample and k ≥ 1 for the k-th reserve of the
	// stratum (SRS) or of the community (two-stage), in release order.
	Reserve int `json:"reserve"`
}

// StratumResult reports what was drawn in one stratum.
type StratumResult struct {
	Stratum     int32 `json:"stratum"`
	Households  int   `json:"households"`  // N_h in the frame
	Communities int   `json:"communities"` // communities with at least one household
	// Requested is the main sample asked for (n_h, or a_h·m in two-stage);
	// Drawn what could be drawn. Drawn < Requested when the stratum or its
	// communities are too small.
	Requested int `json:"requested"`
	Drawn     int `json:"drawn"`
	Reserves  int `json:"reserves"` // reserve households drawn
	// TakeAll is set when the whole stratum is in the main sample (SRS:
	// n_h ≥ N_h) or every community is (two-stage: a_h ≥ communities).
	TakeAll bool `json:"take_all"`

	// Two-stage only.
	PSUsRequested int     `json:"psus_requested,omitempty"` // a_h
	PSUsDrawn     int     `json:"psus_drawn,omitempty"`     // communities selected, certainty ones included
	Certainty     int     `json:"certainty,omitempty"`      // communities taken with π1 = 1
	SmallPSUs     int     `json:"small_psus,omitempty"`     // selected communities with ≤ m households, taken whole
	Interval      float64 `json:"interval,omitempty"`       // households per draw in the systematic pass (T'/a'); 0 without one
}

// Sample is the outcome of a draw.
type Sample struct {
	Kind Kind   `json:"kind"`
	Seed uint64 `json:"seed"`
	// Selections are ordered by stratum id; in two-stage by community id
	// within a stratum; the main sample first, by unit index, then the
	// reserves by rank.
	Selections []Selection     `json:"selections"`
	Strata     []StratumResult `json:"strata"` // by stratum id
}

// MainSize returns the number of main-sample households.
func (s *Sample) MainSize() int {
	n := 0
	for _, st := range s.Strata {
		n += st.Drawn
	}
	return n
}
