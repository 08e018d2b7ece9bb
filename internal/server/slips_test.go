package server_test

import (
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/minyi-survey/minyi/internal/accounts/accountstest"
	"github.com/minyi-survey/minyi/internal/auth"
	"github.com/minyi-survey/minyi/internal/config"
	"github.com/minyi-survey/minyi/internal/rounds/fieldtest"
	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// slip is one account slip as the sheet shows it: its username, the
// password printed on it and the text its QR code decodes to.
type slip struct {
	Username, Password, URL, QR string
}

var (
	slipRE     = regexp.MustCompile(`(?s)<article class="slip" data-username="([^"]+)">.*?<code class="slip-password">([^<]+)</code>.*?data-url="([^"]+)">.*?<path d="([^"]+)"`)
	qrModuleRE = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)
)

// slipsOf reads the slips of a sheet and decodes each QR code from the
// picture its SVG path draws (rasterized here, 4 px a module with the quiet
// zone), with a QR decoder that is not minyi's encoder (gozxing, a port
// of ZXing).
func slipsOf(t *testing.T, page string) []slip {
	t.Helper()
	var out []slip
	for _, m := range slipRE.FindAllStringSubmatch(page, -1) {
		s := slip{Username: m[1], Password: html.UnescapeString(m[2]), URL: html.UnescapeString(m[3])}
		s.QR = decodeQRPath(t, m[4])
		out = append(out, s)
	}
	return out
}

