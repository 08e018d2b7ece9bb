package frame

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/textcheck"
)

func TestBadFiles(t *testing.T) {
	tests := []struct {
		name      string
		csv       string
		opts      Options
		wantRows  int      // valid rows still returned
		wantErr   []string // Problem.String() of each problem, in order
		wantCodes []string
	}{
		{
			name:      "empty file",
			csv:       "",
			wantErr:   []string{"the file is empty"},
			wantCodes: []string{CodeEmptyFile},
		},
		{
			name:      "only blank lines",
			csv:       "\n\n,,\n",
			wantErr:   []string{"the file is empty"},
			wantCodes: []string{CodeEmptyFile},
		},
		{
			name:      "header without households",
			csv:       "街道,社区,门牌号\n",
			wantErr:   []string{"the file has a header but no households"},
			wantCodes: []string{CodeEmptyFile},
		},
		{
			name:      "missing required header",
			csv:       "街道,门牌号\n城关,1\n",
			wantErr:   []string{`line 1: missing required column community (社区): no header named "社区", "community" or a similar name`},
			wantCodes: []string{CodeMissingColumn},
		},
		{
			name:      "mapped header not in file",
			csv:       "街道,社区,门牌号\n城关,东门,1\n",
			opts:      Options{Mapping: Mapping{FieldHousehold: "户编码"}},
			wantErr:   []string{`line 1: column "户编码" mapped to household id (门牌号) is not in the header`},
			wantCodes: []string{CodeMissingColumn},
		},
		{
			name:     "missing values",
			csv:      "街道,社区,门牌号\n城关,东门,1\n,东门,2\n城关,,3\n城关,东门,\n城关,东门, \n",
			wantRows: 1,
			wantErr: []string{
				"line 3: street is empty",
				"line 4: community is empty",
				"line 5: household id is empty",
				"line 6: household id is empty",
			},
			wantCodes: []string{CodeEmptyValue, CodeEmptyValue, CodeEmptyValue, CodeEmptyValue},
		},
		{
			name: "several problems on one row are all reported",
			csv:  "街道,社区,门牌号,户人数\n,,,0\n",
			wantErr: []string{
				"line 2: street is empty",
				"line 2: community is empty",
				"line 2: household id is empty",
				`line 2: household size "0" is not a positive integer`,
			},
			wantCodes: []string{CodeEmptyValue, CodeEmptyValue, CodeEmptyValue, CodeBadSize},
		},
		{
			name:     "bad size",
			csv:      "街道,社区,门牌号,户人数\n城关,东门,1,3\n城关,东门,2,-1\n城关,东门,3,两人\n城关,东门,4,2.5\n城关,东门,5,\n",
			wantRows: 2,
			wantErr: []string{
				`line 3: household size "-1" is not a positive integer`,
				`line 4: household size "两人" is not a positive integer`,
				`line 5: household size "2.5" is not a positive integer`,
			},
			wantCodes: []string{CodeBadSize, CodeBadSize, CodeBadSize},
		},
		{
			name:     "wrong column count",
			csv:      "街道,社区,门牌号\n城关,东门,1\n城关,东门\n城关,东门,3,多余\n",
			wantRows: 1,
			wantErr: []string{
				"line 3: the row has 2 columns but the header has 3",
				"line 4: the row has 4 columns but the header has 3",
			},
			wantCodes: []string{CodeColumnCount, CodeColumnCount},
		},
		{
			name:     "duplicate household within a community",
			csv:      "街道,社区,门牌号\n城关,东门,1\n城关,西门,1\n城南,东门,1\n城关,东门, 1\n",
			wantRows: 3,
			wantErr: []string{
				`line 5: household "1" appears twice in community "东门" (first on line 2)`,
			},
			wantCodes: []string{CodeDuplicate},
		},
		{
			name:     "same room in two buildings is not a duplicate",
			csv:      "街道,社区,楼栋,门牌号\n城关,东门,1栋,101\n城关,东门,2栋,101\n城关,东门,2栋,101\n",
			wantRows: 2,
			wantErr: []string{
				`line 4: household "101" appears twice in building "2栋" of community "东门" (first on line 3)`,
			},
			wantCodes: []string{CodeDuplicate},
		},
		{
			name:      "invalid UTF-8 with explicit encoding",
			csv:       "street,community,household\nS,C,\xb6\xab\n",
			opts:      Options{Encoding: EncodingUTF8},
			wantErr:   []string{"line 2: column 3 is not valid UTF-8 text (if the file comes from Excel on Chinese Windows, read it as GB18030)"},
			wantCodes: []string{CodeInvalidText},
		},
		{
			name:     "control characters in any cell",
			csv:      "街道,社区,门牌号,备注\n城关,东门,1\x00,\n城关,东门,2,a\x1bb\n城关,东门,3,tab\tok\n",
			wantRows: 1,
			wantErr: []string{
				"line 2: column 3 contains a control character (such as a NUL byte); only tab and line breaks are allowed",
				"line 3: column 4 contains a control character (such as a NUL byte); only tab and line breaks are allowed",
			},
			wantCodes: []string{CodeInvalidText, CodeInvalidText},
		},
		{
			name:      "control character in a header",
			csv:       "街道,社区,门牌号,备\x00注\n城关,东门,1,x\n",
			wantRows:  1,
			wantErr:   []string{"line 1: the header of column 4 contains a control character (only tab and line breaks are allowed)"},
			wantCodes: []string{CodeInvalidText},
		},
		{
			name:     "bidirectional override and line break in place names",
			csv:      "街道,社区,门牌号\n城关\u202e,东门,1\n城关,\"东\n门\",2\n",
			wantRows: 0,
			wantErr: []string{
				"line 2: street " + textcheck.MsgBidi,
				"line 3: community " + textcheck.MsgControl,
			},
			wantCodes: []string{CodeInvalidText, CodeInvalidText},
		},
		{
			name:     "two spellings of a street that differ only in case",
			csv:      "street,community,household\nChengguan,East,1\nCHENGGUAN,East,2\nChengguan,EAST,3\nNanhu,east,4\n",
			wantRows: 2,
			wantErr: []string{
				`line 3: street "CHENGGUAN" differs only in case from "Chengguan" on line 2: write one spelling`,
				`line 4: community "EAST" differs only in case from "East" on line 2: write one spelling`,
			},
			wantCodes: []string{CodeInvalidText, CodeInvalidText},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _, err := readAll(t, []byte(tt.csv), tt.opts)
			if len(rows) != tt.wantRows {
				t.Errorf("got %d valid rows, want %d", len(rows), tt.wantRows)
			}
			var problems *Errors
			if !errors.As(err, &problems) {
				t.Fatalf("err = %v (%T), want *Errors", err, err)
			}
			if problems.Total != len(tt.wantErr) || len(problems.Problems) != len(tt.wantErr) {
				t.Fatalf("got %d problems (total %d), want %d:\n%v", len(problems.Problems), problems.Total, len(tt.wantErr), err)
			}
			for i, p := range problems.Problems {
				if p.String() != tt.wantErr[i] {
					t.Errorf("problem %d = %q\n            want %q", i, p.String(), tt.wantErr[i])
				}
				if p.Code != tt.wantCodes[i] {
					t.Errorf("problem %d code = %q, want %q", i, p.Code, tt.wantCodes[i])
				}
			}
			if len(tt.wantErr) == 1 && err.Error() != tt.wantErr[0] {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.wantErr[0])
			}
		})
	}
}

