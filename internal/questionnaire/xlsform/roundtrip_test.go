package xlsform_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/questionnaire/xlsform"
	"github.com/minyi-survey/minyi/surveys"
)

// TestRoundTripShipped exports every shipped questionnaire and imports the
// workbook back: the same canonical JSON, so the same content hash.
func TestRoundTripShipped(t *testing.T) {
	names, err := fs.Glob(surveys.FS, "*.yaml")
	if err != nil || len(names) < 2 {
		t.Fatalf("shipped questionnaires: %v %v", names, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			d, err := questionnaire.Load(surveys.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			data, err := xlsform.Write(d, "1")
			if err != nil {
				t.Fatal(err)
			}
			res, err := xlsform.Read(data)
			if err != nil {
				t.Fatalf("import of the export:\n%v", err)
			}
			want, _ := d.CanonicalJSON()
			got, _ := res.Definition.CanonicalJSON()
			if string(got) != string(want) {
				t.Fatalf("round trip differs:\n got %s\nwant %s", got, want)
			}
			wh, _ := d.ContentHash()
			gh, _ := res.Definition.ContentHash()
			if wh != gh {
				t.Errorf("hash %s, want %s", gh, wh)
			}
			if res.Version != "1" {
				t.Errorf("version %q", res.Version)
			}
			if len(res.Warnings) != 0 {
				t.Errorf("warnings: %v", res.Warnings)
			}
			// The same export, opened and saved by LibreOffice Calc
			// (testdata/libreoffice.sh): the same hash again.
			lo, err := os.ReadFile("testdata/" + strings.TrimSuffix(name, ".yaml") + "-libreoffice.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			res, err = xlsform.Read(lo)
			if err != nil {
				t.Fatalf("LibreOffice's copy:\n%v", err)
			}
			if h, _ := res.Definition.ContentHash(); h != wh {
				got, _ := res.Definition.CanonicalJSON()
				t.Errorf("LibreOffice's copy imports as %s, want %s:\n%s", h, wh, got)
			}
		})
	}
}
