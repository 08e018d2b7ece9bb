package streetoffice_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestStreetPagesContent checks what the pages show and to whom: a
// supervisor sees their own street only; an administrator the street
// chosen (or all); the review page shows the answers with the labels of
// the page's language.
func TestStreetPagesContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		x := newStreetFixture(t, db)
		r := x.f.Round.ID
		s2 := x.f.Streets[1].ID
		sup1, admin, analyst := servertest.LoginAs(t, x.base, "sup1"), servertest.LoginAs(t, x.base, "admin"), servertest.LoginAs(t, x.base, "analyst")
		cases := []struct {
			who        *http.Client
			name, path string
			has, not   []string
		}{
			{sup1, "sup1's board", fmt.Sprintf("/rounds/%d/board", r), []string{"社区1-1", "社区1-3", "待批替换", "已预约", "int1b"}, []string{"社区2-", "street-pick"}},
			{sup1, "sup1's unassigned", fmt.Sprintf("/rounds/%d/board?state=unassigned&community=all", r), []string{"没有符合筛选条件的住户"}, nil},
			{admin, "admin's board of street 2", fmt.Sprintf("/rounds/%d/board?street=%d", r, s2), []string{"社区2-", "street-pick", "int2a"}, []string{"社区1-1"}},
			{sup1, "sup1's progress", fmt.Sprintf("/rounds/%d/fieldwork", r), []string{"int1a", "街道1 社区1-1", "今日到期预约", `data-live-total="true"`}, []string{"int2a", "社区2-"}},
			{analyst, "the analyst's progress", fmt.Sprintf("/rounds/%d/fieldwork", r), []string{"int1a", "int2a", `data-live-total="true"`}, nil},
			{admin, "admin's progress of street 2", fmt.Sprintf("/rounds/%d/fieldwork?street=%d", r, s2), []string{"int2a", `data-live-total="false"`}, []string{"int1a"}},
			{sup1, "sup1's replacements", fmt.Sprintf("/rounds/%d/replacements", r), []string{fmt.Sprintf(`id="request-%d"`, x.mine[1].ID), "拒访"}, nil},
			{admin, "admin's replacements of street 2", fmt.Sprintf("/rounds/%d/replacements?street=%d", r, s2), []string{"没有待审批的替换申请"}, []string{"request-"}},
			{sup1, "sup1's review queue", fmt.Sprintf("/rounds/%d/review", r), []string{fmt.Sprintf(`data-response="%d"`, x.fast), "用时过短", "用时 0:20"}, []string{fmt.Sprintf(`data-response="%d"`, x.response)}},
			{sup1, "a response in English", fmt.Sprintf("/rounds/%d/review/%d?lang=en", r, x.fast), []string{"Traffic", "Neither satisfied nor dissatisfied", "No", "too fast", "0:20", "review-return"}, []string{"交通秩序"}},
			{sup1, "a response in Chinese", fmt.Sprintf("/rounds/%d/review/%d?lang=zh-CN", r, x.fast), []string{"交通秩序", "一般", "用时过短"}, nil},
		}
		for _, c := range cases {
			status, _, _, body := servertest.GetPage(t, c.who, x.base+c.path)
			if status != http.StatusOK {
				t.Errorf("%s: %s = %d", c.name, c.path, status)
				continue
			}
			for _, s := range c.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s: %s lacks %q", c.name, c.path, s)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("%s: %s shows %q", c.name, c.path, s)
				}
			}
		}
		// Bad filters are refused with a 422 page, not ignored.
		for _, q := range []string{"state=nosuch", "interviewer=int2a", "page=0"} {
			if status, _, _, _ := servertest.GetPage(t, sup1, x.base+fmt.Sprintf("/rounds/%d/board?%s", r, q)); status != http.StatusUnprocessableEntity {
				t.Errorf("board?%s = %d, want 422", q, status)
			}
		}
		if status, _, _, _ := servertest.GetPage(t, sup1, x.base+fmt.Sprintf("/rounds/%d/review?review=nosuch", r)); status != http.StatusUnprocessableEntity {
			t.Errorf("review?review=nosuch = %d, want 422", status)
		}
		// A response of another round does not exist on this round's page.
		if status, _, _, _ := servertest.GetPage(t, sup1, x.base+fmt.Sprintf("/rounds/%d/review/%d", r+1, x.fast)); status != http.StatusNotFound {
			t.Errorf("the response under another round = %d, want 404", status)
		}
	})
}
