package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/server"
	"github.com/minyi-survey/minyi/internal/servertest"
	"github.com/minyi-survey/minyi/internal/store"
	"github.com/minyi-survey/minyi/internal/store/storetest"
)

// server.SessionCookie logs role in and returns its cookie header.
func sessionCookieOf(t *testing.T, base, role string) string {
	t.Helper()
	c := servertest.Login(t, base, role)
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == server.SessionCookie {
			return ck.Name + "=" + ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestUploadLimit: a frame upload over the limit is a 413 that states the
// limit, whether it announces its length or is sent chunked, and the
// server stops reading at the limit instead of taking in the whole body.
func TestUploadLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, base, _ := servertest.NewTestServer(t, db)
	s.SetUploadLimit(1 << 20)
	cookie := sessionCookieOf(t, base, store.RoleAdmin)
	host := strings.TrimPrefix(base, "http://")

	const boundary = "minyi-test-boundary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\nstreet,community,household\r\n"
	const total = 48 << 20 // far more than the limit and than socket buffers hold

	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	var sent atomic.Int64
	go func() {
		w := bufio.NewWriter(conn)
		fmt.Fprintf(w, "POST /api/v1/frames HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nCookie: %s\r\nContent-Type: multipart/form-data; boundary=%s\r\nTransfer-Encoding: chunked\r\n\r\n", host, base, cookie, boundary)
		fmt.Fprintf(w, "%x\r\n%s\r\n", len(head), head)
		chunk := []byte(strings.Repeat("街道1,社区1,户号0000000001\n", 2048))
		for n := 0; n < total; n += len(chunk) {
			if _, err := fmt.Fprintf(w, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
				return
			}
			if w.Flush() != nil {
				return
			}
			sent.Add(int64(len(chunk)))
		}
		fmt.Fprintf(w, "0\r\n\r\n")
		w.Flush()
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	var eb server.ErrorBody
	if err := servertest.DecodeJSON(res, &eb); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || eb.Error.Code != "too_large" || !strings.Contains(eb.Error.Message, "1 MB") {
		t.Fatalf("chunked upload over the limit = %d %+v", res.StatusCode, eb.Error)
	}
	time.Sleep(200 * time.Millisecond)
	t.Logf("client sent %d bytes before the server stopped reading", sent.Load())
	if n := sent.Load(); n >= total/2 {
		t.Fatalf("the server took in %d bytes of a %d-byte body over a 1 MB limit", n, total)
	}

	// With a Content-Length over the limit, nothing is read at all.
	req, _ := http.NewRequest("POST", base+"/api/v1/frames", io.LimitReader(zeros{}, 2<<20))
	req.ContentLength = 2 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Origin", base)
	req.Header.Set("Accept-Language", "en")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	eb = server.ErrorBody{}
	servertest.DecodeJSON(res, &eb)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(eb.Error.Message, "limit of 1 MB") {
		t.Fatalf("announced upload over the limit = %d %+v", res.StatusCode, eb.Error)
	}

	// Not multipart: refused without being read into memory.
	req, _ = http.NewRequest("POST", base+"/api/v1/frames", strings.NewReader("file=street,community"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Origin", base)
	req.Header.Set("Accept-Language", "en")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	eb = server.ErrorBody{}
	servertest.DecodeJSON(res, &eb)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields["file"] != "required" {
		t.Fatalf("urlencoded upload = %d %+v", res.StatusCode, eb.Error)
	}

	// Under the limit the upload goes through as before.
	s.SetUploadLimit(server.DefaultUploadLimit)
	status, body := servertest.Upload(t, servertest.Login(t, base, store.RoleAdmin), base, "ok.csv", "street,community,household\nS1,C1,1\nS1,C1,2\n", nil)
	if status != http.StatusCreated {
		t.Fatalf("small upload = %d %s", status, body)
	}
}

// TestJSONBodyLimit: an API body over its limit is a 413 stating the limit,
// chunked or not.
func TestJSONBodyLimit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, base, _ := servertest.NewTestServer(t, db)
	s.SetBodyLimit(64 << 10)
	big := `{"username":"` + strings.Repeat("x", 100<<10) + `","password":"p"}`
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			pr, pw := io.Pipe()
			go func() { io.WriteString(pw, big); pw.Close() }()
			body = pr
		}
		res, err := http.Post(base+"/api/v1/login", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		var eb server.ErrorBody
		servertest.DecodeJSON(res, &eb)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || eb.Error.Code != "too_large" || !strings.Contains(eb.Error.Message, "64 KB") {
			t.Errorf("chunked=%v: %d %+v", chunked, res.StatusCode, eb.Error)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
