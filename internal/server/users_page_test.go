package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// TestUsersPageFilter: the users page lists what its filter selects (role,
// street, state, search); a filter it cannot read names the field and
// lists nobody.
func TestUsersPageFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		admin := servertest.LoginAs(t, base, "admin")
		if status, b := servertest.Call(t, admin, "POST", base+fmt.Sprintf("/api/v1/users/%d/disable", f.Users["int2b"].ID), "{}"); status != http.StatusOK {
			t.Fatalf("disable int2b = %d %s", status, b)
		}
		street1 := f.Streets[0].Name
		tests := []struct {
			query      string
			want, none []string
		}{
			{"", []string{"admin", "analyst", "int1a", "int2b", "sup2"}, nil},
			{"?role=supervisor", []string{"sup1", "sup2"}, []string{"int1a", "admin"}},
			{"?street=" + street1, []string{"int1a", "int1b", "sup1"}, []string{"int2a", "sup2", "admin"}},
			{"?state=disabled", []string{"int2b"}, []string{"int1a", "admin"}},
			{"?state=active&role=interviewer", []string{"int1a", "int1b", "int2a"}, []string{"int2b", "sup1"}},
			{"?q=SUP", []string{"sup1", "sup2"}, []string{"int1a"}},
			{"?role=boss", nil, []string{"admin", "int1a"}},
		}
		for _, tc := range tests {
			status, _, _, page := servertest.GetPage(t, admin, base+"/users"+tc.query)
			if status != http.StatusOK {
				t.Errorf("%s = %d", tc.query, status)
				continue
			}
			for _, u := range tc.want {
				if !strings.Contains(page, `<tr data-user="`+u+`">`) {
					t.Errorf("/users%s lacks %s", tc.query, u)
				}
			}
			for _, u := range tc.none {
				if strings.Contains(page, `<tr data-user="`+u+`">`) {
					t.Errorf("/users%s lists %s", tc.query, u)
				}
			}
		}
		if _, _, _, page := servertest.GetPage(t, admin, base+"/users?role=boss"); !strings.Contains(page, `data-filter-error="role"`) {
			t.Errorf("a bad role is not named")
		}
	})
}
