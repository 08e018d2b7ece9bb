package results_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/export"
	"github.com/minyi-survey/minyi/internal/results"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
	"github.com/minyi-survey/minyi/internal/weighting"
	"github.com/minyi-survey/minyi/internal/weighting/weighttest"
)

func exportBytes(t *testing.T, db *store.DB, round int64, kind results.ExportKind, o results.ExportOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := results.ExportTo(context.Background(), db, round, kind, o, &b); err != nil {
		t.Fatalf("export %s: %v", kind, err)
	}
	return b.Bytes()
}

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func col(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, header)
	return -1
}

// TestExports checks the responses, summary and codebook exports of the
// weighting fixture on both databases: BOM or not, codes or labels, the
// scope of a supervisor, XLSX sheets with Chinese text.
func TestExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		round := f.Round.ID
		accepted, err := db.Responses(ctx, round, store.Scope{}, store.ResponseFilter{Status: "accepted"})
		if err != nil {
			t.Fatal(err)
		}

		// A register's building name that a spreadsheet would run as a
		// formula (the frame is outside data).
		w := db.Writer()
		if _, err := w.Exec(w.Rebind("UPDATE households SET building = ? WHERE id = (SELECT su.household_id FROM responses r JOIN assignments a ON a.id = r.assignment_id JOIN sample_units su ON su.id = a.sample_unit_id WHERE r.id = ?)"),
			`=HYPERLINK("http://x","点我")`, accepted[0].ID); err != nil {
			t.Fatal(err)
		}

		// Responses as CSV: BOM by default, one line per accepted response,
		// codes; with labels the option labels.
		data := exportBytes(t, db, round, results.ExportResponses, results.ExportOptions{Format: export.FormatCSV})
		if !bytes.HasPrefix(data, []byte("\ufeffresponse_id,")) {
			t.Fatalf("no BOM: %q", data[:20])
		}
		rows := readCSV(t, data)
		if len(rows) != len(accepted)+1 {
			t.Fatalf("%d lines for %d responses", len(rows), len(accepted))
		}
		h := rows[0]
		e1, aware, weight, street := col(t, h, "E1"), col(t, h, "aware"), col(t, h, "weight"), col(t, h, "street")
		if rows[1][e1] != "1" && rows[1][e1] != "2" {
			t.Fatalf("E1 code %q", rows[1][e1])
		}
		if v := rows[1][aware]; v != "0" && v != "1" {
			t.Fatalf("aware %q", v)
		}
		if w, err := strconv.ParseFloat(rows[1][weight], 64); err != nil || w <= 0 {
			t.Fatalf("weight %q", rows[1][weight])
		}
		if !strings.HasPrefix(rows[1][street], "街道") {
			t.Fatalf("street %q", rows[1][street])
		}
		if b := rows[1][col(t, h, "building")]; b != `'=HYPERLINK("http://x","点我")` {
			t.Fatalf("building not defused: %q", b)
		}
		// The design per response: p1, p2 and the certainty flag agree
		// with the sample, and the frame's counts hold the community in
		// the street; base weight = 1/(p1·p2).
		for _, r := range rows[1:] {
			num := func(c string) float64 {
				v, err := strconv.ParseFloat(r[col(t, h, c)], 64)
				if err != nil {
					t.Fatalf("%s %q", c, r[col(t, h, c)])
				}
				return v
			}
			p1, p2, cert, mc, ms := num("p1"), num("p2"), num("certainty"), num("community_households"), num("street_households")
			if !(p1 > 0 && p1 <= 1 && p2 > 0 && p2 <= 1) || (cert == 1) != (p1 == 1) || !(mc >= 1 && ms >= mc) {
				t.Fatalf("design p1 %v p2 %v certainty %v households %v of %v", p1, p2, cert, mc, ms)
			}
			if bw := num("base_weight"); math.Abs(bw*p1*p2-1) > 1e-6 {
				t.Fatalf("base weight %v, 1/(p1·p2) = %v", bw, 1/(p1*p2))
			}
		}
		data = exportBytes(t, db, round, results.ExportResponses, results.ExportOptions{Format: export.FormatCSV, Labels: true, NoBOM: true})
		if !bytes.HasPrefix(data, []byte("response_id,")) {
			t.Fatalf("a BOM with --no-bom: %q", data[:20])
		}
		lrows := readCSV(t, data)
		want := map[string]string{"1": "男", "2": "女"}[rows[1][e1]]
		if lrows[1][e1] != want {
			t.Fatalf("E1 label %q, want %q", lrows[1][e1], want)
		}

		// A supervisor's export holds their street only.
		sup := exportBytes(t, db, round, results.ExportResponses, results.ExportOptions{Format: export.FormatCSV, Scope: store.Scope{StreetID: f.Streets[0].ID}})
		srows := readCSV(t, sup)
		if len(srows) < 2 || len(srows) >= len(rows) {
			t.Fatalf("street 1 has %d of %d lines", len(srows), len(rows))
		}
		for _, r := range srows[1:] {
			if r[street] != f.Streets[0].Name {
				t.Fatalf("a supervisor of %s got %s", f.Streets[0].Name, r[street])
			}
		}

		// Summary: the district and every street, equal to the estimates.
		rep, err := results.ForRound(ctx, db, round, results.RoundRequest{By: "street"})
		if err != nil {
			t.Fatal(err)
		}
		sum := readCSV(t, exportBytes(t, db, round, results.ExportSummary, results.ExportOptions{Format: export.FormatCSV}))
		if len(sum) != len(rep.Estimates)+1 {
			t.Fatalf("%d summary lines for %d figures", len(sum), len(rep.Estimates))
		}
		est := col(t, sum[0], "estimate")
		for i, fg := range rep.Estimates {
			if got, _ := strconv.ParseFloat(sum[i+1][est], 64); got != fg.Value {
				t.Fatalf("line %d: %v, estimate %v", i+2, got, fg.Value)
			}
		}
		ssum := readCSV(t, exportBytes(t, db, round, results.ExportSummary, results.ExportOptions{Format: export.FormatCSV, Scope: store.Scope{StreetID: f.Streets[1].ID}}))
		sid := col(t, ssum[0], "street_id")
		districts := 0
		for _, r := range ssum[1:] {
			switch r[sid] {
			case "":
				districts++
			case strconv.FormatInt(f.Streets[1].ID, 10):
			default:
				t.Fatalf("a supervisor of street 2 got street %s", r[sid])
			}
		}
		if districts == 0 || districts == len(ssum)-1 {
			t.Fatalf("%d district lines of %d", districts, len(ssum)-1)
		}

		// XLSX: responses with the codebook beside them; Chinese text
		// round-trips.
		x, err := excelize.OpenReader(bytes.NewReader(exportBytes(t, db, round, results.ExportResponses, results.ExportOptions{Format: export.FormatXLSX, Labels: true})))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if got := strings.Join(x.GetSheetList(), ","); got != "responses,codebook" {
			t.Fatalf("sheets %s", got)
		}
		xr, _ := x.GetRows("responses")
		if b := xr[1][col(t, h, "building")]; b != `=HYPERLINK("http://x","点我")` {
			t.Fatalf("XLSX building %q (text, kept as it is)", b)
		}
		if fm, _ := x.GetCellFormula("responses", "G2"); fm != "" {
			t.Fatalf("the building became a formula %q", fm)
		}
		if len(xr) != len(accepted)+1 || xr[1][e1] != want || xr[1][street] != rows[1][street] {
			t.Fatalf("responses sheet: %d rows, E1 %q, street %q", len(xr), xr[1][e1], xr[1][street])
		}
		cb, _ := x.GetRows("codebook")
		found := false
		for _, r := range cb {
			if len(r) > 4 && r[0] == "option" && r[1] == "E2" && r[4] == "60岁及以上" {
				found = true
			}
		}
		if !found {
			t.Fatalf("codebook lacks E2's option 60岁及以上: %q", cb)
		}
		sx, err := excelize.OpenReader(bytes.NewReader(exportBytes(t, db, round, results.ExportSummary, results.ExportOptions{Format: export.FormatXLSX})))
		if err != nil {
			t.Fatal(err)
		}
		defer sx.Close()
		if got := strings.Join(sx.GetSheetList(), ","); got != "rates,means" {
			t.Fatalf("summary sheets %s", got)
		}
		if v, _ := sx.GetCellValue("rates", "G2"); !strings.HasSuffix(v, "%") {
			t.Fatalf("a rate shows as %q", v)
		}
	})
}

