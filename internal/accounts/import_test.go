package accounts_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/accounts"
	"github.com/minyi-survey/minyi/internal/accounts/accountstest"
	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

func init() { auth.BcryptCost = 4 }

// TestReadList: Chinese and English headers, GBK and UTF-8 CSV, XLSX, role
// names; every problem named with its line and field.
func TestReadList(t *testing.T) {
	list := accountstest.List(50, "城关街道", "东城街道")
	for name, data := range map[string][]byte{
		"utf-8 csv": accountstest.CSV(list, false), "gbk csv": accountstest.CSV(list, true), "xlsx": accountstest.XLSX(list),
	} {
		rows, err := accounts.ReadList(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) != 50 || rows[0].Username != "u001" || rows[0].Role != store.RoleSupervisor || rows[1].Role != store.RoleInterviewer ||
			rows[0].DisplayName != list[1][0] || rows[1].Street != "城关街道" || rows[0].Phone != "13900000001" || rows[2].Phone != "" || rows[0].Line != 2 {
			t.Errorf("%s: rows = %+v …", name, rows[:3])
		}
	}
	en := "name,username,role,street\n王芳,wangfang,supervisor,城关街道\n"
	if rows, err := accounts.ReadList(strings.NewReader(en)); err != nil || len(rows) != 1 || rows[0].Role != store.RoleSupervisor {
		t.Errorf("English headers: %+v %v", rows, err)
	}
	bad := "姓名,账号,角色,街道\n王芳,wangfang,督导,城关街道\n,li si,校长,\n李四,WangFang,访员,城关街道\n"
	_, err := accounts.ReadList(strings.NewReader(bad))
	want := []string{"line 3, display_name", "line 3, username", "line 3, role", "line 3, street", "line 4, username: WangFang is also on line 2"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("problems = %v, want %q", err, w)
		}
	}
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("kind = %v", apperr.KindOf(err))
	}
	if _, err := accounts.ReadList(strings.NewReader("姓名,账号\n王芳,wf\n")); err == nil || !strings.Contains(err.Error(), "no column 角色") {
		t.Errorf("missing columns: %v", err)
	}
}

// TestImport: 50 accounts in one go, each with a strong one-time password
// and a login code; any problem (an unknown street, a taken username)
// creates none.
func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		storetest.Street(t, db, "城关街道")
		storetest.Street(t, db, "东城街道")
		list := accountstest.List(50, "城关街道", "东城街道")
		// A street not in the frame on line 31: nothing is created.
		badList := accountstest.List(50, "城关街道", "东城街道")
		badList[30][3] = "西城街道"
		_, err := accounts.Import(ctx, db, bytes.NewReader(accountstest.CSV(badList, true)), time.Now(), store.CLI)
		if err == nil || !strings.Contains(err.Error(), "line 31, street") {
			t.Fatalf("unknown street: %v", err)
		}
		if n, _ := db.CountUsers(ctx); n != 0 {
			t.Fatalf("%d users after a failed import", n)
		}
		now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		slips, err := accounts.Import(ctx, db, bytes.NewReader(accountstest.XLSX(list)), now, store.Actor{Via: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if len(slips) != 50 {
			t.Fatalf("%d slips", len(slips))
		}
		codes := map[string]bool{}
		for i, s := range slips {
			if err := auth.CheckPassword(s.Password, s.Username, s.DisplayName); err != nil {
				t.Errorf("%s's one-time password %q: %v", s.Username, s.Password, err)
			}
			if !s.MustChangePassword || s.StreetName != list[i+1][3] || s.Expires != now.Add(24*time.Hour) || len(s.LoginCode) < 20 || codes[s.LoginCode] {
				t.Errorf("slip %d = %+v", i, s)
			}
			codes[s.LoginCode] = true
		}
		// Again: every username is taken now, and named.
		_, err = accounts.Import(ctx, db, bytes.NewReader(accountstest.CSV(list, false)), now, store.CLI)
		if err == nil || !strings.Contains(err.Error(), "line 2, username: u001 is taken") {
			t.Errorf("second import: %v", err)
		}
		var audited int
		if err := db.Reader().Get(&audited, db.Reader().Rebind("SELECT COUNT(*) FROM audit_log WHERE action IN ('user.create', 'user.import')")); err != nil || audited != 51 {
			t.Errorf("audit entries = %d (%v), want 51", audited, err)
		}
	})
}
