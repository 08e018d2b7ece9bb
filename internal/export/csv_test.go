package export

import (
	"bytes"
	"testing"
)

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	w := NewCSV(&b)
	w.Write([]string{"street", "=SUM(A1)", "+1", "-2", "@x", "\tt", "社区,1"})
	w.WriteRaw([]string{"-0.5", "1e-3"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffstreet,'=SUM(A1),'+1,'-2,'@x,'\tt,\"社区,1\"\n-0.5,1e-3\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
	var empty bytes.Buffer
	if err := NewCSV(&empty).Flush(); err != nil || empty.Len() != 0 {
		t.Fatalf("an unused writer wrote %q", empty.String())
	}
}
