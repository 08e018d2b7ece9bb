package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/stats"
	"github.com/minyi-survey/minyi/internal/stats/designcsv"
)

// estimateRun runs `minyi estimate` in-process and returns stdout.
func estimateRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"estimate"}, args...), &Env{
		Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
	})
	return out.String(), err
}

func writeCSV(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "responses.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type estimateJSON struct {
	Estimates []struct {
		Variable string   `json:"variable"`
		Domain   *string  `json:"domain"`
		Estimate *float64 `json:"estimate"`
		SE       *float64 `json:"se"`
		CILow    *float64 `json:"ci_low"`
		CIHigh   *float64 `json:"ci_high"`
		Deff     *float64 `json:"deff"`
		N        int64    `json:"n"`
		DF       int      `json:"df"`
	} `json:"estimates"`
}

func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func near(got, want, rel float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+1e-14
}

// TestEstimateMatchesR runs the command on the synthetic sample of
// internal/stats/testdata and compares with R's survey package (the
// golden file made by internal/stats/testdata/golden.R).
func TestEstimateMatchesR(t *testing.T) {
	data := filepath.Join("..", "stats", "testdata", "synth.csv")
	b, err := os.ReadFile(filepath.Join("..", "stats", "testdata", "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Name    string `json:"name"`
			Results []struct {
				Variable string     `json:"variable"`
				Domain   *string    `json:"domain"`
				N        int64      `json:"n"`
				DF       int        `json:"df"`
				Est      *float64   `json:"est"`
				SE       *float64   `json:"se"`
				Deff     *float64   `json:"deff"`
				Logit    []*float64 `json:"logit"`
				Asin     []*float64 `json:"asin"`
				Beta     []*float64 `json:"beta"`
				Wald     []*float64 `json:"wald"`
			} `json:"results"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	// "" is the default: the logit interval (issue 6's contract).
	for _, ci := range []string{"", "asin", "logit", "beta", "wald"} {
		t.Run("ci="+ci, func(t *testing.T) {
			args := []string{"--data", data, "--strata", "stratum", "--cluster", "psu", "--weight", "w", "--vars", "y1,y2,score", "--by", "dom"}
			if ci != "" {
				args = append(args, "--ci", ci)
			}
			out, err := estimateRun(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var got estimateJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(got.Estimates) != 3*5 {
				t.Fatalf("%d estimates, want 15", len(got.Estimates))
			}
			checked := 0
			for _, r := range golden.Cases[0].Results {
				if r.Variable == "y3" || r.Variable == "y4" {
					continue
				}
				for _, e := range got.Estimates {
					if e.Variable != r.Variable || (e.Domain == nil) != (r.Domain == nil) || (e.Domain != nil && *e.Domain != *r.Domain) {
						continue
					}
					checked++
					if e.N != r.N || e.DF != r.DF {
						t.Errorf("%s %v: n %d df %d, R %d %d", r.Variable, r.Domain, e.N, e.DF, r.N, r.DF)
					}
					if r.N == 0 {
						if e.Estimate != nil || e.CILow != nil {
							t.Errorf("%s %v: an estimate without responses", r.Variable, r.Domain)
						}
						continue
					}
					lo, hi := r.Wald[0], r.Wald[1]
					if r.Variable != "score" && ci == "asin" {
						lo, hi = r.Asin[0], r.Asin[1]
					}
					if r.Variable != "score" && (ci == "" || ci == "logit") {
						lo, hi = r.Logit[0], r.Logit[1]
					}
					if r.Variable != "score" && ci == "beta" {
						lo, hi = r.Beta[0], r.Beta[1]
					}
					if !near(val(e.Estimate), val(r.Est), 1e-9) || !near(val(e.SE), val(r.SE), 1e-9) ||
						!near(val(e.Deff), val(r.Deff), 1e-6) || !near(val(e.CILow), val(lo), 1e-6) || !near(val(e.CIHigh), val(hi), 1e-6) {
						t.Errorf("%s %v: got %v ± %v [%v, %v] deff %v; R %v ± %v [%v, %v] deff %v", r.Variable, r.Domain,
							val(e.Estimate), val(e.SE), val(e.CILow), val(e.CIHigh), val(e.Deff), val(r.Est), val(r.SE), val(lo), val(hi), val(r.Deff))
					}
				}
			}
			if checked != 15 {
				t.Fatalf("checked %d estimates against R, want 15", checked)
			}
		})
	}
}

const smallCSV = "\ufeffstreet,community,w,fpc,know,score,age\n" +
	"东街,c1,10,20,1,80,old\n" +
	"东街,c1,12,20,0,NA,young\n" +
	"东街,c2,9,20,1,60,\n" +
	"东街,c2,11,20,,90,old\n" +
	"西街,c1,20,0.25,1,100,young\n" + // c1 again, but nested in 西街
	"西街,c3,22,0.25,NA,70,old\n" +
	"西街,c3,18,0.25,0,75,old\n"

func TestEstimateOutput(t *testing.T) {
	// The fpc of 西街 as a count, like 东街's.
	p := writeCSV(t, strings.ReplaceAll(smallCSV, ",0.25,", ",8,"))
	t.Run("json", func(t *testing.T) {
		out, err := estimateRun(t, "--data", p, "--strata", "street", "--cluster", "community", "--weight", "w",
			"--fpc", "fpc", "--vars", "know,score", "--by", "age")
		if err != nil {
			t.Fatal(err)
		}
		var got estimateJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		want := []struct {
			v, dom string
			n      int64
		}{{"know", "", 5}, {"know", "old", 2}, {"know", "young", 2}, {"score", "", 6}, {"score", "old", 4}, {"score", "young", 1}}
		if len(got.Estimates) != len(want) {
			t.Fatalf("%d estimates, want %d:\n%s", len(got.Estimates), len(want), out)
		}
		for i, w := range want {
			e := got.Estimates[i]
			dom := ""
			if e.Domain != nil {
				dom = *e.Domain
			}
			if e.Variable != w.v || dom != w.dom || e.N != w.n || (w.dom == "" && e.Domain != nil) {
				t.Errorf("estimate %d: %s/%s n=%d, want %s/%s n=%d", i, e.Variable, dom, e.N, w.v, w.dom, w.n)
			}
		}
		// know overall: Σwy/Σw over the 5 responses with a value.
		if e := got.Estimates[0]; !near(val(e.Estimate), (10+9+20)/(10+12.0+9+20+18), 1e-15) || e.DF != 2 {
			t.Errorf("know: %v df %d", val(e.Estimate), e.DF)
		}
		if !strings.Contains(out, `"domain":null`) {
			t.Errorf("no null domain in\n%s", out)
		}
	})
	t.Run("csv", func(t *testing.T) {
		out, err := estimateRun(t, "--data", p, "--strata", "street", "--cluster", "community", "--weight", "w",
			"--vars", "know", "--format", "csv", "--ci", "wald", "--level", "0.9")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "\ufeff") {
			t.Fatalf("no byte-order mark for Excel:\n%s", out)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || strings.Join(recs[0], ",") != "variable,domain,estimate,se,ci_low,ci_high,deff,n,df" {
			t.Fatalf("unexpected CSV:\n%s", out)
		}
		if recs[1][0] != "know" || recs[1][1] != "" || recs[1][7] != "5" || recs[1][8] != "2" {
			t.Fatalf("unexpected row %q", recs[1])
		}
	})
	t.Run("help", func(t *testing.T) {
		out, err := estimateRun(t, "-h")
		if err != nil || !strings.Contains(out, "--lonely-psu") {
			t.Fatalf("help: %v\n%s", err, out)
		}
	})
}

func TestEstimateBadInput(t *testing.T) {
	base := []string{"--strata", "street", "--cluster", "community", "--weight", "w", "--vars", "know"}
	for _, c := range []struct {
		name string
		csv  string
		args []string
		want []string // all must appear in the message
	}{
		{"unknown column", smallCSV, []string{"--strata", "street", "--cluster", "community", "--weight", "weight", "--vars", "know"}, []string{"line 1", `"weight"`, "--weight"}},
		{"unknown var", smallCSV, []string{"--strata", "street", "--cluster", "community", "--weight", "w", "--vars", "know,care"}, []string{"line 1", `"care"`}},
		{"non-numeric value", strings.Replace(smallCSV, ",12,20,0,", ",12,20,yes,", 1), base, []string{"line 3", `"know"`, `"yes"`}},
		{"non-numeric weight", strings.Replace(smallCSV, ",12,20,", ",twelve,20,", 1), base, []string{"line 3", `"w"`, "not a number"}},
		{"negative weight", strings.Replace(smallCSV, ",9,20,", ",-9,20,", 1), base, []string{"line 4", `"w"`, "must be positive"}},
		{"zero weight", strings.Replace(smallCSV, ",22,0.25,", ",0,0.25,", 1), base, []string{"line 7", `"w"`, "must be positive"}},
		{"infinite value", strings.Replace(smallCSV, ",20,1,80,", ",20,Inf,80,", 1), base, []string{"line 2", `"know"`}},
		{"missing stratum", strings.Replace(smallCSV, "东街,c2,9", ",c2,9", 1), base, []string{"line 4", `"street"`, "missing"}},
		{"lonely PSU", smallCSV + "南街,c9,5,1,1,1,old\n", base, []string{"line 9", `"street"`, `"南街"`, "only one PSU", "--lonely-psu"}},
		{"fpc varies in a stratum", strings.Replace(smallCSV, "东街,c2,9,20", "东街,c2,9,21", 1), append([]string{"--fpc", "fpc"}, base...), []string{"line 4", `"fpc"`, "line 2"}},
		{"fpc mixes counts and fractions", smallCSV, append([]string{"--fpc", "fpc"}, base...), []string{`"fpc"`, "mixes"}},
		{"ragged row", smallCSV + "北街,c1,1\n", base, []string{"line 9", "number of fields"}},
		{"bad quote", smallCSV + "北街,\"c1,1\n", base, []string{"line 9"}},
		{"header only", "street,community,w,know\n", base, []string{"no responses"}},
		{"empty file", "", base, []string{"empty"}},
		{"no --vars", smallCSV, []string{"--strata", "street", "--cluster", "community", "--weight", "w"}, []string{"--vars is required"}},
		{"bad --ci", smallCSV, append([]string{"--ci", "wilson"}, base...), []string{"--ci", "wilson"}},
		{"bad --lonely-psu", smallCSV, append([]string{"--lonely-psu", "drop"}, base...), []string{"--lonely-psu", "drop"}},
		{"bad --level", smallCSV, append([]string{"--level", "95"}, base...), []string{"--level"}},
		{"bad --format", smallCSV, append([]string{"--format", "xml"}, base...), []string{"--format"}},
		{"control character in a stratum", strings.Replace(smallCSV, "东街,c2,9", "东\x1b[2J街,c2,9", 1), base, []string{"line 4", `"street"`, "control character"}},
		{"control character in a domain", strings.Replace(smallCSV, ",old\n", ",o\x00ld\n", 1), append([]string{"--by", "age"}, base...), []string{"control character"}},
		{"invalid UTF-8 in the header", strings.Replace(smallCSV, ",age\n", ",a\xffge\n", 1), base, []string{"line 1", "column 7", "not valid UTF-8"}},
		{"var twice", smallCSV, []string{"--strata", "street", "--cluster", "community", "--weight", "w", "--vars", "know,know"}, []string{"twice"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"--data", writeCSV(t, c.csv)}, c.args...)
			_, err := estimateRun(t, args...)
			if err == nil {
				t.Fatal("no error")
			}
			if ExitCode(err) != 2 || !apperr.Is(err, apperr.Invalid) {
				t.Errorf("exit code %d (%v), want 2", ExitCode(err), err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err.Error(), w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := estimateRun(t, append([]string{"--data", filepath.Join(t.TempDir(), "nope.csv")}, base...)...)
		if ExitCode(err) != 2 {
			t.Fatalf("exit %d: %v", ExitCode(err), err)
		}
	})
}

// FuzzEstimateCSV feeds arbitrary bytes to the CSV reader of estimate: it
// must return a result or an Invalid error, never panic.
func FuzzEstimateCSV(f *testing.F) {
	f.Add([]byte(smallCSV))
	f.Add([]byte("street,community,w,fpc,know,score,age\na,b,1,2,1,1,x\na,c,1,2,0,NA,\n"))
	f.Add([]byte("street,community,w,fpc,know,score,age\n\"a\nb\",c,1e308,1,1,-0,y\n"))
	f.Add([]byte("street,community\n"))
	f.Add([]byte{0xef, 0xbb, 0xbf, '"'})
	o := &designcsv.Spec{Name: "fuzz.csv", Strata: "street", Cluster: "community", Weight: "w", FPC: "fpc",
		Vars: []string{"know", "score"}, By: "age", Options: stats.Options{Level: 0.95}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lonely := range []stats.LonelyPSU{stats.LonelyFail, stats.LonelyAdjust} {
			oo := *o
			oo.LonelyPSU = lonely
			res, err := designcsv.Estimate(context.Background(), bytes.NewReader(data), &oo)
			if err != nil {
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
				}
				continue
			}
			var buf bytes.Buffer
			if err := writeEstimatesJSON(&buf, res); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(buf.Bytes()) {
				t.Fatalf("invalid JSON:\n%s", buf.String())
			}
		}
	})
}
