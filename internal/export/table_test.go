package export

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var testCols = []Column{{Name: "街道", Kind: Text}, {Name: "n", Kind: Integer}, {Name: "estimate", Kind: Fraction}, {Name: "se", Kind: Number}, {Name: "received_at", Kind: Time}}

func testRows() [][]any {
	at := time.Date(2026, 11, 20, 19, 30, 0, 0, time.FixedZone("CST", 8*3600))
	return [][]any{
		{"东城街道", int64(120), 0.875, 0.0123, at},
		{"=HYPERLINK(\"http://x\")", 3, math.NaN(), math.Inf(1), time.Time{}},
		{"-负数开头", int64(-2), -0.5, nil, nil},
	}
}

func writeBook(t *testing.T, f Format, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	book, err := NewBook(&b, f, o)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := book.Table("汇总", testCols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range testRows() {
		if err := tab.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := book.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCSVBook(t *testing.T) {
	want := "街道,n,estimate,se,received_at\n" +
		"东城街道,120,0.875,0.0123,2026-11-20T11:30:00Z\n" +
		"\"'=HYPERLINK(\"\"http://x\"\")\",3,,,\n" +
		"'-负数开头,-2,-0.5,,\n"
	if got := string(writeBook(t, FormatCSV, Options{})); got != "\ufeff"+want {
		t.Fatalf("with BOM:\n%q\nwant\n%q", got, "\ufeff"+want)
	}
	if got := string(writeBook(t, FormatCSV, Options{NoBOM: true})); got != want {
		t.Fatalf("without BOM:\n%q\nwant\n%q", got, want)
	}
	// One table per CSV file; a cell of the wrong type is an error.
	var b bytes.Buffer
	book, _ := NewBook(&b, FormatCSV, Options{})
	tab, _ := book.Table("a", testCols[:1])
	if err := tab.Row([]any{struct{}{}}); err == nil {
		t.Fatal("a struct cell was accepted")
	}
	if err := tab.Row([]any{"a", "b"}); err == nil {
		t.Fatal("two cells for one column were accepted")
	}
	if _, err := book.Table("b", testCols); err == nil {
		t.Fatal("a second table in a CSV file was accepted")
	}
}

func TestXLSXBook(t *testing.T) {
	data := writeBook(t, FormatXLSX, Options{Creator: "minyi v1.2.0 (rev 1a2b3c, go1.26.8, schema 18)"})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The workbook names the build that wrote it (issue 20).
	if p, err := f.GetDocProps(); err != nil || p.Creator != "minyi v1.2.0 (rev 1a2b3c, go1.26.8, schema 18)" {
		t.Errorf("document properties %+v, %v", p, err)
	}
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "汇总" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("汇总", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], "|") != "街道|n|estimate|se|received_at" {
		t.Fatalf("rows %q", rows)
	}
	// Chinese text round-trips; a formula-like text stays text.
	if rows[1][0] != "东城街道" || rows[2][0] != "=HYPERLINK(\"http://x\")" || rows[3][0] != "-负数开头" {
		t.Fatalf("text cells %q", rows)
	}
	if fm, _ := f.GetCellFormula("汇总", "A3"); fm != "" {
		t.Fatalf("A3 became a formula %q", fm)
	}
	if rows[1][1] != "120" || rows[1][2] != "0.875" || rows[1][3] != "0.0123" || rows[3][2] != "-0.5" {
		t.Fatalf("numbers %q", rows[1])
	}
	// NaN and infinities are empty cells.
	if len(rows[2]) > 2 && (rows[2][2] != "" || (len(rows[2]) > 3 && rows[2][3] != "")) {
		t.Fatalf("NaN/Inf cells %q", rows[2])
	}
	// A rate is shown as a percentage, a time as a date.
	if v, _ := f.GetCellValue("汇总", "C2"); v != "87.50%" {
		t.Fatalf("C2 shows %q", v)
	}
	if v, _ := f.GetCellValue("汇总", "E2"); !strings.Contains(v, "11:30") {
		t.Fatalf("E2 shows %q", v)
	}
	// The header row is frozen.
	if p, err := f.GetPanes("汇总"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Fatalf("panes %+v (%v)", p, err)
	}
}

func TestXLSXSheets(t *testing.T) {
	var b bytes.Buffer
	book, _ := NewBook(&b, FormatXLSX, Options{})
	for _, name := range []string{"区", "街道", "编码表"} {
		tab, err := book.Table(name, []Column{{Name: "名称", Kind: Text}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tab.Row([]any{name + "一"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := book.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "区,街道,编码表" {
		t.Fatalf("sheets %s", got)
	}
	if v, _ := f.GetCellValue("编码表", "A2"); v != "编码表一" {
		t.Fatalf("A2 %q", v)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatCSV, "csv": FormatCSV, "xlsx": FormatXLSX} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xls"); err == nil {
		t.Fatal("xls accepted")
	}
}

// A Time cell is ISO 8601 with the offset of Options.Location, in CSV and
// XLSX alike (UTC, written Z, without one): 19:30 in Beijing on the 20th is
// 17:00 in Kolkata.
func TestTimeCellsInLocation(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{{nil, "2026-11-20T11:30:00Z"}, {kolkata, "2026-11-20T17:00:00+05:30"}} {
		csv := string(writeBook(t, FormatCSV, Options{NoBOM: true, Location: tc.loc}))
		if !strings.Contains(csv, ","+tc.want+"\n") {
			t.Errorf("CSV in %v:\n%s\nwant the time %s", tc.loc, csv, tc.want)
		}
		f, err := excelize.OpenReader(bytes.NewReader(writeBook(t, FormatXLSX, Options{Location: tc.loc})))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := f.GetCellValue("汇总", "E2"); v != tc.want {
			t.Errorf("XLSX in %v: E2 = %q, want %q", tc.loc, v, tc.want)
		}
	}
}
