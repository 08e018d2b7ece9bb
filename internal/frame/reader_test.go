package frame

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// readAll reads every valid row of data.
func readAll(t *testing.T, data []byte, opts Options) ([]Row, *Reader, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	var rows []Row
	for r.Next() {
		rows = append(rows, r.Row())
	}
	return rows, r, r.Err()
}

func TestHeaderMapping(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		opts Options
		want []Row
		cols map[Field]string
	}{
		{
			name: "chinese",
			csv:  "街道,社区,楼栋,门牌号,户人数\n城关街道,东门社区,1栋,101,3\n",
			want: []Row{{Line: 2, Street: "城关街道", Community: "东门社区", Building: "1栋", Household: "101", Size: 3}},
			cols: map[Field]string{FieldStreet: "街道", FieldCommunity: "社区", FieldBuilding: "楼栋", FieldHousehold: "门牌号", FieldSize: "户人数"},
		},
		{
			name: "chinese town and village",
			csv:  "乡镇,村,户号,人口\n城南镇,李家村,L-07,5\n",
			want: []Row{{Line: 2, Street: "城南镇", Community: "李家村", Household: "L-07", Size: 5}},
			cols: map[Field]string{FieldStreet: "乡镇", FieldCommunity: "村", FieldHousehold: "户号", FieldSize: "人口"},
		},
		{
			name: "english any case and spacing",
			csv:  " STREET ,Community,Household_ID,Building,Household Size\nS1,C1,H1,B1,2\n",
			want: []Row{{Line: 2, Street: "S1", Community: "C1", Household: "H1", Building: "B1", Size: 2}},
			cols: map[Field]string{FieldStreet: "STREET", FieldCommunity: "Community", FieldHousehold: "Household_ID", FieldBuilding: "Building", FieldSize: "Household Size"},
		},
		{
			name: "preferred alias wins, others become attributes",
			csv:  "地址,户号,社区,街道,电话\n东门路1号,A01,东门,城关,1380000\n",
			want: []Row{{Line: 2, Street: "城关", Community: "东门", Household: "A01",
				Attrs: []Attr{{"地址", "东门路1号"}, {"电话", "1380000"}}}},
			cols: map[Field]string{FieldStreet: "街道", FieldCommunity: "社区", FieldHousehold: "户号"},
		},
		{
			name: "explicit mapping",
			csv:  "所属街道,所属社区,编号,地址\n城关,东门,7,东门路7号\n",
			opts: Options{Mapping: Mapping{FieldStreet: "所属街道", FieldCommunity: "所属社区", FieldHousehold: "编号"}},
			want: []Row{{Line: 2, Street: "城关", Community: "东门", Household: "7",
				Attrs: []Attr{{"地址", "东门路7号"}}}},
			cols: map[Field]string{FieldStreet: "所属街道", FieldCommunity: "所属社区", FieldHousehold: "编号"},
		},
		{
			name: "explicit mapping overrides an alias",
			csv:  "street,community,household,address\nS,C,h1,addr 1\n",
			opts: Options{Mapping: Mapping{FieldHousehold: "ADDRESS"}},
			want: []Row{{Line: 2, Street: "S", Community: "C", Household: "addr 1",
				Attrs: []Attr{{"household", "h1"}}}},
			cols: map[Field]string{FieldStreet: "street", FieldCommunity: "community", FieldHousehold: "address"},
		},
		{
			name: "title rows above the header, blank lines and trimmed values",
			csv:  "城关街道户籍登记表,,\n\n,,\n街道,社区,门牌号\n  城关 ,\u3000东门\u3000, 1 \n,,\n城关,东门,2\n",
			want: []Row{
				{Line: 5, Street: "城关", Community: "东门", Household: "1"},
				{Line: 7, Street: "城关", Community: "东门", Household: "2"},
			},
			cols: map[Field]string{FieldStreet: "街道", FieldCommunity: "社区", FieldHousehold: "门牌号"},
		},
		{
			name: "CRLF line ends as Excel writes them",
			csv:  "street,community,household\r\nS,C,1\r\nS,C,2\r\n",
			want: []Row{
				{Line: 2, Street: "S", Community: "C", Household: "1"},
				{Line: 3, Street: "S", Community: "C", Household: "2"},
			},
			cols: map[Field]string{FieldStreet: "street", FieldCommunity: "community", FieldHousehold: "household"},
		},
		{
			name: "tab separated, quoted multi-line field keeps line numbers",
			csv:  "street\tcommunity\thousehold\tnote\nS\tC\t1\t\"two\nlines\"\nS\tC\t2\t\n",
			want: []Row{
				{Line: 2, Street: "S", Community: "C", Household: "1", Attrs: []Attr{{"note", "two\nlines"}}},
				{Line: 4, Street: "S", Community: "C", Household: "2"},
			},
			cols: map[Field]string{FieldStreet: "street", FieldCommunity: "community", FieldHousehold: "household"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, r, err := readAll(t, []byte(tt.csv), tt.opts)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows =\n%#v\nwant\n%#v", rows, tt.want)
			}
			if got := r.Columns(); !reflect.DeepEqual(got, tt.cols) {
				t.Errorf("Columns() = %v, want %v", got, tt.cols)
			}
		})
	}
}