// decodeQRPath draws the dark modules of a qrsvg path and decodes them.
func decodeQRPath(t *testing.T, path string) string {
	t.Helper()
	const scale, quiet = 4, 4
	size := 0
	ms := qrModuleRE.FindAllStringSubmatch(path, -1)
	for _, m := range ms {
		var x, y, run int
		fmt.Sscan(m[1], &x)
		fmt.Sscan(m[2], &y)
		fmt.Sscan(m[3], &run)
		size = max(size, x+run, y+1)
	}
	side := (size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, m := range ms {
		var x, y, run int
		fmt.Sscan(m[1], &x)
		fmt.Sscan(m[2], &y)
		fmt.Sscan(m[3], &run)
		for px := (x + quiet) * scale; px < (x+run+quiet)*scale; px++ {
			for py := (y + quiet) * scale; py < (y+1+quiet)*scale; py++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The picture is the code alone, drawn exactly: PURE_BARCODE reads it
	// as such (gozxing's finder search, made for photographs, misses about
	// one perfect 37-module code in 400).
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decoding a slip's QR code: %v", err)
	}
	return res.GetText()
}

// clockServer starts a server whose auth clock the test moves.
func clockServer(t *testing.T, db *store.DB) (string, *time.Time, *sync.Mutex) {
	t.Helper()
	servertest.SeedUsers(t, db)
	var mu sync.Mutex
	now := time.Now()
	svc := auth.NewService(db, auth.NewSecret(), time.Hour)
	svc.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := server.New(config.Config{Addr: "127.0.0.1:0", SessionTTL: time.Hour, MinCell: 30}, db, svc, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL, &now, &mu
}

// htmlGet opens a page as a browser does (no redirects followed).
func htmlGet(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	res, b := servertest.Do(t, c, "GET", u, map[string]string{"Accept": "text/html"})
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// TestImportSlips: 50 accounts from a GBK CSV and 50 from an XLSX, both
// with Chinese headers, make a sheet of slips; every QR code decodes to
// the slip's one-time login link, which signs in once, forces the password
// change (the API says password_change_required until then), then goes on
// to /t/ or home; a second use and an expired code get a page that says
// so. A list with problems creates nothing and names each line.
func TestImportSlips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		base, now, mu := clockServer(t, db)
		storetest.Street(t, db, "城关街道")
		storetest.Street(t, db, "东城街道")
		admin := servertest.Login(t, base, store.RoleAdmin)

		bad := accountstest.List(50, "城关街道", "东城街道")
		bad[7][2], bad[40][3] = "校长", "西城街道"
		status, b := servertest.UploadTo(t, admin, base+"/users/import", "名单.csv", string(accountstest.CSV(bad, true)), nil)
		if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `data-line="8"`) || !strings.Contains(string(b), "校长") {
			t.Errorf("bad list = %d\n%.3000s", status, b)
		}
		if n, _ := db.CountUsers(context.Background()); n != 3 {
			t.Fatalf("%d users after a bad list, want the 3 seeded", n)
		}

		var all []slip
		for i, file := range []struct {
			name string
			data []byte
		}{
			{"访员名单.csv", accountstest.CSV(accountstest.List(50, "城关街道", "东城街道"), true)},
			{"访员名单.xlsx", accountstest.XLSX(renamed(accountstest.List(50, "东城街道", "城关街道"), "x"))},
		} {
			status, b := servertest.UploadTo(t, admin, base+"/users/import", file.name, string(file.data), nil)
			if status != http.StatusCreated || !strings.Contains(string(b), `data-count="50"`) {
				t.Fatalf("%s = %d\n%.2000s", file.name, status, b)
			}
			slips := slipsOf(t, string(b))
			if len(slips) != 50 || strings.Count(string(b), `class="slip-page"`) != 7 {
				t.Fatalf("%s: %d slips on %d pages", file.name, len(slips), strings.Count(string(b), `class="slip-page"`))
			}
			for _, s := range slips {
				if s.QR != s.URL || !strings.HasPrefix(s.QR, base+"/login/code/") {
					t.Errorf("%s: %s's QR code = %q, link %q", file.name, s.Username, s.QR, s.URL)
				}
			}
			if want := []string{"u001", "xu001"}[i]; slips[0].Username != want {
				t.Errorf("%s: first slip %s, want %s", file.name, slips[0].Username, want)
			}
			all = append(all, slips...)
		}

		// A supervisor's code (u001) and an interviewer's (u002).
		for i, s := range all[:2] {
			c := servertest.Client(t)
			status, loc, _ := htmlGet(t, c, s.QR)
			next := []string{"/", "/t/"}[i]
			if status != http.StatusSeeOther || loc != "/password?next="+url.QueryEscape(next) {
				t.Fatalf("%s's code = %d → %q", s.Username, status, loc)
			}
			res, body := servertest.Do(t, c, "GET", base+"/api/v1/rounds", nil)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `"code":"password_change_required"`) {
				t.Errorf("API before the change = %d %s", res.StatusCode, body)
			}
			if status, loc, _ := htmlGet(t, c, base+"/surveys"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/password?next=") {
				t.Errorf("a page before the change = %d → %q", status, loc)
			}
			if status, _, page := htmlGet(t, c, base+"/password"); status != http.StatusOK || !strings.Contains(page, `id="password-must"`) {
				t.Errorf("the password page = %d\n%.1000s", status, page)
			}
			if status, b := servertest.Call(t, c, "POST", base+"/api/v1/me/password", `{"password":"`+s.Password+`"}`); status != http.StatusUnprocessableEntity {
				t.Errorf("keeping the one-time password = %d %s", status, b)
			}
			if status, b := servertest.Call(t, c, "POST", base+"/api/v1/me/password", `{"password":"harbour-Violet-7731"}`); status != http.StatusOK {
				t.Fatalf("the change = %d %s", status, b)
			}
			if res, body := servertest.Do(t, c, "GET", base+"/api/v1/me", nil); res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"must_change_password":false`) {
				t.Errorf("after the change: %d %s", res.StatusCode, body)
			}
			// The second use.
			status, _, page := htmlGet(t, servertest.Client(t), s.QR)
			if status != http.StatusGone || !strings.Contains(page, `data-state="login_code_used"`) || !strings.Contains(page, "已经用过") {
				t.Errorf("second use = %d\n%.1500s", status, page)
			}
		}
		// The one-time password works too, and leads to the same change.
		c := servertest.Client(t)
		if res, _ := servertest.PostJSON(t, c, base+"/api/v1/login", `{"username":"u003","password":"`+all[2].Password+`"}`); res.StatusCode != http.StatusOK {
			t.Fatalf("login with the one-time password = %d", res.StatusCode)
		}
		if status, loc, _ := htmlGet(t, c, base+"/"); status != http.StatusSeeOther || loc != "/password?next=%2F" {
			t.Errorf("home with a one-time password = %d → %q", status, loc)
		}
		// A day later.
		mu.Lock()
		*now = now.Add(auth.LoginCodeTTL + time.Minute)
		mu.Unlock()
		status, _, page := htmlGet(t, servertest.Client(t), all[60].QR+"?lang=en")
		if status != http.StatusGone || !strings.Contains(page, `data-state="login_code_expired"`) || !strings.Contains(page, "has expired") {
			t.Errorf("expired code = %d\n%.1500s", status, page)
		}
		status, _, page = htmlGet(t, servertest.Client(t), base+"/login/code/nosuchcode")
		if status != http.StatusNotFound || !strings.Contains(page, `data-state="login_code_unknown"`) {
			t.Errorf("unknown code = %d\n%.1500s", status, page)
		}
	})
}

// renamed prefixes every username of a list.
func renamed(rows [][]string, prefix string) [][]string {
	for _, r := range rows[1:] {
		r[1] = prefix + r[1]
	}
	return rows
}

// TestImportUsersAccess: the import page's POST as every caller.
func TestImportUsersAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, base := servertest.NewFieldServer(t, db, fieldtest.Small)
		list := accountstest.List(3, f.Streets[0].Name)
		want := map[string]int{"": 401, "int1a": 403, "int2a": 403, "sup1": 403, "sup2": 403, "analyst": 403, "admin": 201}
		for _, who := range servertest.AccessCallers {
			c := servertest.Client(t)
			if who != "" {
				c = servertest.LoginAs(t, base, who)
			}
			status, b := servertest.UploadTo(t, c, base+"/users/import", "list.csv", string(accountstest.CSV(list, false)), nil)
			if status != want[who] {
				t.Errorf("%s: %d, want %d\n%.300s", who, status, want[who], b)
			}
		}
		var n int
		_ = db.Reader().Get(&n, "SELECT COUNT(*) FROM users WHERE username LIKE 'u00%'")
		if n != 3 {
			t.Errorf("%d accounts made, want 3 (the admin's import)", n)
		}
	})
}
