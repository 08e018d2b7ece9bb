package frame

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// benchCSV builds a frame of n households in 20 streets and 400 communities,
// shaped like a real register (Chinese names, building, size, a phone
// attribute).
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 64)
	b.WriteString("街道,社区,楼栋,门牌号,户人数,电话\n")
	per := n / 400
	if per == 0 {
		per = 1
	}
	for i := 0; i < n; i++ {
		c := i / per
		fmt.Fprintf(&b, "第%d街道,第%d社区,%d栋,%d室,%d,1380000%04d\n",
			c%20, c, (i%per)/100, i%per, 1+i%6, i%10000)
	}
	return b.Bytes()
}

func benchmarkRead(b *testing.B, data []byte, rows int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		if err := r.Err(); err != nil {
			b.Fatal(err)
		}
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
		_ = r.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV1M reads a 1,000,000-household CSV frame (~60 MB).
// Run: go test -run '^$' -bench ReadCSV1M -benchtime 3x ./internal/frame
func BenchmarkReadCSV1M(b *testing.B) {
	const n = 1_000_000
	benchmarkRead(b, benchCSV(n), n)
}

// BenchmarkReadGB18030 reads 200,000 households written in GB18030.
func BenchmarkReadGB18030(b *testing.B) {
	const n = 200_000
	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes(benchCSV(n))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkRead(b, data, n)
}

// BenchmarkReadXLSX reads a 100,000-household workbook.
func BenchmarkReadXLSX(b *testing.B) {
	const n = 100_000
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter(f.GetSheetName(0))
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"街道", "社区", "楼栋", "门牌号", "户人数"})
	for i := 0; i < n; i++ {
		c := i / (n / 400)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{"第" + strconv.Itoa(c%20) + "街道", "第" + strconv.Itoa(c) + "社区",
			strconv.Itoa(i%250/50) + "栋", i, 1 + i%6})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	benchmarkRead(b, buf.Bytes(), n)
}
