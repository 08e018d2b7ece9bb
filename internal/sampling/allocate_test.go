package sampling

import (
	"fmt"
	"reflect"
	"testing"
)

func TestAllocate(t *testing.T) {
	three := []Stratum{{ID: 1, Households: 5000}, {ID: 2, Households: 3000}, {ID: 3, Households: 2000}}
	tests := []struct {
		name    string
		n       int
		strata  []Stratum
		method  Method
		want    []int
		takeAll []bool
	}{
		{"proportional", 1000, three, AllocProportional, []int{500, 300, 200}, nil},
		{"equal, remainder to the first on a tie", 1000, three, AllocEqual, []int{334, 333, 333}, nil},
		{"equal, a small street is taken whole and its excess spread",
			600, []Stratum{{ID: 1, Households: 10}, {ID: 2, Households: 1000}, {ID: 3, Households: 1000}},
			AllocEqual, []int{10, 295, 295}, []bool{true, false, false}},
		{"neyman: 1000·(2500, 900, 800)/4200 = 595.2, 214.3, 190.5",
			1000, []Stratum{{ID: 1, Households: 5000, Prior: 0.5}, {ID: 2, Households: 3000, Prior: 0.9}, {ID: 3, Households: 2000, Prior: 0.8}},
			AllocNeyman, []int{595, 214, 191}, nil},
		{"neyman, no prior means p = 0.5, i.e. proportional", 1000, three, AllocNeyman, []int{500, 300, 200}, nil},
		{"neyman with a cap: 250·15/114.5 = 32.8 > 30",
			250, []Stratum{{ID: 1, Households: 30, Prior: 0.5}, {ID: 2, Households: 1000, Prior: 0.99}},
			AllocNeyman, []int{30, 220}, []bool{true, false}},
		{"proportional with a floor of 100: small streets at 100, the rest to the big one",
			600, []Stratum{{ID: 1, Households: 10000, Min: 100}, {ID: 2, Households: 500, Min: 100}, {ID: 3, Households: 300, Min: 100}},
			AllocProportional, []int{400, 100, 100}, nil},
		{"minimum: 100 each, then 300 split as 277.8, 13.9, 8.3",
			600, []Stratum{{ID: 1, Households: 10000, Min: 100}, {ID: 2, Households: 500, Min: 100}, {ID: 3, Households: 300, Min: 100}},
			AllocMinimum, []int{378, 114, 108}, nil},
		{"minimum larger than the street: take all",
			300, []Stratum{{ID: 1, Households: 50, Min: 100}, {ID: 2, Households: 1000, Min: 100}},
			AllocMinimum, []int{50, 250}, []bool{true, false}},
		{"whole frame", 10000, three, AllocProportional, []int{5000, 3000, 2000}, []bool{true, true, true}},
		{"zero", 0, three, AllocEqual, []int{0, 0, 0}, nil},
		{"an empty street gets nothing",
			10, []Stratum{{ID: 1, Households: 0}, {ID: 2, Households: 100}}, AllocEqual, []int{0, 10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(tt.n, tt.strata, tt.method)
			if err != nil {
				t.Fatal(err)
			}
			sizes := make([]int, len(got))
			takeAll := make([]bool, len(got))
			for i, a := range got {
				sizes[i], takeAll[i] = a.Size, a.TakeAll
				if a.Stratum != tt.strata[i].ID || a.Households != tt.strata[i].Households {
					t.Errorf("allocation %d is for %d/%d, want %d/%d", i, a.Stratum, a.Households, tt.strata[i].ID, tt.strata[i].Households)
				}
			}
			if !reflect.DeepEqual(sizes, tt.want) {
				t.Errorf("sizes = %v, want %v", sizes, tt.want)
			}
			if tt.takeAll == nil {
				tt.takeAll = make([]bool, len(got))
			}
			if !reflect.DeepEqual(takeAll, tt.takeAll) {
				t.Errorf("take-all = %v, want %v", takeAll, tt.takeAll)
			}
			if got.Total() != tt.n {
				t.Errorf("total = %d, want %d", got.Total(), tt.n)
			}
		})
	}
}

// The rounding always sums exactly to n and respects the bounds.
func TestAllocateSumsExactly(t *testing.T) {
	strata := []Stratum{
		{ID: 1, Households: 7, Prior: 0.3}, {ID: 2, Households: 1234, Prior: 0.85, Min: 40},
		{ID: 3, Households: 333, Prior: 0.6}, {ID: 4, Households: 98765, Prior: 0.95, Min: 25},
		{ID: 5, Households: 55, Min: 60}, {ID: 6, Households: 4321, Prior: 0.5},
	}
	for _, m := range []Method{AllocEqual, AllocProportional, AllocNeyman, AllocMinimum} {
		for _, n := range []int{130, 131, 777, 1000, 1001, 4999, 20000} {
			t.Run(fmt.Sprint(m, n), func(t *testing.T) {
				got, err := Allocate(n, strata, m)
				if err != nil {
					t.Fatal(err)
				}
				if got.Total() != n {
					t.Errorf("total = %d, want %d", got.Total(), n)
				}
				for i, a := range got {
					lo := min(strata[i].Min, strata[i].Households)
					if a.Size < lo || a.Size > strata[i].Households {
						t.Errorf("stratum %d: %d outside [%d, %d]", a.Stratum, a.Size, lo, strata[i].Households)
					}
				}
			})
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	two := []Stratum{{ID: 1, Households: 100}, {ID: 2, Households: 50}}
	tests := []struct {
		name   string
		n      int
		strata []Stratum
		method Method
	}{
		{"more than the frame", 151, two, AllocProportional},
		{"negative", -1, two, AllocEqual},
		{"less than the minimums", 50, []Stratum{{ID: 1, Households: 100, Min: 30}, {ID: 2, Households: 100, Min: 30}}, AllocMinimum},
		{"unknown method", 10, two, Method(99)},
		{"no strata", 10, nil, AllocEqual},
		{"duplicate stratum", 10, []Stratum{{ID: 1, Households: 5}, {ID: 1, Households: 5}}, AllocEqual},
		{"prior out of range", 10, []Stratum{{ID: 1, Households: 100, Prior: 1}}, AllocNeyman},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Allocate(tt.n, tt.strata, tt.method); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestAllocationsHelpers(t *testing.T) {
	a := Allocations{{Stratum: 3, Size: 385}, {Stratum: 5, Size: 40}}
	if got := a.Sizes(); !reflect.DeepEqual(got, map[int32]int{3: 385, 5: 40}) {
		t.Errorf("Sizes() = %v", got)
	}
	if got := a.PSUs(20); !reflect.DeepEqual(got, map[int32]int{3: 20, 5: 2}) {
		t.Errorf("PSUs(20) = %v", got)
	}
	for _, s := range []string{"equal", "Proportional", "NEYMAN", "minimum"} {
		if _, err := ParseMethod(s); err != nil {
			t.Errorf("ParseMethod(%q): %v", s, err)
		}
	}
	if m, _ := ParseMethod("neyman"); m.String() != "neyman" {
		t.Errorf("round trip gave %v", m)
	}
	if _, err := ParseMethod("optimal"); err == nil {
		t.Error("ParseMethod(optimal) should fail")
	}
}
