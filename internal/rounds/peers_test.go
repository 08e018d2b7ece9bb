package rounds_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/fieldwork"
	"github.com/minyi-survey/minyi/internal/rounds"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestQualityPeers checks the overlap and repeated-pattern flags against
// an interviewer's earlier responses, which the database now narrows to
// those that can be flagged (same pattern, or an overlapping interval).
func TestQualityPeers(t *testing.T) {
	at := func(hh, mm, ss int) *time.Time {
		x := time.Date(2026, 11, 20, hh, mm, ss, 0, time.UTC)
		return &x
	}
	a := fieldtest.Answers(true, true, [4]int{1, 2, 1, 2})
	b := fieldtest.Answers(false, true, [4]int{2, 3, 2, 3})
	c := fieldtest.Answers(true, false, [4]int{1, 1, 2, 4})
	tests := []struct {
		answers       string
		from, to      *time.Time
		overlap       []int // indexes of earlier responses named in the overlap flag
		samePatternAs []int // … and in the repeated-pattern flag
	}{
		{a, at(2, 0, 0), at(2, 30, 0), nil, nil},
		{b, at(2, 20, 0), at(2, 50, 0), []int{0}, nil},
		{a, at(4, 0, 0), at(4, 30, 0), nil, []int{0}},
		{b, nil, nil, nil, []int{1}},
		{c, at(2, 29, 30), at(3, 0, 0), []int{1}, nil}, // 30 s with #0 is within the tolerance
		{c, at(2, 40, 0), nil, nil, []int{4}},          // no end: nothing overlaps
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := fieldtest.New(t, db, fieldtest.Small)
		f.AssignStreet(t, 1)
		as := assignments(t, f, "int1a")
		ids := make([]int64, len(tests))
		for i, tc := range tests {
			res, err := f.Service.Submit(ctx, f.Caller("int1a"), rounds.ResponseRequest{
				ClientID: fmt.Sprintf("30000000-0000-4000-8000-%012d", i), AssignmentID: as[i].ID,
				QuestionnaireVersion: f.Round.QuestionnaireVersion, Answers: []byte(tc.answers),
				StartedAt: tc.from, CompletedAt: tc.to,
			})
			if err != nil {
				t.Fatalf("response %d: %v", i, err)
			}
			ids[i] = res.ID
			for _, want := range []struct {
				code string
				of   []int
			}{{fieldwork.FlagOverlap, tc.overlap}, {fieldwork.FlagRepeatedPattern, tc.samePatternAs}} {
				var detail string
				for _, fl := range res.Flags {
					if fl.Code == want.code {
						detail = fl.Detail
					}
				}
				var named []string
				for _, j := range want.of {
					named = append(named, fmt.Sprint(ids[j]))
				}
				switch {
				case len(want.of) == 0 && detail != "":
					t.Errorf("response %d flagged %s: %s", i, want.code, detail)
				case len(want.of) > 0 && !strings.Contains(detail, strings.Join(named, ", ")):
					t.Errorf("response %d: %s flag %q, want it to name %v", i, want.code, detail, named)
				}
			}
		}
	})
}
