package request

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// Every download's name is safe whatever a user named the round or
// sample (issue 23 item 6: a round named ../../etc/passwd was served as
// the file name ..%2F..%2Fetc%2Fpasswd…).
func TestAttachment(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd 轮次.csv":  "etc_passwd 轮次.csv",
		"2026Q4 第一轮-responses.csv": "2026Q4 第一轮-responses.csv",
		`a\b:c*d?e"f<g>h|i.csv`:    "a_b_c_d_e_f_g_h_i.csv",
		"...":                      "download",
		".hidden":                  "hidden",
		"x\x00y\ny":                "x_y_y",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	e := echo.New()
	w := httptest.NewRecorder()
	Attachment(e.NewContext(httptest.NewRequest("GET", "/", nil), w), "../../etc/passwd 轮次.csv")
	cd := w.Header().Get("Content-Disposition")
	if want := `attachment; filename="etc_passwd __.csv"; filename*=UTF-8''etc_passwd%20%E8%BD%AE%E6%AC%A1.csv`; cd != want {
		t.Errorf("Content-Disposition %q, want %q", cd, want)
	}
	if strings.Contains(cd, "..") || strings.Contains(cd, "%2F") {
		t.Errorf("Content-Disposition %q keeps a path", cd)
	}
}