const sampleCSV = "街道,社区,门牌号,户人数,备注\n" +
	"城关街道,东门社区,东门路1号,3,\n" +
	"城关街道,东门社区,东门路2号,2,空挂户\n" +
	"城关街道,西门社区,西门路1号,,\n" +
	"城南镇,李家村,李家村8组3号,5,\n"

func wantSample() []Row {
	return []Row{
		{Line: 2, Street: "城关街道", Community: "东门社区", Household: "东门路1号", Size: 3},
		{Line: 3, Street: "城关街道", Community: "东门社区", Household: "东门路2号", Size: 2, Attrs: []Attr{{"备注", "空挂户"}}},
		{Line: 4, Street: "城关街道", Community: "西门社区", Household: "西门路1号"},
		{Line: 5, Street: "城南镇", Community: "李家村", Household: "李家村8组3号", Size: 5},
	}
}

func TestEncodings(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(
		[]byte(strings.ReplaceAll(sampleCSV, ",", "\t")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		enc     Encoding
		wantEnc Encoding
	}{
		{"utf-8", []byte(sampleCSV), EncodingAuto, EncodingUTF8},
		{"utf-8 with BOM", append([]byte("\uFEFF"), sampleCSV...), EncodingAuto, EncodingUTF8},
		{"utf-8 with BOM, explicit", append([]byte("\uFEFF"), sampleCSV...), EncodingUTF8, EncodingUTF8},
		{"gb18030 detected", gb, EncodingAuto, EncodingGB18030},
		{"gbk detected", gbk, EncodingAuto, EncodingGB18030},
		{"gb18030 explicit", gb, EncodingGB18030, EncodingGB18030},
		{"utf-16 with BOM, tab separated", utf16, EncodingAuto, EncodingUTF16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, r, err := readAll(t, tt.data, Options{Encoding: tt.enc})
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if r.Encoding() != tt.wantEnc {
				t.Errorf("Encoding() = %v, want %v", r.Encoding(), tt.wantEnc)
			}
			if r.Header()[0] != "街道" {
				t.Errorf("first header = %q, want 街道 (BOM stripped)", r.Header()[0])
			}
			if !reflect.DeepEqual(rows, wantSample()) {
				t.Errorf("rows =\n%#v\nwant\n%#v", rows, wantSample())
			}
		})
	}
}