func TestProblemColumns(t *testing.T) {
	_, _, err := readAll(t, []byte("门牌号,社区,街道,户人数\n,东门,城关,x\n"), Options{})
	var problems *Errors
	if !errors.As(err, &problems) || len(problems.Problems) != 2 {
		t.Fatalf("err = %v", err)
	}
	if c := problems.Problems[0].Column; c != 1 {
		t.Errorf("empty household column = %d, want 1", c)
	}
	if c := problems.Problems[1].Column; c != 4 {
		t.Errorf("bad size column = %d, want 4", c)
	}
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("街道,社区,门牌号\n")
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "城关,东门,\n") // lines 2..251: empty household id
	}
	b.WriteString("城关,东门,1\n")
	tests := []struct {
		max, wantKept int
	}{
		{0, DefaultMaxErrors},
		{10, 10},
		{-1, 250},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			rows, _, err := readAll(t, []byte(b.String()), Options{MaxErrors: tt.max})
			if len(rows) != 1 {
				t.Errorf("valid rows = %d, want 1", len(rows))
			}
			var problems *Errors
			if !errors.As(err, &problems) {
				t.Fatalf("err = %v", err)
			}
			if problems.Total != 250 || len(problems.Problems) != tt.wantKept {
				t.Fatalf("kept %d of %d, want %d of 250", len(problems.Problems), problems.Total, tt.wantKept)
			}
			last := problems.Problems[len(problems.Problems)-1]
			if last.Line != tt.wantKept+1 {
				t.Errorf("last kept problem on line %d, want %d (file order)", last.Line, tt.wantKept+1)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "frame has 250 problems:\nline 2: household id is empty\n") {
				t.Errorf("Error() starts %q", msg[:min(len(msg), 80)])
			}
			if more := 250 - tt.wantKept; more > 0 && !strings.HasSuffix(msg, fmt.Sprintf("… and %d more", more)) {
				t.Errorf("Error() should end with the count left out, got …%q", msg[len(msg)-30:])
			}
		})
	}
}

