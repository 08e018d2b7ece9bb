package fieldtest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/minyi-survey/minyi/internal/store"
)

// CheckCounts fails t unless the fieldwork counts the assignments'
// triggers keep for the round (fieldwork_counts, fieldwork_hours) equal a
// recount of its assignments.
func CheckCounts(t testing.TB, db *store.DB, roundID int64) {
	t.Helper()
	hour := "CAST(strftime('%s', last_visit_at) AS INTEGER) / 3600"
	if db.Dialect() == store.Postgres {
		hour = "CAST(floor(extract(epoch FROM last_visit_at) / 3600) AS BIGINT)"
	}
	kept := table(t, db, "SELECT street_id, community_id, interviewer_id, category, n, visits FROM fieldwork_counts WHERE round_id = ? ORDER BY 1, 2, 3, 4", roundID)
	recount := table(t, db, "SELECT COALESCE(street_id, 0), COALESCE(community_id, 0), COALESCE(interviewer_id, 0), COALESCE(category, ''), "+
		"COUNT(*), SUM(attempts) FROM assignments WHERE round_id = ? GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4", roundID)
	if !slices.Equal(kept, recount) || len(kept) == 0 {
		t.Fatalf("counts kept\n%v\nrecounted\n%v", kept, recount)
	}
	kept = table(t, db, "SELECT street_id, hour, category, n FROM fieldwork_hours WHERE round_id = ? ORDER BY 1, 2, 3", roundID)
	recount = table(t, db, "SELECT COALESCE(street_id, 0), "+hour+", category, COUNT(*) FROM assignments "+
		"WHERE round_id = ? AND category IS NOT NULL AND last_visit_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", roundID)
	if !slices.Equal(kept, recount) {
		t.Fatalf("hours kept\n%v\nrecounted\n%v", kept, recount)
	}
}

// CheckSums fails t unless the per-PSU sums kept for the round equal, to
// rounding, the sums rebuilt from its rows by store.RebuildSums (which
// leaves the rebuilt sums in place and writes its audit entry).
func CheckSums(t testing.TB, db *store.DB, roundID int64) {
	t.Helper()
	const q = "SELECT grp, indicator, psu, code, cal_cell, street_id, community_id, rows_n, n, " +
		"sum_w, sum_w_present, sum_wy, sum_wy2, sum_y FROM psu_sums WHERE round_id = ? ORDER BY grp, indicator, psu, code, cal_cell"
	type row struct {
		key  string
		sums [5]float64
	}
	read := func() []row {
		rows, err := db.Writer().QueryContext(context.Background(), db.Writer().Rebind(q), roundID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var (
				grp, ind                       string
				psu, code, cell, st, com, k, n int64
				r                              row
			)
			if err := rows.Scan(&grp, &ind, &psu, &code, &cell, &st, &com, &k, &n, &r.sums[0], &r.sums[1], &r.sums[2], &r.sums[3], &r.sums[4]); err != nil {
				t.Fatal(err)
			}
			r.key = fmt.Sprint(grp, ind, psu, code, cell, st, com, k, n)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	kept := read()
	if err := db.RebuildSums(context.Background(), store.System, roundID, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := read()
	if len(kept) != len(rebuilt) || len(kept) == 0 {
		t.Fatalf("%d sum rows kept, %d rebuilt", len(kept), len(rebuilt))
	}
	for i := range kept {
		same := kept[i].key == rebuilt[i].key
		for j := range kept[i].sums {
			a, b := kept[i].sums[j], rebuilt[i].sums[j]
			same = same && math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
		}
		if !same {
			t.Fatalf("sum row %d kept %v, rebuilt %v", i, kept[i], rebuilt[i])
		}
	}
}

// table returns the rows of q (one placeholder: the round) as strings.
func table(t testing.TB, db *store.DB, q string, roundID int64) []string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), db.Writer().Rebind(q), roundID)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
