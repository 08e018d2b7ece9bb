package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/demo"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/simround"
	"github.com/minyi-survey/minyi/internal/simulate"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// simulate district writes a frame that minyi frame import takes as it
// is, the same files for the same seed, and a truth with every indicator.
func TestSimulateDistrict(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	args := []string{"simulate", "district", "--streets", "3", "--communities", "4", "--households", "50", "--seed", "7",
		"--frame", p("f.csv"), "--truth", p("t.json"), "--population", p("pop.csv")}
	out, _, err := runCLI(t, nil, "", args...)
	if err != nil || !strings.Contains(out, "district of 3 streets, 12 communities") {
		t.Fatalf("simulate district = %q, %v", out, err)
	}
	first, _ := os.ReadFile(p("f.csv"))
	truth1, _ := os.ReadFile(p("t.json"))
	if _, _, err := runCLI(t, nil, "", args...); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(p("f.csv"))
	truth2, _ := os.ReadFile(p("t.json"))
	if !bytes.Equal(first, second) || !bytes.Equal(truth1, truth2) {
		t.Error("the same seed wrote different files")
	}
	var truth struct {
		Households int `json:"households"`
		Indicators []struct {
			ID       string  `json:"id"`
			District float64 `json:"district"`
			Streets  []struct {
				Street string  `json:"street"`
				Value  float64 `json:"value"`
			} `json:"streets"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(truth1, &truth); err != nil {
		t.Fatal(err)
	}
	if len(truth.Indicators) != 13 || truth.Indicators[0].ID != "awareness" || len(truth.Indicators[0].Streets) != 3 {
		t.Fatalf("truth indicators: %+v", truth.Indicators)
	}
	rows := strings.Count(string(first), "\n") - 1
	if truth.Households != rows {
		t.Errorf("truth has %d households, frame %d", truth.Households, rows)
	}
	pop, _ := os.ReadFile(p("pop.csv"))
	if n := strings.Count(string(pop), "\n"); n != 1+3*12 {
		t.Errorf("population has %d lines", n)
	}

	env := map[string]string{"DATABASE_URL": storetest.URL(t, storetest.Dialects(t)[0])}
	if _, _, err := runCLI(t, env, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, env, "", "frame", "import", p("f.csv"))
	if err != nil || !strings.Contains(out, " households in 12 communities of 3 streets") {
		t.Fatalf("frame import = %q, %v", out, err)
	}
	// The population counts import as they are, naming the shipped
	// questionnaire's categories (70岁及以上, not 70+), into a database
	// with both shipped questionnaires: the four-rate one by default.
	out, _, err = runCLI(t, env, "", "population", "import", p("pop.csv"), "--questionnaire", "wenming-household")
	if err != nil || !strings.Contains(out, "36 counts by street × E1 × E2") {
		t.Fatalf("population import of the simulated counts = %q, %v", out, err)
	}
	out, _, err = runCLI(t, env, "", "population", "import", p("pop.csv"))
	if err != nil || !strings.Contains(out, "questionnaire wenming-household") {
		t.Fatalf("population import without --questionnaire = %q, %v", out, err)
	}

	for _, bad := range [][]string{
		{"simulate", "district", "--frame", p("x.csv")},
		{"simulate", "district", "--frame", p("x.csv"), "--truth", p("x.json"), "--households", "5"},
		{"simulate", "district", "--frame", p("x.csv"), "--truth", p("x.json"), "--seed", "-1"},
		{"simulate", "district", "--frame", filepath.Join(dir, "no", "such", "dir.csv"), "--truth", p("x.json")},
	} {
		if _, _, err := runCLI(t, nil, "", bad...); err == nil || ExitCode(err) != 2 {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := os.Stat(p("x.csv")); err == nil {
		t.Error("a refused command wrote a file")
	}
}

// simulate round staffs the round and runs simulated days through the
// service, printing a line per day; bad numbers are refused before
// anything is written.
func TestSimulateRound(t *testing.T) {
	d := storetest.Dialects(t)[0]
	url := storetest.URL(t, d)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dist, err := simulate.Generate(simulate.Spec{Streets: 2, Communities: 3, Households: 30, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simround.District(ctx, db, dist, store.System); err != nil {
		t.Fatal(err)
	}
	svc := rounds.New(db)
	if _, err := simround.StartRound(ctx, db, svc, rounds.System, simround.RoundSpec{Name: "R1", Sample: "s1", Questionnaire: "wenming-household", N: 40, PerCommunity: 10, Reserves: 3, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"DATABASE_URL": url}
	for _, bad := range [][]string{
		{"simulate", "round"},
		{"simulate", "round", "--round", "R1", "--refusal", "2"},
		{"simulate", "round", "--round", "R1", "--days", "0"},
		{"simulate", "round", "--round", "R1", "--until", "2999-01-01"},
		{"simulate", "round", "--round", "R1", "--token", "x"},
		{"simulate", "round", "--round", "R1", "--url", "ftp://host", "--token", "x"},
	} {
		if _, _, err := runCLI(t, env, "", bad...); ExitCode(err) != 2 {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, _, err := runCLI(t, env, "", "simulate", "round", "--round", "nope"); err == nil || ExitCode(err) != 1 || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown round: %v", err)
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	out, _, err := runCLI(t, env, "", "simulate", "round", "--round", "R1", "--days", "3", "--interviewers", "2", "--until", yesterday, "--seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"created 6 simulated staff accounts", "day  1 ", "day  3 ", "3 days: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// round list and round show say whose data the round holds.
	if out, _, err = runCLI(t, env, "", "round", "list"); err != nil || !strings.Contains(out, "DATA") || !regexp.MustCompile(`R1\s+mock\s+fieldwork\s+simulated`).MatchString(out) {
		t.Errorf("round list (%v):\n%s", err, out)
	}
	if out, _, err = runCLI(t, env, "", "round", "show", "R1"); err != nil || !strings.Contains(out, "SIMULATED DATA") {
		t.Errorf("round show (%v):\n%s", err, out)
	}
}

// serve seeds the demo into a new database only, prints its accounts
// beside the admin's, and skips it with --no-demo or on a database that is
// not new. (The demo itself is tested in package demo.)
func TestServeDemo(t *testing.T) {
	calls := 0
	seedDemo = func(ctx context.Context, db *store.DB, now time.Time, progress io.Writer) (demo.Result, error) {
		calls++
		return demo.Result{Households: 123, Accounts: []demo.Account{{Username: "demo-analyst", Role: "analyst", Password: "pw-of-the-analyst"}}}, nil
	}
	t.Cleanup(func() { seedDemo = demo.Seed })
	dir := t.TempDir()
	start := func(db string, args ...string) string {
		t.Helper()
		env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(dir, db), "MINYI_ADDR": "127.0.0.1:0"}
		ctx, cancel := context.WithCancel(context.Background())
		out := &lockedBuffer{}
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, append([]string{"serve"}, args...), &Env{Stdout: out, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }})
		}()
		for range 400 {
			if strings.Contains(out.String(), "serving ") && (strings.Contains(out.String(), "keep it safe") || strings.Contains(out.String(), "Log in at")) {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	out := start("a.db")
	if calls != 1 || !strings.Contains(out, "pw-of-the-analyst") || !strings.Contains(out, "123 households") || !strings.Contains(out, "seeding the demo") {
		t.Fatalf("first start (%d seeds):\n%s", calls, out)
	}
	if strings.Index(out, "created the account 'admin'") > strings.Index(out, "pw-of-the-analyst") {
		t.Errorf("the demo accounts come before the admin's:\n%s", out)
	}
	if out := start("a.db"); calls != 1 || strings.Contains(out, "pw-of-the-analyst") {
		t.Errorf("a second start seeded again (%d):\n%s", calls, out)
	}
	if out := start("b.db", "--no-demo"); calls != 1 || strings.Contains(out, "Demo:") || !strings.Contains(out, "keep it safe") {
		t.Errorf("--no-demo seeded (%d):\n%s", calls, out)
	}
}

// simulate design reads a district's frame and truth, reports as JSON in
// the shape (or text), writes the Markdown report and the chart,
// and refuses bad numbers.
func TestSimulateDesign(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	if _, _, err := runCLI(t, nil, "", "simulate", "district", "--streets", "3", "--communities", "8", "--households", "60", "--seed", "2",
		"--frame", p("f.csv"), "--truth", p("t.json")); err != nil {
		t.Fatal(err)
	}
	args := []string{"simulate", "design", "--truth", p("t.json"), "--frame", p("f.csv"), "--n", "240", "--per-community", "10", "--reps", "30", "--seed", "4"}
	out, _, err := runCLI(t, nil, "", append(args, "--markdown", p("r.md"), "--svg", p("r.svg"))...)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Reps     int                        `json:"reps"`
		District map[string]json.RawMessage `json:"district"`
		Streets  []struct {
			Street, Indicator string
			True              *float64 `json:"true"`
			Coverage          *float64 `json:"coverage"`
			PFlag             *float64 `json:"p_flag_below"`
		} `json:"streets"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rep.Reps != 30 || len(rep.District) != 4 || len(rep.Streets) != 12 || rep.Streets[0].True == nil || rep.Streets[0].Coverage == nil || rep.Streets[0].PFlag == nil {
		t.Fatalf("report: %s", out)
	}
	again, _, _ := runCLI(t, nil, "", args...)
	if again != out {
		t.Error("the same seed gave another report")
	}
	md, _ := os.ReadFile(p("r.md"))
	svg, _ := os.ReadFile(p("r.svg"))
	if !strings.Contains(string(md), "minyi simulate design --truth") || !strings.Contains(string(md), "](r.svg)") || !strings.Contains(string(md), "| **district** | awareness |") {
		t.Errorf("markdown:\n%s", md)
	}
	if !strings.HasPrefix(string(svg), "<svg") || strings.Count(string(svg), "<circle") < 12 {
		t.Errorf("svg:\n%s", svg)
	}
	text, _, err := runCLI(t, nil, "", append(args, "--format", "text")...)
	if err != nil || !strings.Contains(text, "recommendation:") || strings.Contains(text, "communities:") {
		t.Errorf("text = %q, %v", text, err)
	}
	// Community cells: one per rate in the JSON, a table in the text and
	// in the Markdown.
	cells, _, err := runCLI(t, nil, "", append(args, "--community-cells", "--markdown", p("c.md"))...)
	var crep struct {
		Communities []struct {
			Indicator   string
			Communities int
			Direct      struct{ RMSE *float64 }
			Model       struct {
				RMSE     *float64
				Coverage *float64
			}
		}
	}
	if err != nil || json.Unmarshal([]byte(cells), &crep) != nil || len(crep.Communities) != 4 || crep.Communities[0].Communities == 0 ||
		crep.Communities[0].Direct.RMSE == nil || crep.Communities[0].Model.Coverage == nil {
		t.Errorf("community cells: %v\n%s", err, cells)
	}
	cmd, _ := os.ReadFile(p("c.md"))
	ctext, _, err := runCLI(t, nil, "", append(args, "--community-cells", "--format", "text")...)
	if err != nil || !strings.Contains(ctext, "communities:") || !strings.Contains(ctext, "model RMSE") || !strings.Contains(string(cmd), "## Communities") {
		t.Errorf("community cells text = %q, %v; markdown\n%s", ctext, err, cmd)
	}
	// The interval is named in the text report: arcsine unless asked.
	for ci, want := range map[string]string{"": "asin intervals", "logit": "logit intervals"} {
		a := append(slices.Clone(args), "--format", "text")
		if ci != "" {
			a = append(a, "--ci", ci)
		}
		if out, _, err := runCLI(t, nil, "", a...); err != nil || !strings.Contains(out, want) {
			t.Errorf("--ci %q: %v, want %q in\n%.300s", ci, err, want, out)
		}
	}
	for _, bad := range [][]string{
		{"simulate", "design", "--frame", p("f.csv")},
		append(args, "--reps", "0"),
		append(args, "--response-rate", "0"),
		append(args, "--allocation", "random"),
		append(args, "--format", "xml"),
		append(args, "--ci", "wilson"),
		append(args, "--variance", "srs"),
		{"simulate", "design", "--truth", p("f.csv"), "--frame", p("f.csv")},
		{"simulate", "design", "--truth", p("t.json"), "--frame", p("nope.csv")},
	} {
		if _, _, err := runCLI(t, nil, "", bad...); ExitCode(err) != 2 {
			t.Errorf("%v: %v", bad[2:], err)
		}
	}
}
