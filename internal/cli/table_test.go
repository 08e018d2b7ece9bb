package cli

import (
	"fmt"
	"strings"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"城关街道", 8},
		{"3栋2单元501", 11},
		{"ＡＢ", 4},           // fullwidth Latin
		{"e\u0301", 1},      // e + combining acute
		{"a\u200bb", 2},     // zero-width space
		{"2026Q4 模拟入户", 15}, // mixed
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestTableAlignsByDisplayWidth: with Chinese and ASCII cells in one
// column, every cell of the next column starts at the same terminal column.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b strings.Builder
	tw := newTable(&b)
	fmt.Fprintln(tw, "STREET\tCOMMUNITY\tHOUSEHOLDS\tNOTE")
	fmt.Fprintln(tw, "城关街道\t东风社区\t120\ttaken whole")
	fmt.Fprintln(tw, "Nanhu\tA\t7\t")
	fmt.Fprintln(tw, "北门街道\tJiefang 解放社区\t1234\t2 short: 太少")
	fmt.Fprintln(tw, "total\t\t1361\t")
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	// The terminal column where each cell starts, measured on the output.
	starts := func(line string, cells []string) []int {
		var at []int
		rest, col := line, 0
		for _, c := range cells {
			i := strings.Index(rest, c)
			if i < 0 {
				t.Fatalf("cell %q not in %q", c, line)
			}
			col += displayWidth(rest[:i])
			at = append(at, col)
			col += displayWidth(c)
			rest = rest[i+len(c):]
		}
		return at
	}
	want := []int{0, 10, 28, 40} // 8 (城关街道) + 2; 16 (Jiefang 解放社区) + 2 after it; 10 (HOUSEHOLDS) + 2
	rows := [][]string{
		{"STREET", "COMMUNITY", "HOUSEHOLDS", "NOTE"},
		{"城关街道", "东风社区", "120", "taken whole"},
		{"Nanhu", "A", "7"},
		{"北门街道", "Jiefang 解放社区", "1234", "2 short: 太少"},
		{"total", "", "1361"},
	}
	for i, r := range rows {
		cells := r
		if r[1] == "" { // an empty cell cannot be found; check the others
			cells = []string{r[0], r[2]}
			got := starts(lines[i], cells)
			if got[0] != want[0] || got[1] != want[2] {
				t.Errorf("line %d %q: cells start at %v, want %d and %d", i, lines[i], got, want[0], want[2])
			}
			continue
		}
		got := starts(lines[i], cells)
		for j := range got {
			if got[j] != want[j] {
				t.Errorf("line %d %q: cell %d starts at column %d, want %d", i, lines[i], j, got[j], want[j])
			}
		}
	}
	if strings.Contains(b.String(), " \n") {
		t.Errorf("trailing spaces in\n%s", b.String())
	}
}
