package textcheck

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// TestCSVProblem: each way a CSV record can be malformed is said in words
// that tell what to mend, not in the reader's own.
func TestCSVProblem(t *testing.T) {
	for _, c := range []struct {
		name, text string
		fields     int
		want       string
	}{
		{"bare quote", "a,b\n1,2\"3\n", -1, "write the quote twice"},
		{"open quote", "a,b\n1,\"2\n", -1, "not closed"},
		{"text after the closing quote", "a,b\n1,\"2\"x\n", -1, "not closed"},
		{"field count", "a,b\n1,2,3\n", 0, "different number of fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := csv.NewReader(strings.NewReader(c.text))
			r.FieldsPerRecord = c.fields
			var err error
			for err == nil {
				_, err = r.Read()
			}
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: %v is not a parse error", c.text, err)
			}
			got := CSVProblem(pe.Err)
			if !strings.Contains(got, c.want) || got == pe.Err.Error() {
				t.Errorf("%q: %q, want words with %q", c.text, got, c.want)
			}
		})
	}
	if got := CSVProblem(errors.New("disk on fire")); got != "disk on fire" {
		t.Errorf("an unknown error: %q", got)
	}
}