// A read error stops the reader and is returned along with the problems.
func TestReadErrorIsFatal(t *testing.T) {
	var b strings.Builder
	b.WriteString("街道,社区,门牌号\n城关,东门,\n")
	for i := 0; b.Len() < 2*sniffSize; i++ {
		fmt.Fprintf(&b, "城关,东门,%d\n", i)
	}
	r, err := NewReader(&failingReader{data: []byte(b.String())}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
	}
	err = r.Err()
	var problems *Errors
	if !errors.Is(err, errDisk) || !errors.As(err, &problems) || problems.Total != 1 {
		t.Errorf("err = %v, want the read error and one problem", err)
	}
}

var errDisk = errors.New("disk on fire")

// failingReader returns its data, then errDisk instead of io.EOF.
type failingReader struct {
	data []byte
	off  int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.off >= len(f.data) {
		return 0, errDisk
	}
	n := copy(p, f.data[f.off:])
	f.off += n
	return n, nil
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add([]byte("街道,社区,门牌号,户人数\n城关,东门,1,x\n,,\n\"a\"b,\"c\n"))
	f.Add([]byte("\uFEFFstreet;community;household\nS;C;1\nS;C;1\n"))
	f.Add([]byte{0xFF, 0xFE, 's', 0, ',', 0})
	f.Add([]byte("\xb5\xd8,\xc9\xe7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{Format: FormatCSV, MaxErrors: 5})
		if err != nil {
			var problems *Errors
			if errors.As(err, &problems) && (len(problems.Problems) > 5 || problems.Total < len(problems.Problems)) {
				t.Fatalf("bad cap: %d kept of %d", len(problems.Problems), problems.Total)
			}
			return
		}
		defer r.Close()
		prev := 0
		for r.Next() {
			row := r.Row()
			if row.Street == "" || row.Community == "" || row.Household == "" || row.Size < 0 {
				t.Fatalf("invalid row returned: %+v", row)
			}
			if row.Line <= prev {
				t.Fatalf("line %d after %d", row.Line, prev)
			}
			prev = row.Line
		}
		var problems *Errors
		if err := r.Err(); errors.As(err, &problems) {
			if len(problems.Problems) > 5 || problems.Total < len(problems.Problems) {
				t.Fatalf("bad cap: %d kept of %d", len(problems.Problems), problems.Total)
			}
			_ = problems.Error()
		}
		if s := r.Summary(); s.Streets > s.Communities || s.Communities > s.Households {
			t.Fatalf("inconsistent summary %+v", s)
		}
	})
}

// A street written in two Unicode forms (a decomposed and a composed é) is
// one street, stored in NFC.
func TestPlaceNamesNFC(t *testing.T) {
	rows, _, err := readAll(t, []byte("street,community,household\nCafe\u0301,A,1\nCafé,A,2\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Street != "Café" || rows[1].Street != "Café" {
		t.Fatalf("streets %q, %q; want both NFC Café", rows[0].Street, rows[1].Street)
	}
}