// TestRBundle runs the R bundle's script with R (when R with the survey
// package is installed; with CI set it must be) and checks that R
// reproduced minyi's figures.
func TestRBundle(t *testing.T) {
	rscript, err := exec.LookPath("Rscript")
	if err == nil {
		err = exec.Command(rscript, "-e", "suppressMessages(library(survey))").Run()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but Rscript with the survey package is missing (apt-get install r-cran-survey): %v", err)
		}
		t.Skipf("Rscript with the survey package is not installed (apt-get install r-cran-survey): %v", err)
	}
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	f := weighttest.New(t, db)
	check := func(db *store.DB, round int64, stage string, lonely ...stats.LonelyPSU) {
		t.Helper()
		var o results.ExportOptions
		if len(lonely) > 0 {
			o.LonelyPSU = lonely[0]
		}
		data := exportBytes(t, db, round, results.ExportRBundle, o)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var names []string
		for _, zf := range zr.File {
			names = append(names, zf.Name)
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			os.WriteFile(filepath.Join(dir, zf.Name), b, 0o600)
		}
		if got := strings.Join(names, ","); got != "responses.csv,dispositions.csv,minyi.csv,communities.csv,verify.R" && got != "responses.csv,dispositions.csv,population.csv,minyi.csv,communities.csv,verify.R" {
			t.Fatalf("bundle holds %v", names)
		}
		cmd := exec.Command(rscript, "verify.R")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			fig, _ := os.ReadFile(filepath.Join(dir, "r_figures.csv"))
			t.Fatalf("%s: Rscript verify.R: %v\n%s\n%s", stage, err, out, fig)
		}
		if !strings.Contains(string(out), "community direct standard errors:") {
			t.Fatalf("%s: verify.R did not check the community estimates:\n%s", stage, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "r_figures.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows := readCSV(t, b)
		rep, err := results.ForRound(ctx, db, round, results.RoundRequest{By: "street", LonelyPSU: o.LonelyPSU})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != len(rep.Estimates) {
			t.Fatalf("%s: R compared %d figures of %d\n%s", stage, len(rows)-1, len(rep.Estimates), out)
		}
		t.Logf("%s: %s", stage, strings.TrimSpace(string(out)))
	}
	check(db, f.Round.ID, "base weights")
	if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Nonresponse: "street", Calibration: "none"}, store.System); err != nil {
		t.Fatal(err)
	}
	check(db, f.Round.ID, "non-response adjusted weights")
	// A questionnaire with a composite index (svycontrast in R).
	seeded := storetest.Open(t, store.SQLite)
	check(seeded, storetest.SeedRound(t, seeded, 3000, 4, 24), "seeded round with a composite")
	// Three streets of one community each (lonely PSUs), as the dashboard
	// estimates them: lonely_psu=adjust in minyi and in R.
	lonely := storetest.Open(t, store.SQLite)
	check(lonely, storetest.SeedRound(t, lonely, 1000, 4, 5), "lonely PSUs adjusted", stats.LonelyAdjust)
	// Calibrated rounds: verify.R redoes the non-response adjustment, the
	// within-household factor and the calibration from the exports, checks
	// each step and the final weights, and reproduces every figure.
	people, err := weighting.ImportPopulation(ctx, db, bytes.NewReader([]byte(weighttest.PopulationCSV())), weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System)
	if err != nil {
		t.Fatal(err)
	}
	margins := [][]string{{"street", "E1"}, {"street", "E2"}}
	for _, c := range []struct {
		name string
		cfg  weighting.Config
	}{
		{"post-stratified to people", weighting.Config{Calibration: "poststratify", Variables: []string{"street", "E1", "E2"}}},
		{"raked to people", weighting.Config{Calibration: "rake", Margins: margins}},
		{"raked on E1 and E2 alone, classes by community", weighting.Config{Nonresponse: "community", Calibration: "rake", Margins: [][]string{{"E1"}, {"E2"}}}},
		{"bounded raking", weighting.Config{Calibration: "calibrate", CalFun: "raking", Bounds: []float64{0.5, 1.6}, Margins: margins}},
		{"bounded logit", weighting.Config{Calibration: "calibrate", CalFun: "logit", Bounds: []float64{0.6, 1.6}, Margins: margins}},
	} {
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, c.cfg, store.System); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		check(db, f.Round.ID, c.name)
	}
	// Household counts: household weights post-stratified by street.
	var households strings.Builder
	households.WriteString("街道,户数\n街道1,170\n街道2,160\n")
	if _, err := weighting.ImportPopulation(ctx, db, strings.NewReader(households.String()), weighting.ImportSpec{Questionnaire: "weigh", Name: "households.csv"}, store.System); err != nil {
		t.Fatal(err)
	}
	if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{}, store.System); err != nil {
		t.Fatal(err)
	}
	check(db, f.Round.ID, "household weights calibrated to households")
	// Refused age groups, each remedy: verify.R calibrates on what the
	// export says was imputed (cal_E2).
	refusing := storetest.Open(t, store.SQLite)
	rf := weighttest.NewWith(t, refusing, weighttest.Options{RefuseAge: weighttest.RefusesAge})
	if _, err := weighting.ImportPopulation(ctx, refusing, strings.NewReader(weighttest.PopulationCSV()), weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System); err != nil {
		t.Fatal(err)
	}
	for _, remedy := range []string{"collapse:3", "hotdeck"} {
		if _, err := weighting.Weigh(ctx, refusing, rf.Round.ID, weighting.Config{Calibration: "rake", Margins: margins, Missing: map[string]string{"E2": remedy}}, store.System); err != nil {
			t.Fatalf("%s: %v", remedy, err)
		}
		check(refusing, rf.Round.ID, "refused age groups, "+remedy)
	}
	// A street's bundle of a calibrated round, and a trimmed calibration,
	// are refused, not verified wrongly.
	if err := results.ExportTo(ctx, db, f.Round.ID, results.ExportRBundle, results.ExportOptions{Scope: store.Scope{StreetID: f.Streets[0].ID}}, io.Discard); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a street's R bundle of a calibrated round: %v", err)
	}
	if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: margins, Trim: 1.5, Population: people.ID}, store.System); err != nil {
		t.Fatal(err)
	}
	if err := results.ExportTo(ctx, db, f.Round.ID, results.ExportRBundle, results.ExportOptions{}, io.Discard); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("R bundle of a trimmed calibration: %v", err)
	}
}

