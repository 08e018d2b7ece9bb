package frame

import (
	"fmt"
	"strings"
)

// Format is the file format of a frame.
type Format int

// Formats. FormatAuto recognises XLSX by its zip signature and reads anything
// else as CSV.
const (
	FormatAuto Format = iota
	FormatCSV
	FormatXLSX
)

// String returns the lower-case name used by ParseFormat.
func (f Format) String() string {
	switch f {
	case FormatAuto:
		return "auto"
	case FormatCSV:
		return "csv"
	case FormatXLSX:
		return "xlsx"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// MarshalText encodes the format by name.
func (f Format) MarshalText() ([]byte, error) {
	if f < FormatAuto || f > FormatXLSX {
		return nil, fmt.Errorf("frame: cannot encode %v", f)
	}
	return []byte(f.String()), nil
}

// UnmarshalText decodes a name that ParseFormat accepts.
func (f *Format) UnmarshalText(b []byte) error {
	v, err := ParseFormat(string(b))
	if err == nil {
		*f = v
	}
	return err
}

// ParseFormat parses "auto", "csv" or "xlsx" (case-insensitive; "" is auto).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "csv", "txt", "tsv":
		return FormatCSV, nil
	case "xlsx":
		return FormatXLSX, nil
	}
	return 0, fmt.Errorf("frame: unknown format %q (want auto, csv or xlsx)", s)
}

// Encoding is the character encoding of a CSV frame. XLSX files are always
// Unicode and ignore it.
type Encoding int

// Encodings. GB18030 also reads GBK and GB2312, its subsets.
const (
	EncodingAuto Encoding = iota
	EncodingUTF8
	EncodingGB18030
	EncodingUTF16 // with a byte order mark; little-endian without one
)

// String returns the lower-case name used by ParseEncoding.
func (e Encoding) String() string {
	switch e {
	case EncodingAuto:
		return "auto"
	case EncodingUTF8:
		return "utf-8"
	case EncodingGB18030:
		return "gb18030"
	case EncodingUTF16:
		return "utf-16"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// MarshalText encodes the encoding by name.
func (e Encoding) MarshalText() ([]byte, error) {
	if e < EncodingAuto || e > EncodingUTF16 {
		return nil, fmt.Errorf("frame: cannot encode %v", e)
	}
	return []byte(e.String()), nil
}

// UnmarshalText decodes a name that ParseEncoding accepts.
func (e *Encoding) UnmarshalText(b []byte) error {
	v, err := ParseEncoding(string(b))
	if err == nil {
		*e = v
	}
	return err
}

// ParseEncoding parses an encoding name: "auto" (or ""), "utf-8"/"utf8",
// "gb18030"/"gbk"/"gb2312", "utf-16"/"utf16"; case-insensitive.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return EncodingAuto, nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "gb18030", "gbk", "gb2312", "cp936":
		return EncodingGB18030, nil
	case "utf-16", "utf16", "utf-16le", "unicode":
		return EncodingUTF16, nil
	}
	return 0, fmt.Errorf("frame: unknown encoding %q (want auto, utf-8, gb18030 or utf-16)", s)
}

// Field is a column of the frame that the reader understands. Its value is
// the English name used in mappings and messages.
type Field string

// Fields. Street, community and household are required.
const (
	FieldStreet    Field = "street"
	FieldCommunity Field = "community"
	FieldHousehold Field = "household"
	FieldBuilding  Field = "building"
	FieldSize      Field = "size"
)

// Fields lists every field, required ones first.
var Fields = []Field{FieldStreet, FieldCommunity, FieldHousehold, FieldBuilding, FieldSize}

// Valid reports whether f is one of Fields.
func (f Field) Valid() bool {
	for _, g := range Fields {
		if f == g {
			return true
		}
	}
	return false
}

// Required reports whether every frame must have a column for f.
func (f Field) Required() bool {
	return f == FieldStreet || f == FieldCommunity || f == FieldHousehold
}

// label is the field's name in messages, in English and Chinese.
func (f Field) label() string {
	switch f {
	case FieldStreet:
		return "street (街道)"
	case FieldCommunity:
		return "community (社区)"
	case FieldHousehold:
		return "household id (门牌号)"
	case FieldBuilding:
		return "building (楼栋)"
	case FieldSize:
		return "household size (户人数)"
	}
	return string(f)
}

// Aliases are the header names recognised for each field, in order of
// preference: when several columns match a field, the one whose name comes
// first here is used and the others are kept as attributes (a register with
// both 户号 and 地址 uses 户号 as the household id). Matching ignores case,
// surrounding space and the difference between ' ', '_' and '-'.
var Aliases = map[Field][]string{
	FieldStreet: {"街道", "乡镇", "街道办", "街道办事处", "乡镇街道", "街道乡镇", "镇街",
		"street", "subdistrict", "town", "township"},
	FieldCommunity: {"社区", "村", "社区村", "社区/村", "村社区", "村/社区", "村居", "居委会", "村委会", "社区名称",
		"community", "village", "neighborhood", "neighbourhood"},
	FieldHousehold: {"门牌号", "户号", "户编号", "户编码", "地址", "住址", "家庭住址", "门牌地址", "户",
		"household", "household id", "householdid", "hh id", "hhid", "address"},
	FieldBuilding: {"楼栋", "楼栋号", "楼号", "栋", "楼", "小区楼栋",
		"building", "bldg"},
	FieldSize: {"户人数", "人口", "人数", "家庭人口", "户人口", "家庭人数", "户内人口",
		"size", "household size", "hh size", "persons", "members"},
}

// Mapping names, for some fields, the header of the column that holds them;
// it overrides Aliases for those fields. Header names are matched like
// aliases (case-insensitive, trimmed).
type Mapping map[Field]string

// DefaultMaxErrors is the number of problems kept when Options.MaxErrors is 0.
const DefaultMaxErrors = 100

// Options configure a Reader. The zero value reads CSV or XLSX, detects the
// encoding and delimiter, maps headers by Aliases and keeps 100 problems.
type Options struct {
	Format   Format   `json:"format"`
	Encoding Encoding `json:"encoding"`
	// Mapping overrides header detection for the fields it names.
	Mapping Mapping `json:"mapping,omitempty"`
	// Comma is the CSV delimiter; 0 picks the most frequent of ',', '\t' and
	// ';' in the first 64 KiB (',' when none occurs).
	Comma rune `json:"comma,omitempty"`
	// Sheet is the XLSX worksheet to read; "" reads the first one.
	Sheet string `json:"sheet,omitempty"`
	// MaxErrors caps the problems kept in Errors (all are counted in
	// Errors.Total): 0 means DefaultMaxErrors, a negative value no cap.
	MaxErrors int `json:"max_errors,omitempty"`
}

func (o Options) maxErrors() int {
	switch {
	case o.MaxErrors == 0:
		return DefaultMaxErrors
	case o.MaxErrors < 0:
		return int(^uint(0) >> 1)
	}
	return o.MaxErrors
}

// ParseMapping parses an explicit mapping written as
// "street=街道名称,household=户号": comma-separated field=header pairs.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		f := Field(strings.TrimSpace(k))
		if !ok || !f.Valid() || strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("%q is not field=header with field one of street, community, household, building, size", pair)
		}
		m[f] = strings.TrimSpace(v)
	}
	return m, nil
}