// A file that is ASCII for its first 64 KiB and GB18030 later is read as
// UTF-8; the reader must say which rows are wrong and how to fix it.
func TestLateGB18030IsReported(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("street,community,household\n")
	for i := 0; b.Len() < sniffSize+100; i++ {
		b.WriteString("S,C,h" + strconv.Itoa(i) + "\n")
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("S,东门,1号\n")
	b.WriteString(gb)
	_, _, err := readAll(t, b.Bytes(), Options{})
	var problems *Errors
	if !errors.As(err, &problems) || problems.Total != 1 || problems.Problems[0].Code != CodeInvalidText {
		t.Fatalf("err = %v, want one %s problem", err, CodeInvalidText)
	}
	if !strings.Contains(err.Error(), "GB18030") {
		t.Errorf("message %q should suggest GB18030", err)
	}
}

func TestXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	data := [][]any{
		{"2026年户籍登记"},
		{"街道", "社区", "楼栋", "门牌号", "户人数", "电话"},
		{"城关街道", "东门社区", "1栋", 101, 3, "13800000000"},
		{"城关街道", "东门社区", "1栋", 102, nil, nil}, // trailing empty cells are dropped
		{},
		{"城南镇", "李家村", nil, "8组3号", 4},
	}
	for i, row := range data {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	// A number format must not change the household number.
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 3}) // "#,##0"
	_ = f.SetCellStyle(sheet, "D3", "D4", style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, r, err := readAll(t, buf.Bytes(), Options{})
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if r.Format() != FormatXLSX {
		t.Errorf("Format() = %v, want xlsx", r.Format())
	}
	want := []Row{
		{Line: 3, Street: "城关街道", Community: "东门社区", Building: "1栋", Household: "101", Size: 3, Attrs: []Attr{{"电话", "13800000000"}}},
		{Line: 4, Street: "城关街道", Community: "东门社区", Building: "1栋", Household: "102"},
		{Line: 6, Street: "城南镇", Community: "李家村", Household: "8组3号", Size: 4},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows =\n%#v\nwant\n%#v", rows, want)
	}

	// The same workbook with a problem reports the spreadsheet row.
	_ = f.SetCellValue(sheet, "D4", "101")
	buf.Reset()
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, _, err = readAll(t, buf.Bytes(), Options{Format: FormatXLSX})
	want1 := `line 4: household "101" appears twice in building "1栋" of community "东门社区" (first on line 3)`
	if err == nil || err.Error() != want1 {
		t.Errorf("err = %v, want %s", err, want1)
	}
}

func TestSummary(t *testing.T) {
	_, r, err := readAll(t, []byte(sampleCSV), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Households: 4, Communities: 3, Streets: 2, ByStreet: []StreetSummary{
		{Street: "城关街道", Communities: 2, Households: 3},
		{Street: "城南镇", Communities: 1, Households: 1},
	}}
	if got := r.Summary(); !reflect.DeepEqual(got, want) {
		t.Errorf("Summary() = %+v, want %+v", got, want)
	}
	// The same community name in two streets is two communities.
	s, err := Validate(strings.NewReader("street,community,household\nA,C,1\nB,C,1\nA,C,2\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Communities != 2 || s.Streets != 2 || s.Households != 3 {
		t.Errorf("Validate summary = %+v", s)
	}
	var tally Tally
	for _, row := range wantSample() {
		tally.Add(row)
	}
	if got := tally.Summary(); !reflect.DeepEqual(got, want) {
		t.Errorf("Tally.Summary() = %+v, want %+v", got, want)
	}
}

func TestParseNames(t *testing.T) {
	for _, s := range []string{"auto", "CSV", "xlsx", ""} {
		f, err := ParseFormat(s)
		if err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
		if s != "" && !strings.EqualFold(f.String(), s) {
			t.Errorf("ParseFormat(%q) = %v", s, f)
		}
	}
	for s, want := range map[string]Encoding{"GBK": EncodingGB18030, "utf8": EncodingUTF8, "": EncodingAuto, "UTF-16": EncodingUTF16} {
		if e, err := ParseEncoding(s); err != nil || e != want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", s, e, err, want)
		}
	}
	if _, err := ParseFormat("xls"); err == nil {
		t.Error("ParseFormat(xls) should fail")
	}
	if _, err := ParseEncoding("big5"); err == nil {
		t.Error("ParseEncoding(big5) should fail")
	}
}

func TestOptionsJSON(t *testing.T) {
	var o Options
	err := json.Unmarshal([]byte(`{"format":"csv","encoding":"GBK","mapping":{"household":"编号"},"max_errors":5}`), &o)
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Format: FormatCSV, Encoding: EncodingGB18030, Mapping: Mapping{FieldHousehold: "编号"}, MaxErrors: 5}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("decoded %+v, want %+v", o, want)
	}
	b, _ := json.Marshal(want)
	if !strings.Contains(string(b), `"encoding":"gb18030"`) {
		t.Errorf("encoded %s", b)
	}
	if err := json.Unmarshal([]byte(`{"encoding":"big5"}`), &o); err == nil {
		t.Error("an unknown encoding should fail")
	}
	_, err = NewReader(strings.NewReader(sampleCSV), Options{Mapping: Mapping{"phone": "电话"}})
	if err == nil || !strings.Contains(err.Error(), `unknown field "phone"`) {
		t.Errorf("unknown mapping field: err = %v", err)
	}
}

func TestLegacyXLS(t *testing.T) {
	_, err := NewReader(bytes.NewReader(append(oleMagic, make([]byte, 100)...)), Options{})
	if err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("err = %v, want advice to save as .xlsx", err)
	}
}