// TestWeightingExports: after a weighting, the responses export carries
// each step from base weight to final weight, and the dispositions export
// every household with its part in the weighting (the R bundle test
// redoes the weighting from both).
func TestWeightingExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := weighttest.New(t, db)
		if _, err := weighting.ImportPopulation(ctx, db, bytes.NewReader([]byte(weighttest.PopulationCSV())), weighting.ImportSpec{Questionnaire: "weigh", Name: "population.csv"}, store.System); err != nil {
			t.Fatal(err)
		}
		if _, err := weighting.Weigh(ctx, db, f.Round.ID, weighting.Config{Calibration: "rake", Margins: [][]string{{"street", "E1"}, {"street", "E2"}}}, store.System); err != nil {
			t.Fatal(err)
		}
		disp := readCSV(t, exportBytes(t, db, f.Round.ID, results.ExportDispositions, results.ExportOptions{Format: export.FormatCSV}))
		h := disp[0]
		roles := map[string]int{}
		for _, r := range disp[1:] {
			roles[r[col(t, h, "role")]]++
			if r[col(t, h, "disposition")] == "not_eligible" && r[col(t, h, "response_id")] != "" && r[col(t, h, "role")] != "ineligible" {
				t.Errorf("a screened-out interview is %s", r[col(t, h, "role")])
			}
			if r[col(t, h, "sample_factor")] != "1" || r[col(t, h, "base_weight")] == "" || r[col(t, h, "nr_class")] == "" {
				t.Errorf("household %s: sample factor %s, base weight %s, class %q", r[0], r[col(t, h, "sample_factor")], r[col(t, h, "base_weight")], r[col(t, h, "nr_class")])
			}
		}
		if len(disp) != 121 || roles["respondent"] != 78 || roles["nonrespondent"] != 12 || roles["ineligible"] != 12 || roles["unknown"] != 18 {
			t.Fatalf("%d households, roles %v", len(disp)-1, roles)
		}
		resp := readCSV(t, exportBytes(t, db, f.Round.ID, results.ExportResponses, results.ExportOptions{Format: export.FormatCSV}))
		h = resp[0]
		num := func(r []string, name string) float64 {
			x, err := strconv.ParseFloat(r[col(t, h, name)], 64)
			if err != nil {
				t.Fatalf("%s = %q", name, r[col(t, h, name)])
			}
			return x
		}
		screened := 0
		for _, r := range resp[1:] {
			if r[col(t, h, "disposition")] == "not_eligible" {
				screened++
				if r[col(t, h, "weight")] != "" || r[col(t, h, "nr_factor")] != "" {
					t.Errorf("a screened-out interview has weight %q, factor %q", r[col(t, h, "weight")], r[col(t, h, "nr_factor")])
				}
				continue
			}
			input := num(r, "base_weight") * num(r, "sample_factor") * num(r, "nr_factor") * num(r, "hh_factor")
			if math.Abs(input-num(r, "input_weight")) > 1e-9*input || math.Abs(input*num(r, "cal_factor")-num(r, "weight")) > 1e-9*input {
				t.Errorf("response %s: %v × %v ≠ %v", r[0], input, num(r, "cal_factor"), num(r, "weight"))
			}
			if num(r, "hh_factor") != num(r, "E5") || r[col(t, h, "cal_E1")] != r[col(t, h, "E1")] || r[col(t, h, "cal_cell")] == "" {
				t.Errorf("response %s: hh %v for E5 %v, cal_E1 %q for E1 %q", r[0], num(r, "hh_factor"), num(r, "E5"), r[col(t, h, "cal_E1")], r[col(t, h, "E1")])
			}
		}
		if screened != 6 {
			t.Errorf("%d screened-out interviews in the responses export, want 6", screened)
		}
	})
}

