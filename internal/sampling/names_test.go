package sampling

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	d := TwoStage{Seed: 42, PSUs: map[int32]int{3: 10, 5: 2}, PerPSU: 20, ReservesPerPSU: 5, Order: OrderSorted}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seed":42,"psus":{"3":10,"5":2},"per_psu":20,"reserves_per_psu":5,"order":"sorted"}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back TwoStage
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	err = json.Unmarshal([]byte(`{"order":"zigzag"}`), &back)
	if err == nil || !strings.Contains(err.Error(), "want random, sorted") {
		t.Errorf("bad order: err = %v", err)
	}

	var spec struct {
		Method Method `json:"method"`
		Kind   Kind   `json:"kind"`
	}
	if err := json.Unmarshal([]byte(`{"method":"Neyman","kind":"stratified-srs"}`), &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Method != AllocNeyman || spec.Kind != KindStratifiedSRS {
		t.Errorf("decoded %+v", spec)
	}
	if _, err := json.Marshal(Method(0)); err == nil {
		t.Error("encoding an unknown method should fail")
	}
	if s := Order(9).String(); s != "sampling.Order(9)" {
		t.Errorf("Order(9).String() = %q", s)
	}
}
