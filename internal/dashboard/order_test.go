package dashboard_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

var (
	leagueBody = regexp.MustCompile(`(?s)<table class="table league" id="league-table">.*?<tbody>(.*?)</tbody>`)
	leagueName = regexp.MustCompile(`<th scope="row"><a href="[^"]*">([^<]+)</a></th>`)
	reportRow  = regexp.MustCompile(`<tr><td class="rank">\d+</td><th scope="row">([^<]+)</th>`)
)

// The streets of the dashboard's table, the summary CSV and the report
// follow the district's order: the register's order of first appearance
// (not the code point order of the names), then the order the
// administrator sets; a table sorted by a rate stays sorted by the rate.
func TestDistrictOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed := servertest.SeedDashboard(t, db)
		base := servertest.NewDashServer(t, db)
		analyst := servertest.LoginAs(t, base, "analyst")
		admin := servertest.LoginAs(t, base, "admin")

		// The register's order, read from its lines.
		var register []string
		if err := db.Reader().Select(&register, `SELECT st.name FROM households h JOIN streets st ON st.id = h.street_id
			GROUP BY st.id, st.name ORDER BY MIN(h.line)`); err != nil {
			t.Fatal(err)
		}
		if slices.IsSorted(register) {
			t.Fatalf("the fixture's register lists its streets in code point order (%v): the test would prove nothing", register)
		}
		id := map[string]int64{}
		for _, s := range seed.Streets {
			id[s.Name] = s.ID
		}

		check := func(want []string) {
			t.Helper()
			_, _, _, page := servertest.GetPage(t, analyst, fmt.Sprintf("%s/rounds/%d", base, seed.Round))
			if got := names(t, leagueBody, leagueName, page); !slices.Equal(got, want) {
				t.Errorf("dashboard table = %v, want %v", got, want)
			}
			status, body := servertest.Get(t, analyst, fmt.Sprintf("%s/api/v1/rounds/%d/export/summary?format=csv", base, seed.Round))
			if status != 200 {
				t.Fatalf("summary CSV = %d %s", status, body)
			}
			if got := csvStreets(t, body); !slices.Equal(got, want) {
				t.Errorf("summary CSV = %v, want %v", got, want)
			}
			_, _, _, report := servertest.GetPage(t, analyst, fmt.Sprintf("%s/rounds/%d/report", base, seed.Round))
			var got []string
			for _, m := range reportRow.FindAllStringSubmatch(report, -1) {
				got = append(got, m[1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("report table = %v, want %v", got, want)
			}
		}
		check(register)

		// The administrator reverses it.
		reversed := slices.Clone(register)
		slices.Reverse(reversed)
		ids := make([]string, len(reversed))
		for i, n := range reversed {
			ids[i] = fmt.Sprint(id[n])
		}
		if status, body := servertest.Call(t, admin, "PUT", base+"/api/v1/streets/order", `{"streets":[`+strings.Join(ids, ",")+`]}`); status != 200 {
			t.Fatalf("PUT order = %d %s", status, body)
		}
		if status, _ := servertest.Call(t, analyst, "PUT", base+"/api/v1/streets/order", `{"streets":[`+strings.Join(ids, ",")+`]}`); status != 403 {
			t.Fatalf("an analyst's PUT order = %d, want 403", status)
		}
		check(reversed)

		// Sorted by a rate, the table is in the rate's order.
		_, _, _, page := servertest.GetPage(t, analyst, fmt.Sprintf("%s/rounds/%d", base, seed.Round))
		sortBy := regexp.MustCompile(`data-sort="([^"n][^"]*)"`).FindStringSubmatch(page)
		if sortBy == nil {
			t.Fatal("no rate heading to sort by")
		}
		_, _, _, sorted := servertest.GetPage(t, analyst, fmt.Sprintf("%s/rounds/%d?sort=%s&dir=desc", base, seed.Round, sortBy[1]))
		est := regexp.MustCompile(`data-col="` + regexp.QuoteMeta(sortBy[1]) + `"[^>]*data-estimate="([^"]+)"`)
		var prev float64 = 2
		tbody := leagueBody.FindStringSubmatch(sorted)
		if tbody == nil {
			t.Fatal("no league table when sorted")
		}
		for _, m := range est.FindAllStringSubmatch(tbody[1], -1) {
			var v float64
			if _, err := fmt.Sscan(m[1], &v); err != nil {
				continue // suppressed: last
			}
			if v > prev {
				t.Errorf("sorted by %s descending, %v comes after %v", sortBy[1], v, prev)
			}
			prev = v
		}
	})
}

func names(t *testing.T, table, row *regexp.Regexp, page string) []string {
	t.Helper()
	m := table.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no table on the page")
	}
	var out []string
	for _, r := range row.FindAllStringSubmatch(m[1], -1) {
		out = append(out, r[1])
	}
	return out
}

// csvStreets lists the streets of a summary CSV in order of first
// appearance.
func csvStreets(t *testing.T, body []byte) []string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("empty CSV")
	}
	col := slices.Index(rows[0], "street")
	if col < 0 {
		t.Fatalf("no street column in %v", rows[0])
	}
	var out []string
	for _, row := range rows[1:] {
		if col < len(row) && row[col] != "" && !slices.Contains(out, row[col]) {
			out = append(out, row[col])
		}
	}
	return out
}