// A street's summary never names another street in its error (issue 23
// item 7): with one community sampled in some street, the district
// figures of every street's summary fail under lonely_psu=fail, and the
// error a supervisor gets says what to choose without the other street's
// name.
func TestScopedErrorsStayInScope(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	round := storetest.SeedRound(t, db, 1000, 4, 5) // 4 streets, 5 PSUs: some street has one
	streets, err := db.Streets(ctx)
	if err != nil || len(streets) < 4 {
		t.Fatalf("streets %v, %v", streets, err)
	}
	failed := 0
	for _, own := range streets {
		err := results.ExportTo(ctx, db, round, results.ExportSummary, results.ExportOptions{Format: export.FormatCSV, Scope: store.Scope{StreetID: own.ID}, LonelyPSU: stats.LonelyFail}, io.Discard)
		if err == nil {
			continue
		}
		failed++
		text := err.Error() + fmt.Sprint(apperr.FieldsOf(err))
		for _, other := range streets {
			if other.ID != own.ID && strings.Contains(text, other.Name) {
				t.Errorf("%s's summary error names %s: %s", own.Name, other.Name, text)
			}
		}
		if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)["lonely_psu"] == "" {
			t.Errorf("%s's summary error: %v", own.Name, err)
		}
	}
	if failed == 0 {
		t.Fatal("no summary failed: the round has no lonely PSU to test with")
	}
	// Unscoped (the district office), the stratum is named.
	if err := results.ExportTo(ctx, db, round, results.ExportSummary, results.ExportOptions{Format: export.FormatCSV, LonelyPSU: stats.LonelyFail}, io.Discard); err == nil || !strings.Contains(err.Error(), "has only one PSU") {
		t.Errorf("district summary: %v", err)
	}
}
