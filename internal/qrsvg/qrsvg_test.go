package qrsvg

import (
	"regexp"
	"strconv"
	"testing"

	"rsc.io/qr"
)

// The path covers exactly the dark modules of the code: each run of a row
// drawn once, nothing drawn where the code is light.
func TestPathIsTheCode(t *testing.T) {
	text := "https://192.168.1.10:8443/ca.crt"
	got, err := Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := qr.Encode(text, qr.M)
	if got.Size != want.Size || got.Size < 21 {
		t.Fatalf("size %d, want %d", got.Size, want.Size)
	}
	dark := make([]bool, got.Size*got.Size)
	re := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	for _, m := range re.FindAllStringSubmatch(got.Path, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		for i := range n {
			if dark[y*got.Size+x+i] {
				t.Fatalf("module %d,%d drawn twice", x+i, y)
			}
			dark[y*got.Size+x+i] = true
		}
	}
	for y := range got.Size {
		for x := range got.Size {
			if dark[y*got.Size+x] != want.Black(x, y) {
				t.Fatalf("module %d,%d: drawn %v, code %v", x, y, dark[y*got.Size+x], want.Black(x, y))
			}
		}
	}
}
