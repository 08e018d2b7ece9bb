package fieldwork

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRates(t *testing.T) {
	nan := math.NaN() // marks a rate that must be nil
	tests := []struct {
		name                           string
		c                              Counts
		rr1, rr3, coop1, ref1, con1, e float64
	}{
		{
			// eligible = 50+5+10+5+5 = 75; e = 75/80; RR3 = 50/(75 + 0.9375·20)
			name: "all categories, pending left out",
			c:    Counts{I: 50, P: 5, R: 10, NC: 5, O: 5, UH: 20, NE: 5, Pending: 7},
			rr1:  50.0 / 95, rr3: 50 / 93.75, coop1: 50.0 / 70, ref1: 10.0 / 95, con1: 70.0 / 95, e: 0.9375,
		},
		{
			name: "no NE: e = 1 and RR3 = RR1",
			c:    Counts{I: 10, UH: 10},
			rr1:  0.5, rr3: 0.5, coop1: 1, ref1: 0, con1: 0.5, e: 1,
		},
		{
			// e = 8/(8+8) = 0.5; RR3 = 4/(8 + 0.5·4) = 0.4; RR1 = 4/12
			name: "half the resolved units not eligible",
			c:    Counts{I: 4, R: 2, NC: 2, UH: 4, NE: 8},
			rr1:  4.0 / 12, rr3: 0.4, coop1: 4.0 / 6, ref1: 2.0 / 12, con1: 6.0 / 12, e: 0.5,
		},
		{
			name: "nothing counted: all nil",
			c:    Counts{},
			rr1:  nan, rr3: nan, coop1: nan, ref1: nan, con1: nan, e: nan,
		},
		{
			name: "only pending: all nil",
			c:    Counts{Pending: 12},
			rr1:  nan, rr3: nan, coop1: nan, ref1: nan, con1: nan, e: nan,
		},
		{
			name: "only not eligible: e = 0, the rest nil",
			c:    Counts{NE: 3},
			rr1:  nan, rr3: nan, coop1: nan, ref1: nan, con1: nan, e: 0,
		},
		{
			name: "only unknown eligibility: e nil, so RR3 nil",
			c:    Counts{UH: 4},
			rr1:  0, rr3: nan, coop1: nan, ref1: 0, con1: 0, e: nan,
		},
		{
			name: "only non-contacts: no cooperation rate",
			c:    Counts{NC: 3},
			rr1:  0, rr3: 0, coop1: nan, ref1: 0, con1: 0, e: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.Rates()
			for _, x := range []struct {
				name string
				got  *float64
				want float64
			}{{"RR1", r.RR1, tt.rr1}, {"RR3", r.RR3, tt.rr3}, {"COOP1", r.COOP1, tt.coop1},
				{"REF1", r.REF1, tt.ref1}, {"CON1", r.CON1, tt.con1}, {"e", r.E, tt.e}} {
				switch {
				case math.IsNaN(x.want) && x.got != nil:
					t.Errorf("%s = %v, want nil", x.name, *x.got)
				case math.IsNaN(x.want):
				case x.got == nil:
					t.Errorf("%s = nil, want %v", x.name, x.want)
				case math.Abs(*x.got-x.want) > 1e-12:
					t.Errorf("%s = %v, want %v", x.name, *x.got, x.want)
				}
			}
		})
	}
}

func TestCountsAddMerge(t *testing.T) {
	var c Counts
	for _, cat := range []Category{CatI, CatI, CatI, CatP, CatR, CatR, CatNC, CatO, CatUH, CatUH, CatNE, "", "X"} {
		c.Add(cat)
	}
	want := Counts{I: 3, P: 1, R: 2, NC: 1, O: 1, UH: 2, NE: 1, Pending: 2}
	if c != want {
		t.Fatalf("Add: %+v, want %+v", c, want)
	}
	c.Merge(Counts{I: 1, P: 2, R: 3, NC: 4, O: 5, UH: 6, NE: 7, Pending: 8})
	want = Counts{I: 4, P: 3, R: 5, NC: 5, O: 6, UH: 8, NE: 8, Pending: 10}
	if c != want {
		t.Fatalf("Merge: %+v, want %+v", c, want)
	}
	if c.Total() != 49 {
		t.Errorf("Total = %d, want 49", c.Total())
	}
}

func TestRatesJSON(t *testing.T) {
	b, err := json.Marshal(Counts{I: 1, P: 2, R: 3, NC: 4, O: 5, UH: 6, NE: 7, Pending: 8})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"i":1,"p":2,"r":3,"nc":4,"o":5,"uh":6,"ne":7,"pending":8}`; string(b) != want {
		t.Errorf("Counts JSON = %s, want %s", b, want)
	}
	b, err = json.Marshal(Counts{UH: 4}.Rates())
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rr1":0,"rr3":null,"coop1":null,"ref1":0,"con1":0,"e":null}`; string(b) != want {
		t.Errorf("Rates JSON = %s, want %s", b, want)
	}
}

// TestHouseholdsOf checks the one definition of the household counts:
// pending is what is assigned and not closed, and the other counts are
// passed through under their own names.
func TestHouseholdsOf(t *testing.T) {
	for _, tc := range []struct {
		in   HouseholdTally
		want Households
	}{
		{HouseholdTally{}, Households{}},
		{HouseholdTally{Main: 43, Reserves: 129, Released: 0, Assignments: 43, Final: 22},
			Households{Drawn: 43, Reserves: 129, Assigned: 43, Closed: 22, Pending: 21}},
		{HouseholdTally{Main: 2280, Reserves: 6840, Released: 577, Assignments: 2857, Final: 2857},
			Households{Drawn: 2280, Reserves: 6840, Released: 577, Assigned: 2857, Closed: 2857, Pending: 0}},
	} {
		if got := HouseholdsOf(tc.in); got != tc.want {
			t.Errorf("HouseholdsOf(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	c := Counts{I: 20, R: 2, Pending: 21}
	if c.Closed() != 22 {
		t.Errorf("Closed = %d, want 22", c.Closed())
	}
	for status, want := range map[string]bool{"planned": true, "fieldwork": true, "closed": false} {
		if Interim(status) != want {
			t.Errorf("Interim(%q) = %v, want %v", status, !want, want)
		}
	}
}
