package frameload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/frame"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

const goodCSV = "街道,社区,楼栋,门牌号,户人数,备注\n" +
	"城关街道,东门社区,1栋,101,3,\n" +
	"城关街道,东门社区,1栋,102,2,新迁入\n" +
	"城关街道,东门社区,2栋,101,4,\n" +
	"城关街道,西门社区,,7号,,\n" +
	"南湖街道,湖滨社区,3栋,301,1,\n"

func TestImport(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, err := Import(ctx, db, strings.NewReader(goodCSV), "register.csv", frame.Options{}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if f.Version != 1 || f.Households != 5 || f.Communities != 3 || f.Streets != 2 || len(f.SourceSHA256) != 64 {
			t.Fatalf("frame = %+v", f)
		}
		// The same register as GB18030, as Excel on Chinese Windows saves it:
		// a second version, reusing the streets and communities.
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(goodCSV)
		if err != nil {
			t.Fatal(err)
		}
		f2, err := Import(ctx, db, strings.NewReader(gb), "register-gbk.csv", frame.Options{}, store.CLI)
		if err != nil {
			t.Fatal(err)
		}
		if f2.Version != 2 || f2.Households != 5 {
			t.Fatalf("second frame = %+v", f2)
		}
		streets, err := db.Streets(ctx)
		if err != nil || len(streets) != 2 || streets[0].Name != "南湖街道" && streets[1].Name != "南湖街道" {
			t.Fatalf("streets = %+v, %v", streets, err)
		}
		sc, err := db.FrameStreets(ctx, f2.ID)
		if err != nil || len(sc) != 2 {
			t.Fatalf("FrameStreets = %+v, %v", sc, err)
		}
		var attrs string
		if err := db.Reader().Get(&attrs, db.Reader().Rebind("SELECT attrs FROM households WHERE frame_id = ? AND household_key = '102'"), f.ID); err != nil {
			t.Fatal(err)
		}
		if attrs != `{"备注":"新迁入"}` {
			t.Fatalf("attrs = %q", attrs)
		}
		// Integrity the schema leaves to the importer: every household's
		// community belongs to its street, and no household is listed twice.
		var linked, distinct int
		if err := db.Reader().Get(&linked, db.Reader().Rebind(
			"SELECT COUNT(*) FROM households h JOIN communities c ON c.id = h.community_id AND c.street_id = h.street_id JOIN frames f ON f.id = h.frame_id WHERE h.frame_id = ?"), f2.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Reader().Get(&distinct, db.Reader().Rebind(
			"SELECT COUNT(*) FROM (SELECT DISTINCT community_id, building, household_key FROM households WHERE frame_id = ?) d"), f2.ID); err != nil {
			t.Fatal(err)
		}
		if linked != 5 || distinct != 5 {
			t.Fatalf("linked = %d, distinct = %d; want 5 and 5", linked, distinct)
		}
		got, err := db.FrameByVersion(ctx, 0)
		if err != nil || got.Version != 2 {
			t.Fatalf("newest frame = %+v, %v", got, err)
		}
	})
}

// TestImportAtomic: a file with problems imports nothing and reports every
// problem with its line.
func TestImportAtomic(t *testing.T) {
	ctx := context.Background()
	bad := "street,community,household,size\n" +
		"S1,C1,1,2\n" +
		",C1,2,2\n" + // line 3: no street
		"S1,C1,1,3\n" + // line 4: duplicate
		"S1,C2,9,many\n" // line 5: bad size
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := Import(ctx, db, strings.NewReader(bad), "bad.csv", frame.Options{}, store.CLI)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("err = %v", err)
		}
		var fe *frame.Errors
		if !errors.As(apperr.DetailsOf(err).(error), &fe) || fe.Total != 3 {
			t.Fatalf("details = %#v", apperr.DetailsOf(err))
		}
		lines := []int{fe.Problems[0].Line, fe.Problems[1].Line, fe.Problems[2].Line}
		if lines[0] != 3 || lines[1] != 4 || lines[2] != 5 {
			t.Fatalf("problem lines = %v", lines)
		}
		if !strings.Contains(err.Error(), "nothing was imported from bad.csv: frame has 3 problems:\nline 3: street is empty") {
			t.Fatalf("message = %q", err)
		}
		fs, err := db.Frames(ctx)
		if err != nil || len(fs) != 0 {
			t.Fatalf("frames after a failed import = %v, %v", fs, err)
		}
		streets, _ := db.Streets(ctx)
		if len(streets) != 0 {
			t.Fatalf("streets after a failed import = %v", streets)
		}
		// a missing column is reported before any row
		_, err = Import(ctx, db, strings.NewReader("街道,门牌号\nA,1\n"), "nocomm.csv", frame.Options{}, store.CLI)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "community") {
			t.Fatalf("missing column: %v", err)
		}
		_, err = Import(ctx, db, bytes.NewReader(nil), "empty.csv", frame.Options{}, store.CLI)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty file: %v", err)
		}
	})
}

// TestImportStopsEarly: when the database gives up in the middle of a large
// file (here: the request is cancelled), the import returns, writes nothing
// and leaves no reading goroutine behind.
func TestImportStopsEarly(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var b strings.Builder
	b.WriteString("street,community,household\n")
	for i := range 50_000 {
		fmt.Fprintf(&b, "S%d,C%d,%d\n", i%5, i%50, i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Import(ctx, db, strings.NewReader(b.String()), "big.csv", frame.Options{}, store.CLI); err == nil {
		t.Fatal("import with a cancelled context succeeded")
	}
	fs, err := db.Frames(context.Background())
	if err != nil || len(fs) != 0 {
		t.Fatalf("frames = %v, %v", fs, err)
	}
	// the same file imports fine afterwards
	f, err := Import(context.Background(), db, strings.NewReader(b.String()), "big.csv", frame.Options{}, store.CLI)
	if err != nil || f.Households != 50_000 || f.Communities != 50 || f.Streets != 5 {
		t.Fatalf("import = %+v, %v", f, err)
	}
}
